"""Extraction speed: persona-atlas vs the original one-prompt-at-a-time extractor, same run.

SmolLM2-135M-Instruct on CPU, all seven recipes, six layers. The baseline does what the
group's scripts did: batch size 1, ``output_hidden_states=True`` (every layer, through the LM
head), one forward pass per recipe, C1/C2/C3 recomputed for every question, and B's response
decoded to text and re-tokenised. Each side runs in its own subprocess so peak RSS is its own.

    .venv/bin/python benchmarks/bench_extract.py            # 20 personas x 20 questions
    .venv/bin/python benchmarks/bench_extract.py --quick    # 5 x 5
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RECIPES = ["A", "B", "B*", "B*_no_last", "C1", "C2", "C3"]
LAYERS = [2, 7, 12, 17, 22, 27]
MODEL = "smollm2-135m-instruct"


def inputs(n_personas: int, n_questions: int) -> tuple[dict[str, str], list[str]]:
    data = ROOT / "experiments" / "data"
    # the mini-replication's sets (#7): one persona/question set for the demo and the benchmark
    personas = yaml.safe_load((data / "mini_personas.yaml").read_text())
    questions = list(yaml.safe_load((data / "mini_questions.yaml").read_text()).values())
    return dict(list(personas.items())[:n_personas]), questions[:n_questions]


def run_ours(work: Path, personas: dict, questions: list, max_new: int, threads: int) -> dict:
    from persona_atlas.extract.runner import run_extract
    from persona_atlas.extract.store import load_centroids

    (work / "p.yaml").write_text(yaml.safe_dump(personas, sort_keys=False))
    (work / "q.yaml").write_text(yaml.safe_dump(questions))
    section = {
        "model": MODEL,
        "personas": str(work / "p.yaml"),
        "questions": str(work / "q.yaml"),
        "recipes": RECIPES,
        "layers": LAYERS,
        "batch_token_budget": 4096,
        "generation": {"max_new_tokens": max_new, "backend": "hf"},
        "out_dir": str(work / "ours"),
        "cpu_threads": threads,
    }
    (work / "x.yaml").write_text(yaml.safe_dump({"issue": 5, "title": "b", "extract": section}))
    t0 = time.perf_counter()
    run = run_extract(work / "x.yaml", progress=False)
    seconds = time.perf_counter() - t0
    assert run is not None
    out = {}
    for r in RECIPES:
        stem = r.replace("*", "star")
        out[r] = load_centroids(work / "ours" / "centroids" / f"{stem}.safetensors")[0]["centroid"]
    return {"seconds": seconds, "timings": run.timings, "centroids": out}


def run_baseline(personas: dict, questions: list, max_new: int, threads: int) -> dict:
    """The original style: one prompt at a time, every hidden state, one pass per recipe."""
    import torch

    from persona_atlas.extract import template
    from persona_atlas.extract.models import load_model

    t0 = time.perf_counter()
    lm = load_model(MODEL, cpu_threads=threads)
    tok, model = lm.tokenizer, lm.model
    im_end = tok.convert_tokens_to_ids("<|im_end|>")

    def states(ids: list[int]) -> torch.Tensor:
        with torch.no_grad():
            out = model(torch.tensor([ids]), output_hidden_states=True)
        return torch.stack(out.hidden_states)[:, 0].float().cpu()  # [layers + 1, T, H], all

    cents = {r: np.zeros((len(personas), len(LAYERS), lm.hidden_size), np.float32) for r in RECIPES}
    idx = [layer + 1 for layer in LAYERS]
    for p, system in enumerate(personas.values()):
        for q in questions:
            msgs = [{"role": "system", "content": system}, {"role": "user", "content": q}]
            text = tok.apply_chat_template(msgs, tokenize=False, add_generation_prompt=True)
            prompt = tok(text, add_special_tokens=False)["input_ids"]
            with torch.no_grad():
                gen = model.generate(
                    torch.tensor([prompt]), max_new_tokens=max_new, do_sample=False
                )
            response = tok.decode(gen[0, len(prompt) :], skip_special_tokens=True)
            full = tok(text + response, add_special_tokens=False)["input_ids"]  # re-tokenised
            n = len(prompt)
            a = states(prompt)[idx, n - 1]
            b = states(full)[idx, n:].mean(1)
            bs = states(full)[idx, :n].mean(1)
            bsn = states(full)[idx, : n - 1].mean(1)
            c1_ids = template.raw_ids(tok, system)
            c1 = states(c1_ids)[idx, -1]
            close = prompt.index(im_end)
            c2 = states(prompt)[idx, close]
            c3 = states(prompt)[idx, close + 1]
            for r, v in zip(RECIPES, (a, b, bs, bsn, c1, c2, c3)):
                cents[r][p] += v.numpy() / len(questions)
    return {"seconds": time.perf_counter() - t0, "centroids": cents}


def child(which: str, n_personas: int, n_questions: int, max_new: int, threads: int, out: Path):
    from persona_atlas.extract.store import serialize

    personas, questions = inputs(n_personas, n_questions)
    with tempfile.TemporaryDirectory() as tmp:
        if which == "ours":
            res = run_ours(Path(tmp), personas, questions, max_new, threads)
        else:
            res = run_baseline(personas, questions, max_new, threads)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB → MiB
    out.with_suffix(".safetensors").write_bytes(serialize(res.pop("centroids"), {}))
    out.write_text(json.dumps({**res, "peak_rss_mib": peak}))


def spawn(which: str, args: argparse.Namespace, out: Path) -> dict:
    cmd = [sys.executable, __file__, "--child", which, "--personas", str(args.personas)]
    cmd += ["--questions", str(args.questions), "--max-new-tokens", str(args.max_new_tokens)]
    cmd += ["--threads", str(args.threads), "--out", str(out)]
    subprocess.run(cmd, check=True, stderr=subprocess.DEVNULL)
    from safetensors.numpy import load_file

    res = json.loads(out.read_text())
    res["centroids"] = load_file(out.with_suffix(".safetensors"))
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="5 personas x 5 questions")
    ap.add_argument("--personas", type=int, default=20)
    ap.add_argument("--questions", type=int, default=20)
    ap.add_argument("--max-new-tokens", type=int, default=32)
    ap.add_argument(
        "--threads", type=int, default=2, help="torch CPU threads, both sides (default 2)"
    )
    ap.add_argument("--child", choices=["ours", "baseline"], help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.quick:
        args.personas, args.questions = 5, 5
    if args.child:
        child(
            args.child, args.personas, args.questions, args.max_new_tokens, args.threads, args.out
        )
        return
    # make sure the GGUF → safetensors conversion is cached before anything is timed
    from persona_atlas.extract.models import converted_folder

    converted_folder(MODEL)
    print(
        f"bench_extract: SmolLM2-135M-Instruct, CPU fp32, {args.personas} personas x "
        f"{args.questions} questions, {len(RECIPES)} recipes, layers {LAYERS}, "
        f"max_new_tokens {args.max_new_tokens}, {args.threads} torch thread(s)",
        flush=True,
    )
    n = args.personas * args.questions

    def show(name: str, res: dict) -> None:
        print(
            f"  {name:<14} {res['seconds']:8.1f} s  ({n / res['seconds']:6.2f} prompts/s)  "
            f"peak RSS {res['peak_rss_mib']:7.0f} MiB",
            flush=True,
        )

    with tempfile.TemporaryDirectory() as tmp:
        ours = spawn("ours", args, Path(tmp) / "ours.json")
        show("persona-atlas", ours)
        base = spawn("baseline", args, Path(tmp) / "base.json")
        show("baseline", base)
    stages = ", ".join(
        f"{k} {v:.1f}s" for k, v in ours["timings"].items() if k != "personas_computed"
    )
    print(f"  persona-atlas stages: {stages}")
    print(f"  speed ratio (baseline time / ours): {base['seconds'] / ours['seconds']:.2f}x")
    print("  agreement of centroids, min per-persona cosine over layers (same positions):")
    for r in RECIPES:
        a, b = ours["centroids"][r], base["centroids"][r]
        cos = (a * b).sum(-1) / (np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1))
        note = "  (baseline re-tokenises the response)" if r.startswith("B") else ""
        print(f"    {r:<11} {cos.min():.6f}{note}")


if __name__ == "__main__":
    main()

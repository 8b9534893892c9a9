"""Capture throughput on a GPU: recipes A, C2 and C3 on a model with Qwen2.5-7B-Instruct's shape.

The weights are random bf16 (this times the capture path, it does not need a real model, and
nothing is downloaded); prompts are synthetic personas and questions tokenised by the tiny
ChatML test tokenizer, so the positions and batching are the real ones. Reported: prompt
tokens/s and the fraction of the GPU's bf16 dense peak, with FLOPs ≈ 2 × (parameters of the
blocks that run) × tokens — the forward stops after the deepest requested block, and the
embedding lookup is no matmul. Attention's own FLOPs are left out (small at these lengths).

    python benchmarks/bench_extract_gpu.py                       # 64 personas x 32 questions
    python benchmarks/bench_extract_gpu.py --peak-tflops 989     # a GPU the table lacks
    python benchmarks/bench_extract_gpu.py --tiny                # tiny shape on CPU (a test)
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: Qwen2.5-7B-Instruct's config.json, the parts that set the cost.
SHAPE_7B = {
    "hidden_size": 3584,
    "intermediate_size": 18944,
    "num_hidden_layers": 28,
    "num_attention_heads": 28,
    "num_key_value_heads": 4,
    "vocab_size": 152064,
    "rope_theta": 1_000_000.0,
    "max_position_embeddings": 32768,
}
SHAPE_TINY = {
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 4,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "vocab_size": 512,
    "max_position_embeddings": 2048,
}
#: bf16 dense tensor-core peaks (no sparsity), TFLOP/s; the first name found in the device's wins.
PEAK_BF16_TFLOPS = (
    ("H200 NVL", 835.0),
    ("H200", 989.0),
    ("H100 NVL", 835.0),
    ("H100 PCIe", 756.0),
    ("H100", 989.0),
    ("A100", 312.0),
)
RECIPES = ["A", "C2", "C3"]


def _count(n: float) -> str:
    return f"{n / 1e9:.2f} B" if n >= 1e8 else f"{n / 1e6:.2f} M"


def peak_tflops(device_name: str) -> float | None:
    return next((tf for key, tf in PEAK_BF16_TFLOPS if key in device_name), None)


def default_layers(n_blocks: int) -> list[int]:
    """Six layers spread from block 2 to the last (2, 7, 12, 17, 22, 27 for 28 blocks)."""
    return sorted({round(x) for x in np.linspace(min(2, n_blocks - 1), n_blocks - 1, 6)})


def synthetic_texts(n: int, words: tuple[int, int], seed: int) -> list[str]:
    """``n`` texts of random length, drawn from the words the test tokenizer was trained on."""
    from tests.extract.tiny_models import CORPUS

    vocab = sorted(set(re.findall(r"[a-z]+", CORPUS.lower())))
    rng = np.random.default_rng(seed)
    return [
        f"{i}: " + " ".join(rng.choice(vocab, int(rng.integers(*words)))) + "." for i in range(n)
    ]


def build_model(shape: dict[str, Any], tokenizer: Any, dtype: Any, device: Any) -> Any:
    """A randomly initialised Qwen2 of ``shape``, made directly on ``device`` in ``dtype``."""
    import torch
    from transformers import AutoModelForCausalLM, Qwen2Config

    config = Qwen2Config(
        **shape,
        tie_word_embeddings=False,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(0)
    with torch.device(device):
        model = AutoModelForCausalLM.from_config(config, dtype=dtype)
    return model.eval()


def main(argv: list[str] | None = None) -> dict[str, Any]:
    import torch

    from persona_atlas.extract.batching import plan_batches
    from persona_atlas.extract.capture import Capture
    from persona_atlas.extract.models import LoadedModel, find_blocks
    from persona_atlas.extract.persona import extract_persona
    from persona_atlas.extract.recipes import plan_persona
    from tests.extract.tiny_models import chatml_tokenizer

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--tiny", action="store_true", help="tiny shape, 3 x 4, CPU fp32: a smoke run")
    ap.add_argument("--personas", type=int, default=None, help="default 64 (tiny: 3)")
    ap.add_argument("--questions", type=int, default=None, help="default 32 (tiny: 4)")
    ap.add_argument("--layers", type=int, nargs="+", default=None, help="default: six, 2..last")
    ap.add_argument("--budget", type=int, default=None, help="batch_token_budget (32768)")
    ap.add_argument("--device", default=None, help="default cuda (tiny: cpu)")
    ap.add_argument("--dtype", default=None, help="default bfloat16 (tiny: float32)")
    ap.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    ap.add_argument("--peak-tflops", type=float, default=None, help="bf16 dense peak, TFLOP/s")
    args = ap.parse_args(argv)
    tiny = args.tiny
    n_p = args.personas or (3 if tiny else 64)
    n_q = args.questions or (4 if tiny else 32)
    budget = args.budget or (2048 if tiny else 32768)
    device = torch.device(args.device or ("cpu" if tiny else "cuda"))
    dtype = getattr(torch, args.dtype or ("float32" if tiny else "bfloat16"))
    if args.threads:
        torch.set_num_threads(args.threads)
    if device.type == "cuda" and not torch.cuda.is_available():
        sys.exit("bench_extract_gpu: no CUDA device; run with --tiny (CPU) or on a GPU machine")

    tokenizer = chatml_tokenizer()
    t0 = time.perf_counter()
    model = build_model(SHAPE_TINY if tiny else SHAPE_7B, tokenizer, dtype, device)
    built = time.perf_counter() - t0
    blocks = find_blocks(model)
    layers = args.layers or default_layers(len(blocks))
    lm = LoadedModel(model, tokenizer, blocks, "random-qwen2", "", None, None, device)
    capture = Capture(model, blocks, layers)
    personas = synthetic_texts(n_p + 1, (25, 60), seed=1)  # +1: a warm-up persona
    questions = {f"q{i}": q for i, q in enumerate(synthetic_texts(n_q, (6, 20), seed=2))}

    real = padded = 0
    for system in personas[1:]:
        works = plan_persona(tokenizer, system, list(questions.values()), RECIPES, None)
        lengths = [len(w.ids) for w in works]
        real += sum(lengths)
        padded += sum(len(b) * lengths[b[0]] for b in plan_batches(lengths, budget))

    def extract(i: int, system: str) -> None:
        extract_persona(
            lm,
            capture,
            name=f"p{i}",
            index=i,
            system=system,
            questions=questions,
            recipes=RECIPES,
            budget=budget,
            side="right",
            responses=None,
        )

    extract(0, personas[0])  # kernels, allocator, tokenizer caches
    if device.type == "cuda":
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    t0 = time.perf_counter()
    for i, system in enumerate(personas[1:], 1):
        extract(i, system)  # ends with .cpu() of the pooled rows: synchronous
    seconds = time.perf_counter() - t0

    deepest = max(layers)
    run_params = sum(p.numel() for b in blocks[: deepest + 1] for p in b.parameters())
    all_params = sum(p.numel() for p in model.parameters())
    flops = 2.0 * run_params * real
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    peak = args.peak_tflops or (peak_tflops(name) if device.type == "cuda" else None)
    result = {
        "device": name,
        "seconds": seconds,
        "tokens": real,
        "padded_tokens": padded,
        "tokens_per_s": real / seconds,
        "personas_per_s": n_p / seconds,
        "tflops": flops / seconds / 1e12,
        "peak_tflops": peak,
        "fraction_of_peak": flops / seconds / 1e12 / peak if peak else None,
    }
    shape = "tiny" if tiny else "Qwen2.5-7B"
    print(
        f"bench_extract_gpu: {shape} shape ({_count(all_params)} params, random), {name}, "
        f"{str(dtype).removeprefix('torch.')}, built in {built:.1f} s"
    )
    print(
        f"  {n_p} personas x {n_q} questions, recipes {'/'.join(RECIPES)}, layers {layers} "
        f"(blocks 0..{deepest} run: {_count(run_params)} params), budget {budget}"
    )
    print(
        f"  {real} prompt tokens ({real / (n_p * n_q):.0f} per prompt), "
        f"{padded / real - 1:.1%} padding, in {seconds:.2f} s"
    )
    print(
        f"  {result['tokens_per_s']:,.0f} tokens/s, {result['personas_per_s']:.2f} personas/s, "
        f"{result['tflops']:.1f} TFLOP/s"
    )
    if peak:
        print(f"  {result['fraction_of_peak']:.1%} of the {peak:.0f} TFLOP/s bf16 dense peak")
    else:
        print("  fraction of peak: n/a (no peak known for this device; pass --peak-tflops)")
    if device.type == "cuda":
        print(f"  peak GPU memory {torch.cuda.max_memory_allocated(device) / 2**30:.1f} GiB")
    return result


if __name__ == "__main__":
    main()

"""Benchmark ``atlas lint``: a 3,000-word report with ~300 numbers against a ~300 KB result.

Each typed number sits in a sentence that names what it is ("A vs B at layer 12 has cos_min
0.6234"), as scoped matching needs; one in twenty is wrong. Prints numbers checked per second
for the whole lint with nothing cached (read, validate, describe and index the result,
contexts, scoped matching, bindings, structure), the same with the result already loaded, the
scoped matching step alone, and the ratio against a naive baseline measured in the same run:
an unscoped linear scan of every flattened value for each number. Target: under 0.2 s per
report cold (500 reports in under two minutes).

``--big MB`` instead writes a result.json of about MB megabytes (the same result plus a
per-persona, per-question cosine table of millions of rows, as `atlas analyze` writes it:
indented JSON) and lints the report against it in a child process, printing its wall time and
peak RSS beside those of a plain ``json.load`` of the same file measured in the same run.
Target: peak under 2 GB and under 30 s for 346 MB.

    .venv/bin/python benchmarks/bench_lint.py [--quick] [--big 346]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from persona_atlas.lint import lint_report
from persona_atlas.lint.context import contexts
from persona_atlas.lint.exemptions import token_rule
from persona_atlas.lint.lookup import Lookup
from persona_atlas.lint.matching import naive_matches
from persona_atlas.lint.numbers import find_tokens, parse_claim
from persona_atlas.lint.prose import mask
from persona_atlas.lint.sources import clear_cache
from persona_atlas.schema import ResultFile, save

RECIPES = ["A", "B", "B*", "C1", "C2", "C3"]
METRICS = ["cos_min", "cos_p5", "cos_mean", "cos_max", "raw_pearson", "raw_spearman", "mc_r"]
WORDS = [
    "the",
    "recipe",
    "pair",
    "agrees",
    "in",
    "direction",
    "at",
    "this",
    "layer",
    "while",
    "the",
    "persona",
    "map",
    "is",
    "preserved",
    "across",
    "depth",
    "and",
    "the",
    "noise",
    "floor",
    "stays",
    "far",
    "above",
    "every",
    "threshold",
    "we",
    "set",
    "for",
    "the",
    "verdict",
]


def make_result(rng: random.Random) -> ResultFile:
    pairs = [(x, y) for i, x in enumerate(RECIPES) for y in RECIPES[i + 1 :]]
    rows = []
    for x, y in pairs:
        for layer in range(28):
            vals = sorted(rng.uniform(-0.1, 0.99) for _ in range(4))
            rows.append(
                [
                    f"{x} vs {y}",
                    x,
                    y,
                    "load-bearing",
                    layer,
                    *vals,
                    *(rng.random() for _ in range(3)),
                    None,
                    rng.random() / 100,
                    "KILL",
                ]
            )
    columns = [
        "pair",
        "x",
        "y",
        "category",
        "layer",
        *METRICS,
        "spread_spearman",
        "mantel_p",
        "verdict",
    ]
    per_pair = {
        f"{x}__{y}".replace("*", "star"): {
            "by_layer": {
                f"layer_{r[4]}": dict(zip(METRICS, r[5:12], strict=True))
                for r in rows
                if r[1:3] == [x, y]
            },
            "cos_min": {"min": rng.random(), "max": rng.random()},
        }
        for x, y in pairs
    }
    return ResultFile(
        issue=99,
        title="benchmark",
        kind="recipe-comparison",
        provenance={
            "git": {"commit": None, "dirty": False},
            "created": "2026-01-01T00:00:00Z",
            "code_version": "0",
            "analysis": {"name": "bench", "params": {}},
        },
        metrics={
            "n_personas": 275,
            "n_layers": 28,
            "n_cells": len(rows),
            "pairs": per_pair,
            "ranges": {m: {"min": -0.1, "max": 0.99} for m in METRICS},
        },
        tables={"cells": {"columns": columns, "rows": rows}},
    )


def make_report(rng: random.Random, result: ResultFile, n_words: int, n_numbers: int) -> str:
    """Sentences that name what their number is (a pair, a layer, a metric), as a report
    should for its typed numbers to match in scope, padded with filler words; one number in
    twenty is wrong, so failures (and their nearest candidates) are timed too."""
    rows = result.tables["cells"].rows
    body: list[str] = []
    words = 0
    numbers = 0
    while words < n_words:
        sentence = [rng.choice(WORDS) for _ in range(rng.randint(6, 12))]
        if numbers < n_numbers:
            row = rng.choice(rows)
            k = rng.randrange(len(METRICS))
            v = row[5 + k]
            kind = rng.random()
            token = f"{v * 100:.1f}%" if kind < 0.2 else f"{v:.{rng.choice([2, 3, 4])}f}"
            if kind > 0.95:
                token = f"{v + 0.5:.3f}"
            claim = f"{row[0]} at layer {row[4]} has {METRICS[k]} {token}"
            sentence.insert(rng.randrange(len(sentence)), claim)
            numbers += 2  # the layer and the value
        if rng.random() < 0.1:
            sentence.append("(#201, Qwen2.5-7B, `layer_20`)")
        body.append(" ".join(sentence) + ".")
        words += sum(len(part.split()) for part in sentence)
    sections = [
        "## TL;DR",
        "### Background",
        "### Methodology",
        "### Results",
        "### Next steps",
        "### Setup & hyper-parameters",
        "### Artifacts",
    ]
    chunk = len(body) // len(sections) + 1
    parts = []
    for i, title in enumerate(sections):
        parts.append(title + "\n\n" + "\n".join(body[i * chunk : (i + 1) * chunk]))
    parts.insert(4, '**Confidence: LOW** — synthetic.\n\n{{ value("metrics.n_personas", "d") }}')
    front = "---\nissue: 99\ntitle: bench\nconfidence: LOW\nstatus: draft\ndate: 2026-01-01\nhero: https://x.org/blob/4822c74/f.png\n---\n"
    return front + "\n\n".join(parts) + "\n"


BIG_TABLE = "per_persona_question_cos"
BIG_COLUMNS = ["pair", "layer", "persona", "question", "cos"]


def write_big_result(folder: Path, megabytes: float, seed: int = 0) -> tuple[Path, int]:
    """``folder/result.json`` (and ``report.md``) of about ``megabytes`` MB: the benchmark's
    result plus a table of per-persona, per-question cosines, streamed to disk row by row in
    the format `schema.save` writes. Returns the report's path and the table's row count."""
    rng = random.Random(seed)
    result = make_result(rng)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.md").write_text(make_report(rng, result, 3000, 300), encoding="utf-8")
    doc = result.model_dump(mode="json")
    doc["tables"][BIG_TABLE] = {"columns": BIG_COLUMNS, "rows": ["@ROWS@"]}
    head, _, tail = json.dumps(doc, indent=2, ensure_ascii=False).partition('"@ROWS@"')
    pairs = [f"{x} vs {y}" for i, x in enumerate(RECIPES) for y in RECIPES[i + 1 :]]
    target = int(megabytes * 1e6)
    pad = " " * 10
    rows = 0
    with (folder / "result.json").open("w", encoding="utf-8") as f:
        f.write(head.rstrip())
        written = len(head)
        while written < target:
            pair, layer = pairs[rows % len(pairs)], (rows // len(pairs)) % 28
            persona = f"persona_{(rows // 420) % 275:03d}"
            chunk = (
                ("," if rows else "")
                + f"\n{pad[:-2]}[\n{pad}{json.dumps(pair)},\n{pad}{layer},\n{pad}"
                + f'"{persona}",\n{pad}{(rows // 115500) % 240},\n{pad}{rng.random()!r}\n{pad[:-2]}]'
            )
            f.write(chunk)
            written += len(chunk)
            rows += 1
        f.write("\n" + " " * 6 + tail.lstrip())
    return folder / "report.md", rows


_CHILD = """
import resource, sys, time
t0 = time.perf_counter()
{body}
print(time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def measured(body: str) -> tuple[float, float, str]:
    """(seconds, peak RSS in MB, what it printed before) of ``body`` in a fresh interpreter."""
    out = subprocess.run(
        [sys.executable, "-c", _CHILD.format(body=body)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    seconds, rss_kb = out[-1].split()
    return float(seconds), float(rss_kb) / 1024, "\n".join(out[:-1])


def big(megabytes: float) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "results" / "issue-99"
        report, rows = write_big_result(folder, megabytes)
        size = (folder / "result.json").stat().st_size / 1e6
        path = str(folder / "result.json")
        t_json, rss_json, _ = measured(f"import json; json.load(open({path!r}))")
        t_lint, rss_lint, said = measured(
            "from persona_atlas.lint import lint_report\n"
            f"lint = lint_report({str(report)!r})\n"
            "print(lint.counts(), [p.message[:200] for p in lint.problems][:3])"
        )
    print(f"result.json: {size:.0f} MB ({rows:,} rows in tables.{BIG_TABLE})")
    print(f"lint: {said}")
    print(f"plain json.load (the baseline): {t_json:.1f} s, peak RSS {rss_json:,.0f} MB")
    print(
        f"atlas lint of one report against it: {t_lint:.1f} s, peak RSS {rss_lint:,.0f} MB "
        f"(ratio to json.load: {t_lint / t_json:.1f}× time, {rss_lint / rss_json:.2f}× memory; "
        "target < 2,048 MB, < 30 s)"
    )
    return 0 if rss_lint < 2048 else 1


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def writeups() -> int:
    """Cold lint of the group's write-ups (graded verdicts, tolerant JSON, grading), each
    against the cost of only parsing its JSON in the same run."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from persona_atlas.kinds.imported.read import read_file
    from persona_atlas.lint import lint_file
    from persona_atlas.lint.sources import against_files, clear_cache
    from tests.lint.corpus import corpus

    found = [w for w in corpus() if w.present]
    if not found:
        print("no write-up of the corpus is present (../shared/reference)")
        return 1
    lint_file(found[0].text, list(found[0].against))  # imports
    for w in found:
        files = against_files(w.against)
        parse = timed(lambda files=files: [read_file(f, str(f)) for f in files], 5)

        def cold(w=w) -> None:
            clear_cache()
            lint_file(w.text, list(w.against))

        lint = timed(cold, 5)
        words = len(w.text.read_text(encoding="utf-8").split())
        size = sum(f.stat().st_size for f in files) / 1024
        print(
            f"{w.name}: {words:,} words, {size:,.0f} KB of JSON: lint cold {lint * 1e3:.0f} ms "
            f"(target < 200 ms); parsing the JSON alone {parse * 1e3:.0f} ms; "
            f"ratio {lint / parse:.1f}×"
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats")
    ap.add_argument("--big", type=float, metavar="MB", help="lint against a result.json of MB MB")
    ap.add_argument(
        "--writeups",
        action="store_true",
        help="time a cold lint of each write-up of the corpus (tests/lint/writeups) against "
        "its JSON, next to a plain json.load of the same files",
    )
    args = ap.parse_args(argv)
    if args.big:
        return big(args.big)
    if args.writeups:
        return writeups()
    repeat = 3 if args.quick else 9
    rng = random.Random(0)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "results" / "issue-99"
        result = make_result(rng)
        save(folder / "result.json", result)
        report = folder / "report.md"
        report.write_text(make_report(rng, result, 3000, 300), encoding="utf-8")
        size_kb = (folder / "result.json").stat().st_size / 1024

        lint = lint_report(report)  # warm-up (imports), and the counts
        counts = lint.counts()
        n = len(lint.numbers)
        words = len(report.read_text().split())

        def cold() -> None:
            clear_cache()  # a report of its own result: read, validate, describe, index
            lint_report(report)

        full = timed(cold, repeat)
        warm = timed(lambda: lint_report(report), repeat)

        doc = result.model_dump(mode="json")
        masked = mask(report.read_text())
        tokens = [t for t in find_tokens(masked.prose) if not token_rule(masked.prose, t)]
        claims = [parse_claim(t) for t in tokens]
        t_build = timed(lambda: Lookup({"": doc}), repeat)
        lookup = Lookup({"": doc})

        def scoped() -> None:
            fresh = Lookup.__new__(Lookup)  # same indexes, no memo of earlier contexts
            fresh.__dict__.update(lookup.__dict__, _scored={})
            for c, ctx in zip(claims, contexts(masked, tokens, lookup.describer.recipes)):
                fresh.match(c, ctx)

        index = lookup.index

        def naive() -> None:
            for c in claims:
                naive_matches(index.leaves, c)

        t_scoped = timed(scoped, repeat)
        t_naive = timed(naive, max(1, repeat // 3))

    print(
        f"report: {words} words, {n} numbers ({counts['matched']} matched in scope, "
        f"{counts['failed']} failed); result.json: {size_kb:.0f} KB, {len(index.leaves)} numeric leaves"
    )
    print(
        f"full lint, cold (read, validate, describe, index, contexts, match, bindings, structure): "
        f"{full * 1000:.1f} ms per report → {n / full:,.0f} numbers/s; 500 reports ≈ "
        f"{500 * full:.0f} s (target < 0.2 s/report); warm (result already loaded): {warm * 1000:.1f} ms"
    )
    print(
        f"scoped matching: {t_scoped * 1000:.1f} ms for {len(claims)} claims "
        f"({len(claims) / t_scoped:,.0f} numbers/s, contexts included) + {t_build * 1000:.1f} ms "
        "to describe and index the result"
    )
    print(
        f"unscoped naive linear scan (the baseline): {t_naive * 1000:.1f} ms "
        f"({len(claims) / t_naive:,.0f} numbers/s); ratio naive / scoped: {t_naive / t_scoped:,.1f}×"
    )
    return 0 if full < 0.2 else 1


if __name__ == "__main__":
    sys.exit(main())

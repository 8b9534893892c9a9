"""Benchmark ``atlas lint``: a 3,000-word report with ~300 numbers against a ~300 KB result.

Prints numbers checked per second for the whole lint (read, validate, index, match, bind,
structure) and for the matching step alone, and the ratio against a naive baseline measured in
the same run: a linear scan of every flattened value for each number. Target: under 0.2 s per
report (500 reports in under two minutes).

    .venv/bin/python benchmarks/bench_lint.py [--quick]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from persona_atlas.schema import ResultFile, save
from persona_atlas.site.lint import lint_report
from persona_atlas.site.lint.matching import ValueIndex, naive_matches
from persona_atlas.site.lint.numbers import find_tokens, parse_claim
from persona_atlas.site.lint.prose import mask

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
    values = [v for row in result.tables["cells"].rows for v in row[5:12]]
    body: list[str] = []
    words = 0
    numbers = 0
    while words < n_words:
        sentence = [rng.choice(WORDS) for _ in range(rng.randint(8, 14))]
        if numbers < n_numbers:
            v = rng.choice(values)
            kind = rng.random()
            token = f"{v * 100:.1f}%" if kind < 0.2 else f"{v:.{rng.choice([2, 3, 4])}f}"
            if kind > 0.95:
                token = f"{v + 0.5:.3f}"  # some failures, so the nearest search is timed too
            sentence.insert(rng.randrange(len(sentence)), token)
            numbers += 1
        if rng.random() < 0.1:
            sentence.append("(#201, Qwen2.5-7B, `layer_20`)")
        body.append(" ".join(sentence) + ".")
        words += len(sentence)
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


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats")
    args = ap.parse_args(argv)
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
        n = len(lint.numbers)
        words = len(report.read_text().split())
        full = timed(lambda: lint_report(report), repeat)

        doc = result.model_dump(mode="json")
        masked = mask(report.read_text())
        claims = [parse_claim(t) for t in find_tokens(masked.prose)]
        index = ValueIndex.of({"": doc})
        leaves = index.leaves

        def indexed() -> None:
            for c in claims:
                if not index.matches(c):
                    index.nearest(c)

        def naive() -> None:
            for c in claims:
                naive_matches(leaves, c)

        t_index = timed(indexed, repeat)
        t_build = timed(lambda: ValueIndex.of({"": doc}), repeat)
        t_naive = timed(naive, max(1, repeat // 3))

    print(
        f"report: {words} words, {n} numbers; result.json: {size_kb:.0f} KB, {len(leaves)} numeric leaves"
    )
    print(
        f"full lint (read, validate, index, match, bindings, structure): {full * 1000:.1f} ms "
        f"per report → {n / full:,.0f} numbers/s; 500 reports ≈ {500 * full:.0f} s (target < 0.2 s/report)"
    )
    print(
        f"matching, sorted index: {t_index * 1000:.2f} ms for {len(claims)} claims "
        f"({len(claims) / t_index:,.0f} numbers/s) + {t_build * 1000:.1f} ms to build the index"
    )
    print(
        f"matching, naive linear scan: {t_naive * 1000:.1f} ms ({len(claims) / t_naive:,.0f} numbers/s)"
    )
    print(
        f"ratio naive / indexed: {t_naive / t_index:,.0f}× (matching only), "
        f"{t_naive / (t_index + t_build):,.1f}× including the index build"
    )
    return 0 if full < 0.2 else 1


if __name__ == "__main__":
    sys.exit(main())

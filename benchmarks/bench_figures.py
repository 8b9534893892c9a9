"""All figures for a #218-scale result: 21 recipe pairs × 28 layers, 275 personas each.

Builds a synthetic recipe-comparison result.json of that size (161,700 per-persona rows,
a noise floor for 7 recipes, two stored 275×275 cosine matrices), then times
``build_figures`` per figure (build + spec + SVG + PNG) and in total.

Baseline, measured in the same run: the per-persona figure the naive way, shipping all
161,700 rows to Vega-Lite and letting it compute the boxplots (``mark_boxplot``), rendered to
SVG. Prints the time ratio and the spec weight of both, and the page weight of the result's
heaviest figure and of the whole figure set.

    .venv/bin/python benchmarks/bench_figures.py           # full run
    .venv/bin/python benchmarks/bench_figures.py --quick   # 7 layers, no baseline
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np

from persona_atlas.schema import ResultFile, load_result, save
from persona_atlas.site.figures import registry, render
from persona_atlas.site.figures.build import build_figures
from persona_atlas.site.figures.embed import VENDOR_DIR

RECIPES = ["A", "B", "B*", "B*_no_last", "C1", "C2", "C3"]
THRESHOLDS = {"pass_cos_min": 0.95, "pass_mc_r": 0.90, "kill_cos_min": 0.85, "kill_mc_r": 0.70}


def verdict(cos_min: float, mc_r: float) -> str:
    t = THRESHOLDS
    if cos_min > t["pass_cos_min"] and mc_r > t["pass_mc_r"]:
        return "PASS"
    if cos_min < t["kill_cos_min"] or mc_r < t["kill_mc_r"]:
        return "KILL"
    return "GREY"


def synthetic_result(n_layers: int, n_personas: int, seed: int = 0) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    pairs = list(combinations(RECIPES, 2))
    cells, per_persona = [], []
    for x, y in pairs:
        pair = f"{x} vs {y}"
        centre = rng.uniform(0.3, 0.97)
        for layer in range(n_layers):
            cos = np.clip(centre + 0.05 * rng.normal(size=n_personas), -1, 1)  # [P]
            mc_r = float(np.clip(centre + 0.1 * rng.normal(), -1, 1))
            lo, p5, mean, hi = cos.min(), np.quantile(cos, 0.05), cos.mean(), cos.max()
            cells.append([pair, x, y, "load-bearing", layer, lo, p5, mean, hi, mc_r, mc_r,
                          mc_r, None, None, verdict(float(lo), mc_r)])  # fmt: skip
            per_persona += [[pair, layer, f"persona_{i:03d}", float(c)] for i, c in enumerate(cos)]
    counts = {v: sum(c[-1] == v for c in cells) for v in ("PASS", "GREY", "KILL")}
    noise = [[r, layer, 0.98, 0.985, 0.99, 0.95] for r in RECIPES for layer in range(n_layers)]
    names = [f"persona_{i:03d}" for i in range(n_personas)]
    matrices = {}
    for stem in ("A", "B"):
        v = rng.normal(size=(n_personas, 64)) + 2.0  # [P, H]
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        matrices[stem] = {"layer_20": {"personas": names, "matrix": (v @ v.T).round(5).tolist()}}
    cols = ["pair", "x", "y", "category", "layer", "cos_min", "cos_p5", "cos_mean", "cos_max",
            "raw_pearson", "raw_spearman", "mc_r", "spread_spearman", "mantel_p", "verdict"]  # fmt: skip
    return {
        "schema_version": "1",
        "issue": 218,
        "title": "Benchmark: #218 scale",
        "kind": "recipe-comparison",
        "provenance": {
            "git": {"commit": None, "dirty": False},
            "created": "2026-01-01T00:00:00Z",
            "code_version": "bench",
            "analysis": {"name": "recipe-comparison", "params": {}},
        },
        "metrics": {"thresholds": THRESHOLDS, "cosine_matrices": matrices},
        "tables": {
            "cells": {"columns": cols, "rows": cells},
            "per_persona_cos": {
                "columns": ["pair", "layer", "persona", "cos"],
                "rows": per_persona,
            },
            "noise_floor": {
                "columns": ["recipe", "layer", "cos_min", "cos_p5", "cos_mean", "mc_r"],
                "rows": noise,
            },
            "verdict_counts": {"columns": ["verdict", "count"], "rows": list(counts.items())},
        },
    }


def naive_per_persona(result: ResultFile) -> tuple[float, int]:
    """All rows to the page, boxplots computed by Vega-Lite: seconds to spec + SVG, bytes."""
    import altair as alt

    t = result.tables["per_persona_cos"]
    rows = [dict(zip(t.columns, r, strict=True)) for r in t.rows]
    start = time.perf_counter()
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_boxplot(extent="min-max")
        .encode(x="layer:O", y="cos:Q")
        .properties(width=170, height=170)
        .facet(facet="pair:N", columns=4)
    )
    spec = chart.to_dict(validate=False)
    render.render_svg(spec)
    return time.perf_counter() - start, len(render.canonical(spec))


def kib(n: float) -> str:
    return f"{n / 1024:,.0f} KiB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="7 layers, skip the baseline")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=UserWarning)
    n_layers, n_personas = (7, 275) if args.quick else (28, 275)

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "results" / "issue-218"
        folder.mkdir(parents=True)
        t0 = time.perf_counter()
        save(
            folder / "result.json",
            ResultFile.model_validate(synthetic_result(n_layers, n_personas)),
        )
        result = load_result(folder / "result.json")
        n_rows = len(result.tables["per_persona_cos"].rows)
        print(f"result: 21 pairs × {n_layers} layers × {n_personas} personas = {n_rows:,} "
              f"per-persona rows ({kib((folder / 'result.json').stat().st_size)}), "
              f"written in {time.perf_counter() - t0:.1f} s")  # fmt: skip

        start = time.perf_counter()
        load_result(folder / "result.json")
        print(f"reading and validating result.json: {time.perf_counter() - start:.2f} s")

        per_figure = {}
        for job in registry.jobs_for(result):
            start = time.perf_counter()
            spec = render.to_spec(job.build(result))
            render.write_figure(
                folder / "figures", job.name, spec, chart=job.chart, caption=job.caption,
                result_sha256="0" * 64, commit=None,
            )  # fmt: skip
            per_figure[job.name] = time.perf_counter() - start
        for f in (folder / "figures").iterdir():
            f.unlink()
        start = time.perf_counter()
        build_figures(folder, progress=False)
        total = time.perf_counter() - start
        start = time.perf_counter()
        build_figures(folder, progress=False)
        rerun = time.perf_counter() - start

        print(f"\n{'figure':34} {'seconds':>8} {'spec':>10} {'svg':>10} {'png':>10}")
        figures = folder / "figures"
        weights, specs = {}, {}
        for name, seconds in per_figure.items():
            size = {s: (figures / f"{name}{s}").stat().st_size for s in render.SUFFIXES}
            weights[name] = size[".vl.json"] + size[".svg"]
            specs[name] = size[".vl.json"]
            print(f"{name:34} {seconds:8.2f} {kib(size['.vl.json']):>10} "
                  f"{kib(size['.svg']):>10} {kib(size['.png']):>10}")  # fmt: skip
        print(f"\nsum over figures: {sum(per_figure.values()):.2f} s")
        print(f"all {len(per_figure)} figures, one build_figures call (reads result.json too): "
              f"{total:.2f} s (target < 20 s); re-run with nothing changed: {rerun:.2f} s")  # fmt: skip
        heaviest = max(weights, key=weights.__getitem__)
        bundle = (VENDOR_DIR / "vega-bundle.js").stat().st_size
        print(f"heaviest figure: {heaviest}, spec + SVG = {kib(weights[heaviest])}")
        print(f"page weight, every figure on one page: specs {kib(sum(specs.values()))} "
              f"+ {kib(bundle)} vega bundle (cached across pages); the SVGs "
              f"({kib(sum(weights.values()) - sum(specs.values()))}) load only without "
              "JavaScript")  # fmt: skip

        if not args.quick:
            print("\nbaseline: per-persona figure with all rows in the spec, boxplots in Vega")
            seconds, size = naive_per_persona(result)
            ours = per_figure["per_persona_cos"]
            ours_spec = (figures / "per_persona_cos.vl.json").stat().st_size
            print(f"  naive: {seconds:.2f} s, spec {kib(size)}")
            print(f"  ours:  {ours:.2f} s (incl. PNG), spec {kib(ours_spec)}")
            print(f"  ratio: {seconds / ours:.1f}× faster, spec {size / ours_spec:.0f}× lighter")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""All figures for a #218-scale result: 21 recipe pairs × 28 layers, 275 personas each.

Builds a synthetic recipe-comparison result.json of that size (161,700 per-persona rows,
a noise floor for 7 recipes, two stored 275×275 cosine matrices), then times
``build_figures`` per figure (build + spec + SVG + PNG) and in total.

Baseline, measured in the same run: the per-persona figure the naive way, shipping all
161,700 rows to Vega-Lite and letting it compute the boxplots (``mark_boxplot``), rendered to
SVG. Prints the time ratio and the spec weight of both, and the weight of the heaviest figure.

Page weight is measured on a real build: the result gets a minimal report.md placing every
figure on its page, the site is built (``build_site``, MkDocs included) into the same
temporary folder, and every built page is weighed by what a browser with JavaScript loads
for it: the HTML, the stylesheets, scripts and images it links and the figure specs the
loader fetches. The vendored Vega bundle (shared by every page, cached) and the theme's
search index (site-wide) are reported on their own lines.

    .venv/bin/python benchmarks/bench_figures.py           # full run
    .venv/bin/python benchmarks/bench_figures.py --quick   # 7 layers, no baseline
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import sys
import tempfile
import time
import warnings
from html.parser import HTMLParser
from itertools import combinations
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import numpy as np

from persona_atlas.figures import registry, render
from persona_atlas.figures.build import build_figures, report_captions
from persona_atlas.schema import ResultFile, load_result, save
from persona_atlas.site.build import BuildOptions, build_site

ROOT = Path(__file__).resolve().parents[1]
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


REPORT = """---
issue: 218
title: "Benchmark: #218 scale"
confidence: LOW
status: draft
date: 2026-01-01
hero: verdict_partition
---

## TL;DR

Synthetic result at #218 scale; every figure it gets is on this page.

{{{{ hero("Verdict per recipe pair and layer.") }}}}

## Figures

{figures}
"""


def write_report(folder: Path, names: list[str]) -> None:
    """A report.md that puts every figure of the result on its page (hero first)."""
    calls = "\n\n".join(
        f'{{{{ figure("{n}", "{n.replace("_", " ")}.") }}}}'
        for n in names
        if n != "verdict_partition"
    )
    (folder / "report.md").write_text(REPORT.format(figures=calls), encoding="utf-8")


# What a page loads with JavaScript, as weighed (the Vega bundle is counted on its own).
LOADED = {
    "html": "HTML",
    "link": "stylesheets and favicon",
    "script": "scripts (theme, loaders)",
    "img": "images",
    "spec": "figure specs",
}


class _Links(HTMLParser):
    """What a page makes the browser load: (kind, url) pairs, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []
        self._noscript = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "noscript":
            self._noscript += 1
        elif tag == "script" and a.get("src"):
            self.found.append(("script", a["src"]))
        elif (
            tag == "link"
            and a.get("href")
            and {"stylesheet", "icon"} & set(a.get("rel", "").split())
        ):
            self.found.append(("link", a["href"]))
        elif tag == "img" and a.get("src"):
            # A <noscript> image (the static SVG) is fetched only without JavaScript.
            self.found.append(("noscript-img" if self._noscript else "img", a["src"]))
        elif tag == "figure" and a.get("data-vl-spec"):
            self.found.append(("spec", a["data-vl-spec"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "noscript":
            self._noscript -= 1


def weigh_pages(site: Path) -> list[dict[str, Any]]:
    """Bytes (raw and gzipped) each built page loads, by kind, heaviest page first."""
    gz: dict[Path, int] = {}

    def size(path: Path) -> tuple[int, int]:
        if path not in gz:
            gz[path] = len(gzip.compress(path.read_bytes(), compresslevel=6))
        return path.stat().st_size, gz[path]

    pages = []
    for page in sorted(site.rglob("*.html")):
        rel = page.relative_to(site).as_posix()
        if rel == "404.html":
            continue
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        parts: dict[str, list[int]] = {"html": list(size(page))}
        external = []
        for kind, url in parser.found:
            if urlsplit(url).scheme:
                external.append(url)
                continue
            target = site / urlsplit(urljoin(rel, url)).path
            if target.name == "vega-bundle.js":
                kind = "vega bundle"
            part = parts.setdefault(kind, [0, 0])
            raw, packed = size(target)
            part[0] += raw
            part[1] += packed
        loaded = [v for k, v in parts.items() if k in LOADED]
        pages.append({
            "page": rel,
            "parts": parts,
            "total": [sum(v[0] for v in loaded), sum(v[1] for v in loaded)],
            "external": external,
        })  # fmt: skip
    return sorted(pages, key=lambda p: -p["total"][0])


def page_weight(tmp: Path, folder: Path) -> None:
    """Build the site around the result and print what its heaviest page weighs."""
    shutil.copy(ROOT / "mkdocs.yml", tmp / "mkdocs.yml")
    shutil.copytree(ROOT / "templates", tmp / "templates")
    names = sorted(p.name.removesuffix(".vl.json") for p in (folder / "figures").glob("*.vl.json"))
    write_report(folder, names)
    assert set(report_captions(folder)) == set(names) - {"verdict_partition"}
    start = time.perf_counter()
    # the generated report is not lint-clean prose: time rendering, not the publishing gate
    stats = build_site(BuildOptions(root=tmp, out=Path("site"), lint=False))
    print(f"\nsite build (render + mkdocs, {stats.pages} result page): "
          f"{time.perf_counter() - start:.2f} s")  # fmt: skip
    pages = weigh_pages(tmp / "site")
    heaviest = pages[0]
    parts = heaviest["parts"]
    print(f"heaviest page: {heaviest['page']} ({len(names)} figures), loads "
          f"{kib(heaviest['total'][0])} ({kib(heaviest['total'][1])} gzipped) with JavaScript, "
          "without the Vega bundle:")  # fmt: skip
    for kind, label in LOADED.items():
        if kind in parts:
            raw, packed = parts[kind]
            print(f"  {label:26} {kib(raw):>10} {kib(packed):>10} gzipped")
    raw, packed = parts.get("vega bundle", [0, 0])
    print(f"  + vega bundle {kib(raw)} ({kib(packed)} gzipped), shared by every page, cached")
    site = tmp / "site"
    search = [site / "search" / "search_index.json",
              *(site / "assets" / "javascripts" / "workers").glob("search.*.min.js")]  # fmt: skip
    print(f"  + search worker and index {kib(sum(f.stat().st_size for f in search))}, "
          "site-wide, fetched by the theme in the background")  # fmt: skip
    if "noscript-img" in parts:
        static = sum(parts.get(k, [0])[0] for k in ("html", "link", "img", "noscript-img"))
        print(f"without JavaScript: HTML, CSS and the static SVGs instead, {kib(static)}")
    if heaviest["external"]:
        print(f"  external (not weighed): {', '.join(heaviest['external'])}")
    for other in pages[1:]:
        print(f"other page: {other['page']}, {kib(other['total'][0])}")


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
        weights = {}
        for name, seconds in per_figure.items():
            size = {s: (figures / f"{name}{s}").stat().st_size for s in render.SUFFIXES}
            weights[name] = size[".vl.json"] + size[".svg"]
            print(f"{name:34} {seconds:8.2f} {kib(size['.vl.json']):>10} "
                  f"{kib(size['.svg']):>10} {kib(size['.png']):>10}")  # fmt: skip
        print(f"\nsum over figures: {sum(per_figure.values()):.2f} s")
        print(f"all {len(per_figure)} figures, one build_figures call (reads result.json too): "
              f"{total:.2f} s (target < 20 s); re-run with nothing changed: {rerun:.2f} s")  # fmt: skip
        heaviest = max(weights, key=weights.__getitem__)
        print(f"heaviest figure: {heaviest}, spec + SVG = {kib(weights[heaviest])}")
        page_weight(Path(tmp), folder)

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

"""Result documents for the figure tests, built from the contract (docs/data-contracts.md),
and :func:`build_spec`, the check every chart test goes through.

``recipe_result`` converts the group's real #218 sweep (15 pairs × 28 layers, 275 personas)
into the recipe-comparison table shape. The legacy file stores per-persona summaries
(min, p5, mean, max) but not the 275 values, so ``per_persona_cos`` is reconstructed to
reproduce exactly that min, max and mean per cell — enough to exercise the charts at scale.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np

from persona_atlas.figures import registry, render
from persona_atlas.kinds.correlations.tables import CORRELATIONS
from persona_atlas.kinds.recipe_comparison.tables import CELLS
from persona_atlas.kinds.regression.tables import OLS_FIT, OLS_POINTS
from persona_atlas.kinds.stored_matrix_comparison.tables import LAYERS
from persona_atlas.schema import ResultFile, save

REFERENCE = Path(__file__).resolve().parents[1] / "fixtures" / "reference"
NAMES = {"a": "A", "b": "B", "bstar": "B*", "c1": "C1", "c2": "C2", "c3": "C3"}
STEMS = {"A": "A", "B": "B", "B*": "Bstar", "C1": "C1", "C2": "C2", "C3": "C3"}
THRESHOLDS = {"pass_cos_min": 0.95, "pass_mc_r": 0.90, "kill_cos_min": 0.85, "kill_mc_r": 0.70}

CELL_COLUMNS = CELLS.names  # the recipe-comparison kind's contract


def provenance() -> dict[str, Any]:
    return {
        "git": {"commit": None, "dirty": False},
        "created": "2026-05-03T19:11:25Z",
        "code_version": "0.1.0+test",
        "analysis": {"name": "recipe-comparison", "params": {"thresholds": THRESHOLDS}},
        "inputs": [],
    }


def persona_values(lo: float, hi: float, mean: float, n: int, seed: int) -> list[float]:
    """n values in [lo, hi] with exactly that min, max and (to 1e-9) mean."""
    rng = np.random.default_rng(seed)
    inner = rng.uniform(lo, hi, size=n - 2)  # [n-2]
    target = mean * n - lo - hi
    inner = inner + (target - inner.sum()) / (n - 2)
    inner = np.clip(inner, lo, hi)
    return [lo, *inner.tolist(), hi]


def recipe_result_doc(*, personas: int = 275, layers: list[int] | None = None) -> dict[str, Any]:
    ref = json.loads((REFERENCE / "issue_218_run_result.json").read_text())
    cells, per_persona = [], []
    counts = {"PASS": 0, "GREY": 0, "KILL": 0}
    by_pair: dict[str, dict[str, Any]] = {}
    for key, m in ref["cross_method_metrics"].items():
        if layers is not None and m["layer"] not in layers:
            continue
        x, y = (NAMES[r] for r in m["pair"])
        pair = f"{x} vs {y}"
        pp = m["per_persona"]
        verdict = ref["partition"][key]
        counts[verdict] += 1
        row = by_pair.setdefault(pair, {"category": m["category"], **dict.fromkeys(counts, 0)})
        row[verdict] += 1
        cells.append([pair, x, y, m["category"], m["layer"], pp["min"], pp["p5"], pp["mean"],
                      pp["max"], m["matrix_raw"]["pearson_r"], m["matrix_raw"]["spearman_r"],
                      m["matrix_mc"]["pearson_r"], None, None, verdict])  # fmt: skip
        values = persona_values(pp["min"], pp["max"], pp["mean"], personas, len(cells))
        per_persona += [[pair, m["layer"], f"p{i:03d}", v] for i, v in enumerate(values)]
    layer_set = sorted({c[4] for c in cells})
    noise = [
        [recipe, layer, 0.97 - 0.001 * layer, 0.975, 0.985, 0.93 - 0.002 * layer]
        for recipe in ["A", "B", "B*"]
        for layer in layer_set
    ]
    return {
        "schema_version": "1",
        "issue": 218,
        "title": "Six extraction recipes across 28 layers",
        "kind": "recipe-comparison",
        "provenance": provenance(),
        "verdict": "KILL",
        "metrics": {
            "n_personas": personas,
            "n_layers": len(layer_set),
            "thresholds": dict(THRESHOLDS),
            "verdict_counts": counts,
        },
        "tables": {
            "cells": {"columns": CELL_COLUMNS, "rows": cells},
            "per_persona_cos": {
                "columns": ["pair", "layer", "persona", "cos"],
                "rows": per_persona,
            },
            "noise_floor": {
                "columns": ["recipe", "layer", "cos_min", "cos_p5", "cos_mean", "mc_r"],
                "rows": noise,
            },
            "verdict_counts": {
                "columns": ["verdict", "count"],
                "rows": [[v, n] for v, n in counts.items()],
            },
            "verdict_by_pair": {
                "columns": ["pair", "category", "PASS", "GREY", "KILL"],
                "rows": [
                    [p, r["category"], r["PASS"], r["GREY"], r["KILL"]] for p, r in by_pair.items()
                ],
            },
        },
    }


def stored_matrix_doc() -> dict[str, Any]:
    """The 20-persona A-vs-B pilot as a ``stored-matrix-comparison`` result (issue 200)."""
    ref = json.loads((REFERENCE / "extraction_method_comparison_results.json").read_text())
    cols = LAYERS.names
    rows, per_persona, matrices = [], [], {}
    for key, block in ref.items():
        if not key.startswith("layer_"):
            continue
        layer = int(key.removeprefix("layer_"))
        raw, mc, st = (block["raw_matrix_comparison"], block["mean_centered_matrix_comparison"],
                       block["per_persona_cosine_stats"])  # fmt: skip
        rows.append([layer, raw["pearson_r"], raw["spearman_r"], raw["mean_abs_diff"],
                     mc["pearson_r"], mc["spearman_r"], mc["mean_abs_diff"], st["min"],
                     st["mean"], st["max"], st["std"]])  # fmt: skip
        per_persona += [["A vs B", layer, p, c] for p, c in block["per_persona_cosine"].items()]
        names = list(block["per_persona_cosine"])
        matrices[key] = {"personas": names, "matrix": block["cosine_matrix_a"]}
    return {
        "schema_version": "1",
        "issue": 200,
        "title": "A vs B on 20 personas",
        "kind": "stored-matrix-comparison",
        "provenance": provenance(),
        "metrics": {"n_personas": 20, "cosine_matrices": {"A": {"layer_20": matrices["layer_20"]}}},
        "tables": {
            "layers": {"columns": cols, "rows": rows},
            "per_persona_cos": {
                "columns": ["pair", "layer", "persona", "cos"],
                "rows": per_persona,
            },
        },
    }


def write_result(tmp_path: Path, doc: dict[str, Any], slug: str = "issue-218") -> Path:
    folder = tmp_path / "results" / slug
    folder.mkdir(parents=True)
    save(folder / "result.json", ResultFile.model_validate(doc))
    return folder


def regression_doc() -> dict[str, Any]:
    """A ``regression`` result: 30 points on y ≈ 2x with one clear outlier (m4) and one
    held-out point (m29), in the kind's table contracts."""
    doc = stored_matrix_doc()
    xs = np.linspace(0.0, 1.0, 30)
    ys = 2.0 * xs + 0.1 * np.sin(7 * xs)
    ys[4] += 1.0  # the one clear outlier
    doc["kind"] = "regression"
    doc["tables"] = {
        "ols_points": {
            "columns": OLS_POINTS.names,
            "rows": [
                [f"m{i}", float(x), float(y), i == 29] for i, (x, y) in enumerate(zip(xs, ys))
            ],
        },
        "ols_fit": {
            "columns": OLS_FIT.names,
            "rows": [[float(x), 2.0 * x, 2.0 * x - 0.3, 2.0 * x + 0.3] for x in (0.0, 0.5, 1.0)],
        },
    }
    doc["metrics"] = {"ols": {"x_title": "dose", "y_title": "response", "r2": 0.91}}
    return doc


def rsa_doc(n_personas: int) -> dict[str, Any]:
    """An ``rsa`` result with every pair of ``n_personas`` at random distances."""
    rng = np.random.default_rng(0)
    rows = []
    for a in range(n_personas):
        for b in range(a + 1, n_personas):
            dx, dy = rng.uniform(0, 1, size=2)
            rows.append([f"p{a}", f"p{b}", float(dx), float(dy), abs(float(dx - dy))])
    doc = stored_matrix_doc()
    doc["kind"] = "rsa"
    doc["metrics"] = {"rsa": {"spearman": 0.42}}
    doc["tables"] = {
        "rsa_pairs": {"columns": ["a", "b", "dist_x", "dist_y", "decoupling"], "rows": rows}
    }
    return doc


def correlations_doc() -> dict[str, Any]:
    """A ``correlations`` result: three predictors, raw and partial, in the kind's contract."""
    doc = stored_matrix_doc()
    doc["kind"] = "correlations"
    rows = []
    for i, predictor in enumerate(("js", "cos_l10", "cos_l20")):
        rho = -0.5 + 0.3 * i
        rows.append([predictor, "spearman", "", rho, 0.02, rho - 0.3, rho + 0.3, 24])
        rows.append(
            [predictor, "partial_spearman", "length", rho / 2, 0.2, rho - 0.4, rho + 0.2, 24]
        )
    doc["tables"] = {"correlations": {"columns": CORRELATIONS.names, "rows": rows}}
    doc["metrics"] = {"outcome": "misalignment", "bootstrap": {"alpha": 0.05, "resamples": 1000}}
    return doc


@cache
def vega_lite_validator() -> jsonschema.Draft7Validator:
    """altair's bundled Vega-Lite schema: validation needs no network."""
    from altair.vegalite.v6.schema.core import load_schema

    return jsonschema.Draft7Validator(load_schema())


def build_spec(doc: dict[str, Any], chart: str, **params: Any) -> dict[str, Any]:
    """The chart's spec for ``doc``, asserted valid against the Vega-Lite schema."""
    result = ResultFile.model_validate(doc)
    spec = render.to_spec(registry.CHARTS[chart](result, chart, **params))
    errors = list(vega_lite_validator().iter_errors(spec))
    assert not errors, errors[0].message
    return spec

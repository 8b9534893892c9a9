"""Correctness on the group's real data (issue #4, item 5)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import save_file

from persona_atlas.analysis import metrics, stored_matrices, sweep, verdicts
from persona_atlas.analysis.centroid_store import CENTROID_FORMAT
from persona_atlas.analysis.output import AnalysisOutput
from persona_atlas.analysis.permutation import standardise, upper_triangle
from persona_atlas.config import AnalysisConfig, PairConfig, Thresholds
from persona_atlas.kinds.stored_matrix_comparison.config import StoredMatrixConfig

REF = Path(__file__).resolve().parents[1] / "fixtures" / "reference"
PILOT = REF / "extraction_method_comparison_results.json"


@pytest.fixture(scope="module")
def pilot() -> dict:
    return json.loads(PILOT.read_text())


@pytest.fixture(scope="module")
def output() -> AnalysisOutput:
    config = StoredMatrixConfig(source=PILOT, mantel_permutations=999)
    return stored_matrices.run(config)


def test_every_stored_statistic_reproduced_from_the_matrices(pilot, output):
    layers = output.tables["layers"].records()
    assert [r["layer"] for r in layers] == [10, 15, 20, 25]
    for row in layers:
        e = pilot[f"layer_{row['layer']}"]
        raw, mc = e["raw_matrix_comparison"], e["mean_centered_matrix_comparison"]
        stats = e["per_persona_cosine_stats"]
        expected = {
            "raw_pearson": raw["pearson_r"],
            "raw_spearman": raw["spearman_r"],
            "raw_mean_abs_diff": raw["mean_abs_diff"],
            "mc_pearson": mc["pearson_r"],
            "mc_spearman": mc["spearman_r"],
            "mc_mean_abs_diff": mc["mean_abs_diff"],
            "cos_min": stats["min"],
            "cos_mean": stats["mean"],
            "cos_max": stats["max"],
            "cos_std": stats["std"],
        }
        for key, value in expected.items():
            assert row[key] == pytest.approx(value, abs=1e-6), (row["layer"], key)
    assert output.metrics["stored_check"]["agrees"] is True
    assert output.metrics["stored_check"]["n_values"] == 40


def test_design_doc_anchor_values_at_layer_20(output):
    row = next(r for r in output.tables["layers"].records() if r["layer"] == 20)
    assert row["raw_pearson"] == pytest.approx(0.9101085662841797, abs=1e-6)
    assert row["raw_spearman"] == pytest.approx(0.9337348607119895, abs=1e-6)
    assert row["mc_pearson"] == pytest.approx(0.8208991289138794, abs=1e-6)


def test_pilot_cells_and_per_persona_table(pilot, output):
    cells = output.tables["cells"].records()
    assert {c["pair"] for c in cells} == {"A vs B"}
    assert all(c["verdict"] == "KILL" for c in cells)  # cos_min ≈ 0.6-0.7 < 0.85
    per = output.tables["per_persona_cos"].records()
    assert len(per) == 4 * 20
    l20 = [r["cos"] for r in per if r["layer"] == 20]
    vec = list(pilot["layer_20"]["per_persona_cosine"].values())
    assert l20 == vec
    c20 = next(c for c in cells if c["layer"] == 20)
    assert c20["cos_p5"] == pytest.approx(np.percentile(vec, 5))
    assert c20["mc_r"] == pytest.approx(0.8208991289138794, abs=1e-6)
    assert 0 < c20["mantel_p"] <= 0.01  # strongly structured: few of 999 permutations beat it
    assert output.metrics["verdict_counts"] == {"PASS": 0, "GREY": 0, "KILL": 4}
    assert output.tables["verdict_counts"].rows == [["PASS", 0], ["GREY", 0], ["KILL", 4]]
    assert output.metrics["n_matrix_pairs"] == 190
    cats = output.metrics["verdict_by_category"]
    assert cats["load-bearing"] == {"PASS": 0, "GREY": 0, "KILL": 4, "cells": 4}
    assert cats["any_load_bearing_kill"] is True and cats["all_sanity_pass"] is False
    assert output.nulls["tables.cells.rows[0][12]"].startswith("the stored file has no")
    assert output.metrics["n_questions"] is None and "metrics.n_questions" in output.nulls


def unit_centroids(cosines: list[list[float]]) -> np.ndarray:
    """Unit vectors whose Gram matrix is the stored cosine matrix: C = V Λ Vᵀ ⇒ X = V Λ^½.

    The stored matrix is float32-rounded: symmetrise it, put exact ones on the diagonal (so
    rows are unit vectors and the off-diagonal Gram entries are the stored cosines) and clip
    rounding-size negative eigenvalues (none on the pilot: the smallest is 6.6e-4).
    """
    c = np.asarray(cosines, dtype=np.float64)
    c = (c + c.T) / 2
    np.fill_diagonal(c, 1.0)
    w, v = np.linalg.eigh(c)
    return v * np.sqrt(np.clip(w, 0.0, None))  # [N, N]: one N-dim centroid per persona


@pytest.fixture(scope="module")
def registry_cells(pilot, tmp_path_factory) -> list[dict]:
    """The recipe-comparison sweep (``CentroidView``, float32 storage) on centroids rebuilt from the
    pilot's raw cosine matrices, written as extraction outputs."""
    out = tmp_path_factory.mktemp("pilot-centroids")
    (out / "centroids").mkdir()
    keys = sorted((k for k in pilot if k.startswith("layer_")), key=lambda k: int(k[6:]))
    personas = list(pilot[keys[0]]["per_persona_cosine"])
    for recipe, name in (("A", "cosine_matrix_a"), ("B", "cosine_matrix_b")):
        x = np.stack([unit_centroids(pilot[k][name]) for k in keys], axis=1)  # [P, L, H]
        x = x.astype(np.float32)
        meta = {
            "format": CENTROID_FORMAT, "version": "1", "recipe": recipe, "model": "pilot",
            "personas": json.dumps(personas), "layers": json.dumps([int(k[6:]) for k in keys]),
        }  # fmt: skip
        tensors = {"centroid": x, "half_a": x, "half_b": x}  # halves unused here
        save_file(tensors, str(out / "centroids" / f"{recipe}.safetensors"), metadata=meta)
    config = AnalysisConfig(
        centroids=out,
        metrics=["raw_pearson", "raw_spearman"],
        pairs=[PairConfig(x="A", y="B", category="load-bearing")],
    )
    return sweep.run(config).tables["cells"].records()


def test_registry_reproduces_stored_raw_matrix_statistics(pilot, registry_cells):
    """The metric registry itself, not a re-derivation, against the stored values.

    Measured worst case over the 4 layers: raw Pearson 9.2e-8, raw Spearman 1.1e-16 (float32
    centroids, cosines finished in float64; the stored matrices are float32-rounded).
    """
    assert [c["layer"] for c in registry_cells] == [10, 15, 20, 25]
    worst = {"raw_pearson": 0.0, "raw_spearman": 0.0}
    for cell in registry_cells:
        stored = pilot[f"layer_{cell['layer']}"]["raw_matrix_comparison"]
        for column, key in (("raw_pearson", "pearson_r"), ("raw_spearman", "spearman_r")):
            assert cell[column] == pytest.approx(stored[key], abs=1e-6), (cell["layer"], column)
            worst[column] = max(worst[column], abs(cell[column] - stored[key]))
    assert worst["raw_pearson"] < 2e-7 and worst["raw_spearman"] < 1e-8  # the measured figures


def test_registry_and_stored_paths_use_one_formula(pilot):
    """``matrix_agreement`` (stored-matrix path) equals the registry's standardise-and-dot
    evaluation of the same formulas, and the cells' per-persona columns use ``cos_stats``."""
    e = pilot["layer_20"]
    for a, b in (("cosine_matrix_a", "cosine_matrix_b"),
                 ("cosine_matrix_a_mean_centered", "cosine_matrix_b_mean_centered")):  # fmt: skip
        ua, ub = upper_triangle(np.asarray(e[a])), upper_triangle(np.asarray(e[b]))
        got = metrics.matrix_agreement(ua, ub)
        for method in ("pearson", "spearman"):
            dot = metrics.correlation(standardise(ua, method), standardise(ub, method))
            assert got[method] == pytest.approx(dot, abs=1e-15)
    vec = np.array(list(e["per_persona_cosine"].values()))
    assert metrics.cos_summary(vec) == {
        "cos_min": vec.min(), "cos_p5": np.percentile(vec, 5), "cos_mean": vec.mean(),
        "cos_max": vec.max(),
    }  # fmt: skip
    assert metrics.cos_stats(vec)["cos_std"] == pytest.approx(e["per_persona_cosine_stats"]["std"])


def _partition(path: Path) -> tuple[Counter[str], dict[str, str], dict[str, str]]:
    data = json.loads(path.read_text())
    stored_th = data["thresholds"]  # their names: success_* for our pass_*
    th = Thresholds(
        pass_cos_min=stored_th["success_cos_min"],
        pass_mc_r=stored_th["success_mc_r"],
        kill_cos_min=stored_th["kill_cos_min"],
        kill_mc_r=stored_th["kill_mc_r"],
    )
    mine = {
        key: verdicts.verdict(c["per_persona"]["min"], c["matrix_mc"]["pearson_r"], th)
        for key, c in data["cross_method_metrics"].items()
    }
    return Counter(v for v in mine.values() if v), mine, data["partition"]


def test_issue_201_partition_recomputed_from_cells():
    counts, mine, stored = _partition(REF / "issue_201_run_result.json")
    assert counts == {"KILL": 60}
    assert mine == stored


def test_issue_218_partition_recomputed_from_cells():
    counts, mine, stored = _partition(REF / "issue_218_run_result.json")
    assert counts == {"KILL": 419, "GREY": 1}
    assert mine == stored
    assert [k for k, v in mine.items() if v == "GREY"] == ["a__c3__layer0"]


def test_verdict_rule_boundaries():
    th = Thresholds()
    assert verdicts.verdict(0.96, 0.91, th) == "PASS"
    assert verdicts.verdict(0.95, 0.91, th) == "GREY"  # PASS needs strictly above
    assert verdicts.verdict(0.85, 0.70, th) == "GREY"  # KILL needs strictly below
    assert verdicts.verdict(0.849, 0.99, th) == "KILL"
    assert verdicts.verdict(0.99, 0.699, th) == "KILL"
    assert verdicts.verdict(None, 0.99, th) is None


def test_undefined_values_become_explained_nulls():
    from persona_atlas.analysis.comparison import comparison_output

    cell = {
        "pair": "A vs B", "x": "A", "y": "B", "category": "other", "layer": 3,
        "cos_min": 0.9, "cos_p5": 0.91, "cos_mean": 0.95, "cos_max": 0.99,
        "raw_pearson": 0.8, "raw_spearman": 0.7, "mc_r": float("nan"),
        "spread_spearman": None, "mantel_p": 0.01,
        "verdict": verdicts.verdict(0.9, float("nan"), Thresholds()),
    }  # fmt: skip
    out = comparison_output(
        [cell],
        thresholds=Thresholds(),
        null_reasons={"spread_spearman": "none here", "verdict": "needs mc_r"},
        counts={"n_personas": 5},
    )
    row = out.tables["cells"].rows[0]
    assert row[11] is None and row[14] is None
    assert out.nulls["tables.cells.rows[0][11]"] == "undefined (a constant input series)"
    assert out.nulls["tables.cells.rows[0][14]"] == "needs mc_r"

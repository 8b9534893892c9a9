"""Every chart builds from a result fixture, validates against the Vega-Lite schema and
renders to SVG, and the numbers it draws are the result's (bad input: test_figure_bad_input)."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest
from figure_fixtures import build_spec, regression_doc, rsa_doc

from persona_atlas.figures import distributions, matrices, registry, render, scatter
from persona_atlas.schema import ResultFile

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def datasets(spec: dict[str, Any]) -> list[list[dict[str, Any]]]:
    return render.inline_data(spec)


# ------------------------------------------------------------------ every chart, every kind


@pytest.mark.parametrize("chart", ["verdict_partition", "per_persona_cos", "direction_vs_structure", "noise_floor"])  # fmt: skip
def test_recipe_charts_validate_and_render(small_recipe_doc: dict[str, Any], chart: str) -> None:
    spec = build_spec(small_recipe_doc, chart)
    svg = render.render_svg(spec).decode()
    assert svg.startswith("<svg") and "<path" in svg


def test_stored_matrix_result_gets_its_charts(stored_doc: dict[str, Any]) -> None:
    jobs = registry.jobs_for(ResultFile.model_validate(stored_doc))
    assert [j.name for j in jobs] == [
        "direction_vs_structure",
        "per_persona_cos",
        "cosine_matrix_A_layer_20",
    ]
    for job in jobs:
        spec = build_spec(stored_doc, job.chart, **job.params)
        assert "<svg" in render.render_svg(spec).decode()


def test_regression_and_rsa_charts_validate_and_render() -> None:
    for doc, chart in ((regression_doc(), "ols_scatter"), (rsa_doc(12), "rsa_scatter")):
        spec = build_spec(doc, chart)
        assert "<svg" in render.render_svg(spec).decode()


# ------------------------------------------------------------------ the numbers drawn


def test_verdict_partition_draws_the_reference_partition(recipe_doc: dict[str, Any]) -> None:
    spec = build_spec(recipe_doc, "verdict_partition")
    (cells,) = datasets(spec)
    assert len(cells) == 15 * 28
    labels = {c["label"] for c in cells}
    # #218: 419 KILL and 1 GREY, the partition the group reported.
    assert labels == {"GREY (1)", "KILL (419)"}
    svg = render.render_svg(spec).decode()
    for text in ("PASS (0)", "GREY (1)", "KILL (419)"):
        assert text in svg
    grey = [c for c in cells if c["verdict"] == "GREY"]
    assert [(c["pair"], c["layer"]) for c in grey] == [("A vs C3", 0)]


def test_verdict_colours_are_fixed(small_recipe_doc: dict[str, Any]) -> None:
    spec = build_spec(small_recipe_doc, "verdict_partition")
    scale = spec["encoding"]["color"]["scale"]
    assert scale["range"] == ["#009E73", "#BBBBBB", "#D55E00"]
    assert [d.split(" ")[0] for d in scale["domain"]] == ["PASS", "GREY", "KILL"]
    assert spec["title"]["subtitle"].endswith(
        "PASS: cos_min > 0.95 and mc_r > 0.9; KILL: cos_min < 0.85 or mc_r < 0.7"
    )


def test_summarise_quantiles_hand_computed() -> None:
    rows = [{"pair": "A vs B", "layer": 3, "persona": f"p{i}", "cos": float(i)} for i in range(21)]
    rows.append({"pair": "A vs B", "layer": 3, "persona": "gone", "cos": None})
    (s,) = distributions.summarise(rows)
    # 21 values 0..20, linear interpolation: p5 = 1.0, p25 = 5.0, median = 10.0, p95 = 19.0
    assert (s["n"], s["min"], s["p5"], s["p25"], s["median"], s["p75"], s["p95"], s["max"]) == (
        21, 0.0, 1.0, 5.0, 10.0, 15.0, 19.0, 20.0,
    )  # fmt: skip


def test_per_persona_summaries_at_218_scale(recipe_doc: dict[str, Any]) -> None:
    spec = build_spec(recipe_doc, "per_persona_cos")
    summary = [r for d in datasets(spec) for r in d if "p95" in r]
    assert len(summary) == 420 and {r["n"] for r in summary} == {275}
    ref = {(c[0], c[4]): (c[5], c[8]) for c in recipe_doc["tables"]["cells"]["rows"]}
    for r in summary:
        lo, hi = ref[(r["pair"], r["layer"])]
        assert r["min"] == pytest.approx(lo, abs=1e-6) and r["max"] == pytest.approx(hi, abs=1e-6)
    assert "115,500 rows" in spec["title"]["subtitle"]
    # Light page: summaries, not 115,500 raw rows.
    assert len(render.canonical(spec)) < 400_000


def test_per_persona_small_data_draws_every_persona(stored_doc: dict[str, Any]) -> None:
    spec = build_spec(stored_doc, "per_persona_cos")
    dots = [r for d in datasets(spec) for r in d if "persona" in r]
    assert len(dots) == 80
    assert {round(d["x_jitter"]) for d in dots} == {10, 15, 20, 25}


def test_per_persona_falls_back_to_cell_summaries(small_recipe_doc: dict[str, Any]) -> None:
    doc = copy.deepcopy(small_recipe_doc)
    del doc["tables"]["per_persona_cos"]
    doc["nulls"] = {"tables.per_persona_cos": "the legacy files kept only summaries"}
    spec = build_spec(doc, "per_persona_cos")
    summary = [r for d in datasets(spec) for r in d if "mid" in r]
    assert len(summary) == 45
    c = small_recipe_doc["tables"]["cells"]["rows"][0]
    first = next(r for r in summary if (r["pair"], r["layer"]) == (c[0], c[4]))
    assert (first["min"], first["p5"], first["mean"], first["max"]) == (c[5], c[6], c[7], c[8])
    assert "the legacy files kept only summaries" in " ".join(spec["title"]["subtitle"])


def test_direction_vs_structure_uses_layers_table(stored_doc: dict[str, Any]) -> None:
    spec = build_spec(stored_doc, "direction_vs_structure")
    rows = next(d for d in datasets(spec) if d and "mc_r" in d[0])
    by_layer = {r["layer"]: r for r in rows}
    # The pilot's layer 20 mean-centred Pearson, as stored by the group.
    assert by_layer[20]["mc_r"] == 0.8208991289138794
    assert sorted(by_layer) == [10, 15, 20, 25]


def test_threshold_bands_follow_the_result(small_recipe_doc: dict[str, Any]) -> None:
    doc = copy.deepcopy(small_recipe_doc)
    doc["metrics"]["thresholds"]["kill_mc_r"] = 0.5
    spec = build_spec(doc, "direction_vs_structure")
    zones = [r for d in datasets(spec) for r in d if "verdict" in r and "lo" in r]
    kill_edges = sorted({z["hi"] for z in zones if z["verdict"] == "KILL"})
    assert kill_edges == [0.5, 0.85]


def test_cluster_order_keeps_blocks_together() -> None:
    rng = np.random.default_rng(1)
    groups = np.array([0, 1, 0, 2, 1, 0, 2, 1, 2])
    base = np.eye(3)[groups] + 0.05 * rng.normal(size=(9, 3))  # [9, 3]
    unit = base / np.linalg.norm(base, axis=1, keepdims=True)
    order = matrices.cluster_order(unit @ unit.T)
    labels = groups[order].tolist()
    runs = [g for i, g in enumerate(labels) if i == 0 or g != labels[i - 1]]
    assert sorted(order.tolist()) == list(range(9)) and len(runs) == 3


def test_large_matrix_is_block_averaged(stored_doc: dict[str, Any]) -> None:
    n = 203
    doc = copy.deepcopy(stored_doc)
    doc["metrics"]["cosine_matrices"] = {
        "A": {"layer_3": {"personas": [f"p{i}" for i in range(n)], "matrix": np.eye(n).tolist()}}
    }
    spec = build_spec(doc, "cosine_matrix", stem="A", layer_key="layer_3")
    (cells,) = datasets(spec)
    assert len(cells) == 41 * 41  # ceil(203 / 50) = 5 personas per block
    # Identity matrix: 40 full diagonal blocks average 5/25, the last (3×3) block 3/9.
    assert sum(c["cos"] for c in cells) == pytest.approx(40 / 5 + 1 / 3, abs=1e-3)
    assert "5×5 persona pairs" in spec["title"]["subtitle"]


def test_ols_labels_the_farthest_points() -> None:
    spec = build_spec(regression_doc(), "ols_scatter")
    texts = [d for d in datasets(spec) if d and len(d) == scatter.LABEL_TOP]
    assert texts and "m4" in {r["label"] for r in texts[0]}
    assert spec["layer"][0]["encoding"]["x"]["title"] == "dose"
    assert "R² = 0.910" in spec["title"]["subtitle"]


def test_rsa_bins_large_clouds_and_labels_top_pairs() -> None:
    small = build_spec(rsa_doc(12), "rsa_scatter")
    top = min((d for d in datasets(small)), key=len)
    assert len(top) == scatter.RSA_LABEL_TOP
    decoupling = sorted((r[4] for r in rsa_doc(12)["tables"]["rsa_pairs"]["rows"]), reverse=True)
    assert sorted((r["decoupling"] for r in top), reverse=True) == decoupling[:8]
    big = build_spec(rsa_doc(90), "rsa_scatter")  # 4,005 pairs: binned
    grid = next(d for d in datasets(big) if d and "pairs" in d[0])
    assert sum(c["pairs"] for c in grid) == 90 * 89 // 2
    assert "binned in Python" in big["title"]["subtitle"]

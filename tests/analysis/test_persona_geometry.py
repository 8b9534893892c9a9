"""The headline pair's cosine matrices and RSA pairs (``persona_geometry``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import load_file
from scipy import stats as sps

from persona_atlas.analysis import persona_geometry as geo
from persona_atlas.analysis import sweep
from persona_atlas.analysis.centroid_store import CentroidStore
from persona_atlas.analysis.synthetic import write_synthetic_extraction
from persona_atlas.config import AnalysisConfig, PairConfig

LAYERS = [1, 4]


@pytest.fixture(scope="module")
def extraction(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("geometry")
    write_synthetic_extraction(
        out, recipes=["A", "B", "C1"], n_personas=8, layers=LAYERS, hidden=16, seed=3
    )
    return out


def _config(extraction: Path, **over: object) -> AnalysisConfig:
    pairs = [
        PairConfig(x="A", y="C1", category="sanity"),
        PairConfig(x="A", y="B", category="load-bearing"),
    ]
    return AnalysisConfig(centroids=extraction, pairs=pairs, mantel_permutations=9, **over)


def test_headline_pair_at_its_best_mc_r_layer(extraction: Path) -> None:
    out = sweep.run(_config(extraction))
    cells = out.tables["cells"]
    col = {c: i for i, c in enumerate(cells.columns)}
    ab = [r for r in cells.rows if r[col["pair"]] == "A vs B"]
    best = max(ab, key=lambda r: r[col["mc_r"]])[col["layer"]]
    rsa = out.metrics["rsa"]
    assert (rsa["pair"], rsa["layer"]) == ("A vs B", best)  # load-bearing beats the first pair

    # the matrices are the raw cosines of the stored centroids
    li = LAYERS.index(best)
    for stem in ("A", "B"):
        c = load_file(str(extraction / "centroids" / f"{stem}.safetensors"))["centroid"][:, li]
        u = c / np.linalg.norm(c, axis=1, keepdims=True)
        got = np.array(out.metrics["cosine_matrices"][stem][f"layer_{best}"]["matrix"])
        np.testing.assert_allclose(got, u @ u.T, atol=2e-6)

    # one row per persona pair; distances are 1 − mean-centred cosine; Spearman of the two
    rows = out.tables["rsa_pairs"].rows
    assert len(rows) == 8 * 7 // 2 == rsa["n_pairs"]
    dx = np.array([r[2] for r in rows])
    dy = np.array([r[3] for r in rows])
    assert rsa["spearman"] == pytest.approx(sps.spearmanr(dx, dy)[0], abs=1e-5)
    assert all(0 <= r[4] < 1 for r in rows)


def test_identical_recipes_are_never_decoupled(extraction: Path) -> None:
    store = CentroidStore(extraction, recipes=["A", "B"])
    cells = [{"x": "A", "y": "A", "layer": 4, "mc_r": 1.0}]
    out = geo.headline_geometry(store, [PairConfig(x="A", y="A")], cells)
    assert out.metrics["rsa"]["spearman"] == pytest.approx(1.0)
    assert {r[4] for r in out.tables["rsa_pairs"].rows} == {0.0}


def test_too_many_personas_or_no_mc_r_leave_explained_nulls(
    extraction: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = CentroidStore(extraction, recipes=["A", "B"])
    pair = [PairConfig(x="A", y="B")]
    cells = [
        {"x": "A", "y": "B", "layer": 1, "mc_r": None},
        {"x": "A", "y": "B", "layer": 4, "mc_r": float("nan")},
    ]
    undefined = geo.headline_geometry(store, pair, cells)
    assert not undefined.metrics and not undefined.tables
    for path in ("metrics.rsa", "metrics.cosine_matrices", "tables.rsa_pairs"):
        assert "undefined at every layer" in undefined.nulls[path]
    monkeypatch.setattr(geo, "MAX_PERSONAS", 5)
    big = geo.headline_geometry(store, pair, [{"x": "A", "y": "B", "layer": 1, "mc_r": 0.5}])
    assert not big.tables and "8 personas" in big.nulls["metrics.cosine_matrices"]

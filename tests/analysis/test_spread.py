"""Per-question persona spread: empty responses left out, too few answers explained."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import load_file, save_file
from scipy import stats as sps

from persona_atlas.analysis import sweep
from persona_atlas.analysis.centroid_store import map_tensors
from persona_atlas.analysis.spread import question_spread
from persona_atlas.analysis.synthetic import write_synthetic_extraction
from persona_atlas.config import AnalysisConfig

PERSONAS = [f"persona_{i:03d}" for i in range(7)]
LAYERS = [2, 6]


@pytest.fixture
def run(tmp_path: Path) -> Path:
    write_synthetic_extraction(
        tmp_path, recipes=["A", "B"], n_personas=7, layers=LAYERS, hidden=16, seed=3,
        n_questions=6, per_question_recipes=["A", "B"],
    )  # fmt: skip
    return tmp_path


def set_valid(path: Path, valid: np.ndarray, garbage: float = 0.0) -> None:
    """Rewrite the valid mask; excluded slots get ``garbage`` (the contract says zeros)."""
    views, meta = map_tensors(path)
    vectors = np.array(views["vectors"])
    vectors[~valid.astype(bool)] = garbage
    save_file({"vectors": vectors, "valid": valid.astype(np.uint8)}, str(path), metadata=meta)


def brute_spread(path: Path, layer_idx: int) -> np.ndarray:
    """mean_p |u_p − m|² over the answering personas of each question, in float64."""
    t = load_file(str(path))
    out = []
    for q in range(t["valid"].shape[1]):
        rows = np.flatnonzero(t["valid"][:, q])
        if rows.size < 2:
            out.append(np.nan)
            continue
        u = t["vectors"][rows, q, layer_idx].astype(np.float64)  # [n, H]
        u /= np.linalg.norm(u, axis=1, keepdims=True)
        out.append(float(np.mean(np.sum((u - u.mean(axis=0)) ** 2, axis=1))))
    return np.array(out)


def test_empty_response_is_left_out_of_the_spread(run):
    path = run / "per_question" / "A.safetensors"
    before = question_spread(path, "A", PERSONAS).spread  # [Q, L]
    valid = np.ones((7, 6), dtype=np.uint8)
    valid[2, 1] = 0  # persona 2's answer to question 1 was empty
    set_valid(path, valid, garbage=np.nan)  # whatever is stored there must not matter
    got = question_spread(path, "A", PERSONAS)
    assert np.all(np.isfinite(got.spread))
    for li in range(len(LAYERS)):
        np.testing.assert_allclose(got.spread[:, li], brute_spread(path, li), atol=1e-6)
    assert abs(got.spread[1, 0] - before[1, 0]) > 1e-4  # question 1 changed...
    np.testing.assert_array_equal(np.delete(got.spread, 1, 0), np.delete(before, 1, 0))  # only


def test_fewer_than_two_answering_personas_give_nan(run):
    path = run / "per_question" / "B.safetensors"
    valid = np.ones((7, 6), dtype=np.uint8)
    valid[1:, 0] = 0  # question 0: only persona 0 answered
    valid[:, 3] = 0  # question 3: nobody did
    set_valid(path, valid)
    got = question_spread(path, "B", PERSONAS)
    assert np.isnan(got.spread[[0, 3]]).all()
    assert np.isfinite(np.delete(got.spread, [0, 3], 0)).all()
    np.testing.assert_allclose(got.spread[:, 1], brute_spread(path, 1), atol=1e-6)


def test_spread_spearman_uses_questions_both_recipes_can_rate(run):
    valid = np.ones((7, 6), dtype=np.uint8)
    valid[1:, 4] = 0  # question 4 answered by one persona in A only
    set_valid(run / "per_question" / "A.safetensors", valid)
    out = sweep.run(AnalysisConfig(centroids=run, metrics=["spread_spearman"]))
    cell = out.tables["cells"].records()[1]  # A vs B at layer 6
    a = brute_spread(run / "per_question" / "A.safetensors", 1)
    b = brute_spread(run / "per_question" / "B.safetensors", 1)
    keep = [0, 1, 2, 3, 5]
    assert cell["layer"] == 6
    assert cell["spread_spearman"] == pytest.approx(sps.spearmanr(a[keep], b[keep])[0], abs=1e-9)


def test_too_few_rated_questions_make_a_null_with_its_reason(run):
    valid = np.ones((7, 6), dtype=np.uint8)
    valid[1:, :4] = 0  # questions 0-3: one answering persona; 2 questions remain
    set_valid(run / "per_question" / "B.safetensors", valid)
    out = sweep.run(AnalysisConfig(centroids=run, metrics=["spread_spearman"]))
    cells = out.tables["cells"].records()
    assert [c["spread_spearman"] for c in cells] == [None, None]
    column = out.tables["cells"].columns.index("spread_spearman")
    for i in range(2):
        assert out.nulls[f"tables.cells.rows[{i}][{column}]"] == (
            "fewer than 3 questions answered by at least two personas"
        )

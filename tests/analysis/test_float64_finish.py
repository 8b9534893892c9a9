"""Stored statistics are finished in float64, so rounding (and the BLAS kernel) cannot move
them: the ill-conditioned paths checked against float64 references on inputs built to be
ill-conditioned, and the float32 Mantel null whose close calls are settled in float64."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from safetensors.numpy import load_file, save_file
from scipy import stats as sps

from persona_atlas.analysis import metrics as m
from persona_atlas.analysis.centroid_store import map_tensors
from persona_atlas.analysis.permutation import (
    PermutationPlan,
    float32_dot_error,
    permutation_p,
    standardise,
    tie_tolerance,
)
from persona_atlas.analysis.spread import question_spread
from persona_atlas.analysis.synthetic import write_synthetic_extraction

PERSONAS = [f"p{i}" for i in range(24)]


def near_identical_centroids(seed: int, spread: float = 0.05) -> np.ndarray:
    """float32 centroids sharing a large mean: raw cosines all ≈ 0.999, differing in the 4th
    digit, so their Pearson is ill-conditioned in the cosines' rounding."""
    rng = np.random.default_rng(seed)
    common = 3.0 + rng.standard_normal(576)
    return (common + spread * rng.standard_normal((24, 576))).astype(np.float32)


def reference(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Raw and mean-centred cosine matrices of float32 data, in float64 throughout."""
    x64 = x.astype(np.float64)
    out = []
    for v in (x64, x64 - x64.mean(axis=0)):
        u = v / np.linalg.norm(v, axis=1, keepdims=True)
        out.append(u @ u.T)
    return out[0], out[1]


def test_raw_pearson_of_near_identical_cosines_is_float64_exact() -> None:
    x, y = near_identical_centroids(1), near_identical_centroids(2)
    vx, vy = m.CentroidView(x, "x", PERSONAS), m.CentroidView(y, "y", PERSONAS)
    (rx, mx), (ry, my) = reference(x), reference(y)
    iu = np.triu_indices(24, k=1)
    assert rx[iu].std() < 1e-3  # the ill-conditioned case this test is about
    raw = sps.pearsonr(rx[iu], ry[iu])[0]
    mc = sps.pearsonr(mx[iu], my[iu])[0]
    # a float32 Gram matrix is off by ~1e-4 here (0.4758 → 0.4756 on the #7 result)
    assert abs(m.correlation(vx.raw_z, vy.raw_z) - raw) < 1e-11
    assert abs(m.correlation(vx.mc_z, vy.mc_z) - mc) < 1e-11
    np.testing.assert_allclose(vx.cos_raw, rx, rtol=0, atol=1e-14)
    per = np.sum(x.astype(np.float64) * y, axis=1)
    per /= np.linalg.norm(x.astype(np.float64), axis=1) * np.linalg.norm(
        y.astype(np.float64), axis=1
    )
    np.testing.assert_allclose(m.per_persona_cos(vx, vy), per, rtol=0, atol=1e-13)


def test_float32_dot_error_bounds_the_fast_null() -> None:
    rng = np.random.default_rng(0)
    n = 37_675  # persona pairs at 275 personas
    a, b = (standardise(rng.standard_normal(n)) for _ in range(2))
    exact = float(a @ b)
    fast = float(a.astype(np.float32) @ b.astype(np.float32))
    bound = float32_dot_error(n)
    assert abs(fast - exact) <= bound < 3e-3
    assert float32_dot_error(2**23) == float("inf")


def test_p_value_settles_close_calls_in_float64() -> None:
    plan = PermutationPlan(30, 500, seed=4)
    rng = np.random.default_rng(5)
    fixed, moving = (standardise(rng.standard_normal(435)) for _ in range(2))
    exact = plan.null(moving[:, None], fixed[:, None])[:, 0, 0]  # float64
    observed = float(np.sort(exact)[-25])  # 25 permuted values tie or beat it
    threshold = observed - float(tie_tolerance(observed))
    error = 1e-3
    # a null rounded as badly as ``error`` allows, each value pushed across the threshold
    approx = exact + np.where(exact >= threshold, -0.9, 0.9) * error
    truth = permutation_p(observed, exact)
    assert permutation_p(observed, approx) != truth  # the naive count is wrong
    assert plan.p_value(observed, approx, moving, fixed, error) == truth
    assert plan.p_value(observed, exact, moving, fixed, 0.0) == truth


def test_spread_of_agreeing_personas_is_float64_exact(tmp_path: Path) -> None:
    write_synthetic_extraction(
        tmp_path, recipes=["A"], n_personas=24, layers=[3], hidden=576, seed=2,
        n_questions=5, per_question_recipes=["A"],
    )  # fmt: skip
    path = tmp_path / "per_question" / "A.safetensors"
    views, meta = map_tensors(path)
    rng = np.random.default_rng(3)
    shape = np.asarray(views["vectors"]).shape  # [P, Q, L, H]
    common = 2.0 + rng.standard_normal(shape[1:])
    vectors = (common + 0.02 * rng.standard_normal(shape)).astype(np.float32)
    save_file({"vectors": vectors, "valid": np.ones(shape[:2], np.uint8)}, str(path), metadata=meta)
    got = question_spread(path, "A", [f"persona_{i:03d}" for i in range(24)]).spread[:, 0]
    u = load_file(str(path))["vectors"][:, :, 0].astype(np.float64)  # [P, Q, H]
    u /= np.linalg.norm(u, axis=2, keepdims=True)
    want = np.mean(np.sum((u - u.mean(axis=0)) ** 2, axis=2), axis=0)  # [Q]
    assert want.max() < 1e-3  # agreeing personas: 1 − |m|² cancels
    np.testing.assert_allclose(got, want, rtol=1e-9)

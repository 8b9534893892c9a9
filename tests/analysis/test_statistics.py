"""The public statistics API against hand-computed values and brute force."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import stats as sps
from scipy.spatial.distance import jensenshannon

import persona_atlas.analysis as pa
from persona_atlas.analysis.permutation import (
    PermutationPlan,
    draw_permutations,
    permutation_p,
    single_mantel_null,
    standardise,
    upper_triangle,
)
from persona_atlas.analysis.statistics import mantel, wilson_interval


def cosine_matrix(c: np.ndarray) -> np.ndarray:
    u = c / np.linalg.norm(c, axis=1, keepdims=True)
    return u @ u.T


def random_centroids(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    # a shared offset plus persona-specific scale: cosine matrices with strong row effects
    return 1.0 + np.exp(rng.normal(size=(n, 1))) * rng.normal(size=(n, d))


def test_public_names_exported():
    for name in (
        "mantel",
        "partial_spearman",
        "jackknife",
        "cluster_collapsed_rsa",
        "js_divergence",
        "ols_prediction_interval",
        "loo_pi_coverage",
        "cooks_distance",
        "vif",
        "wilson_interval",
        "correlation",
        "ols_fit",
        "loo_new_points_inside",
    ):
        assert callable(getattr(pa, name)) and name in pa.__all__
        assert getattr(pa, name).__doc__


# ----------------------------------------------------------------------------- Mantel


def test_mantel_r_is_pearson_of_upper_triangles():
    x = np.array([[0, 1, 2, 3], [1, 0, 4, 5], [2, 4, 0, 6], [3, 5, 6, 0]], float)
    y = np.array([[0, 2, 1, 4], [2, 0, 3, 7], [1, 3, 0, 5], [4, 7, 5, 0]], float)
    # upper triangles: x = 1..6, y = 2,1,4,3,7,5 -> Pearson by hand:
    # dx = -2.5..2.5, dy = -1.667,-2.667,0.333,-0.667,3.333,1.333; sum dx*dy = 16, Sxx = 17.5,
    # Syy = 23.333 -> r = 16 / sqrt(17.5 * 23.333) = 0.791794...
    res = pa.mantel(x, y, permutations=99)
    assert res.r == pytest.approx(16 / math.sqrt(17.5 * 70 / 3), abs=1e-12)
    s = pa.mantel(x, y, permutations=99, method="spearman")
    assert s.r == pytest.approx(sps.spearmanr(upper_triangle(x), upper_triangle(y))[0], abs=1e-12)


def test_mantel_p_matches_loop_over_the_same_permutations():
    rng = np.random.default_rng(3)
    x = cosine_matrix(rng.normal(size=(9, 4)))
    y = cosine_matrix(rng.normal(size=(9, 4)))
    res = pa.mantel(x, y, permutations=199, seed=11)
    perms = draw_permutations(9, 199, 11)
    ux = upper_triangle(x)
    null = np.array([np.corrcoef(ux, upper_triangle(y[p][:, p]))[0, 1] for p in perms])
    np.testing.assert_allclose(res.null, null, atol=1e-12)
    b = int(np.sum(null >= res.r - 1e-12))
    assert res.p == pytest.approx((b + 1) / 200)


@pytest.mark.parametrize(
    ("n", "method", "strata", "same"),
    [(40, "pearson", None, False), (25, "spearman", None, False),
     (30, "pearson", np.arange(30) % 3, False), (12, "pearson", None, True)],
)  # fmt: skip
def test_fast_single_null_gives_the_batched_null_and_its_p(n, method, strata, same):
    """The full-matrix null (r_π = ½⟨X, Y[π][:, π]⟩) equals the condensed gather of the
    permutation plan up to float64 rounding, and the p-value is the one the plan's float64
    null gives: identical matrices make every null value a tie candidate."""
    rng = np.random.default_rng(n)
    x = cosine_matrix(rng.normal(size=(n, 5)))
    y = x if same else cosine_matrix(rng.normal(size=(n, 5)) + 0.5 * rng.normal(size=(n, 5)))
    xz, yz = standardise(upper_triangle(x), method), standardise(upper_triangle(y), method)
    plan = PermutationPlan(n, 400, seed=5, strata=strata)
    batched = plan.null(yz[:, None], xz[:, None])[:, 0, 0]
    fast = single_mantel_null(xz, yz, plan.perms)
    np.testing.assert_allclose(fast, batched, rtol=0, atol=1e-13)
    res = mantel(x, y, permutations=400, method=method, seed=5, strata=strata)
    assert res.p == permutation_p(float(xz @ yz), batched)
    np.testing.assert_array_equal(res.null, fast)


def test_mantel_exact_null_over_all_permutations_of_four():
    x = np.array([[0, 1, 2, 3], [1, 0, 4, 5], [2, 4, 0, 6], [3, 5, 6, 0]], float)
    ux = upper_triangle(x)
    null = [np.corrcoef(ux, upper_triangle(x[list(p)][:, list(p)]))[0, 1] for p in
            itertools.permutations(range(4))]  # fmt: skip
    # x against itself: only permutations that map x onto itself reach r = 1 (the identity)
    assert sum(r >= 1 - 1e-12 for r in null) == 1
    res = pa.mantel(x, x, permutations=2000, seed=0)
    assert res.r == pytest.approx(1.0)
    assert 1 / 24 - 0.02 < res.p < 1 / 24 + 0.02  # ≈ share of permutations reaching r = 1


def test_mantel_is_seeded_and_one_sided():
    rng = np.random.default_rng(5)
    x = cosine_matrix(rng.normal(size=(10, 3)))
    a = pa.mantel(x, x, permutations=99, seed=1)
    b = pa.mantel(x, x, permutations=99, seed=1)
    assert a.p == b.p == pytest.approx(1 / 100)
    anti = pa.mantel(x, -x, permutations=99, seed=1)
    assert anti.r == pytest.approx(-1.0) and anti.p == pytest.approx(1.0)


def test_stratified_permutations_stay_within_strata():
    strata = np.array([0, 0, 1, 1, 1, 2])
    perms = draw_permutations(6, 500, 4, strata)
    assert np.all(strata[perms] == strata)
    assert len({tuple(p) for p in perms}) == 2 * 6  # 2! * 3! * 1! arrangements, all reached
    rng = np.random.default_rng(0)
    x = cosine_matrix(rng.normal(size=(6, 3)))
    y = cosine_matrix(rng.normal(size=(6, 3)))
    res = pa.mantel(x, y, permutations=50, strata=np.arange(6))  # singleton strata: no moves
    np.testing.assert_allclose(res.null, res.r)
    assert res.p == 1.0


def test_stratified_mantel_p_matches_exact_enumeration():
    """Two strata of 3: all 3!·3! = 36 within-stratum permutations give the exact p."""
    rng = np.random.default_rng(1)
    x = cosine_matrix(rng.normal(size=(6, 3)))
    y = cosine_matrix(rng.normal(size=(6, 3)))
    ux = upper_triangle(x)
    r = np.corrcoef(ux, upper_triangle(y))[0, 1]

    def permuted_r(perm: tuple[int, ...]) -> float:
        p = list(perm)
        return float(np.corrcoef(ux, upper_triangle(y[p][:, p]))[0, 1])

    within = [
        (*a, *(3 + i for i in b))
        for a in itertools.permutations(range(3))
        for b in itertools.permutations(range(3))
    ]
    assert len(set(within)) == 36
    exact = sum(permuted_r(p) >= r - 1e-9 for p in within) / 36  # identity included
    assert exact == pytest.approx(14 / 36)
    unrestricted = sum(permuted_r(p) >= r - 1e-9 for p in itertools.permutations(range(6))) / 720
    assert unrestricted == pytest.approx(152 / 720)  # 0.211: the strata matter here

    b = 20_000
    res = pa.mantel(x, y, permutations=b, seed=1, strata=[0, 0, 0, 1, 1, 1])
    assert res.r == pytest.approx(r, abs=1e-12)
    mc_error = math.sqrt(exact * (1 - exact) / b)  # 0.0034
    assert abs(res.p - exact) < 4 * mc_error + 1 / b
    assert abs(res.p - unrestricted) > 20 * mc_error


def test_mantel_bad_input():
    with pytest.raises(ValueError, match="same shape"):
        pa.mantel(np.eye(3), np.eye(4))
    with pytest.raises(ValueError, match="NaN"):
        pa.mantel(np.full((3, 3), np.nan), np.eye(3))
    with pytest.raises(ValueError, match="constant"):
        pa.mantel(np.ones((4, 4)), np.eye(4))


def test_mantel_calibration_and_condensed_permutation_is_not():
    """Null: independent random centroids. Mantel rejects ~5%; shuffling entries does not."""
    rng = np.random.default_rng(2)
    n, d, permutations, sims = 12, 8, 199, 1000
    mantel_rejects = naive_rejects = 0
    for s in range(sims):
        x = cosine_matrix(random_centroids(rng, n, d))
        y = cosine_matrix(random_centroids(rng, n, d))
        res = pa.mantel(x, y, permutations=permutations, seed=s)
        mantel_rejects += res.p <= 0.05
        # the tempting shortcut: permute the 66 condensed entries as if independent
        xz, yz = standardise(upper_triangle(x)), standardise(upper_triangle(y))
        shuffled = np.argsort(rng.random((permutations, xz.size)), axis=1)
        naive_rejects += permutation_p(res.r, yz[shuffled] @ xz) <= 0.05
    assert 0.03 <= mantel_rejects / sims <= 0.07
    assert naive_rejects / sims > 0.10  # anti-conservative: row effects are ignored


def test_permutation_plan_cache_reuses_identical_chunks():
    plan = PermutationPlan(7, 300, seed=2, chunk=64, cache=True)
    first = [c.copy() for c in plan.index_chunks()]
    second = list(plan.index_chunks())
    assert len(first) == 5 and all(np.array_equal(a, b) for a, b in zip(first, second))


# ----------------------------------------------------------------------------- partial Spearman


def test_partial_spearman_matches_first_order_formula():
    rng = np.random.default_rng(7)
    z = rng.normal(size=40)
    x = z + rng.normal(size=40)
    y = z + rng.normal(size=40)
    rx, ry, rz = (sps.rankdata(v) for v in (x, y, z))
    r_xy, r_xz, r_yz = (np.corrcoef(a, b)[0, 1] for a, b in ((rx, ry), (rx, rz), (ry, rz)))
    expected = (r_xy - r_xz * r_yz) / math.sqrt((1 - r_xz**2) * (1 - r_yz**2))
    res = pa.partial_spearman(x, y, z)
    assert res.r == pytest.approx(expected, abs=1e-12)
    assert res.df == 37
    t = expected * math.sqrt(37 / (1 - expected**2))
    assert res.p == pytest.approx(2 * sps.t.sf(abs(t), 37), rel=1e-10)


def test_partial_spearman_two_covariates_matches_precision_matrix_formula():
    """r_xy·z1z2 = −P_xy / sqrt(P_xx P_yy), P the inverse of the rank correlation matrix."""
    rng = np.random.default_rng(8)
    z = rng.normal(size=(30, 2))
    x = z @ [1.0, 0.5] + rng.normal(size=30)
    y = z @ [-0.3, 1.0] + rng.normal(size=30) + 0.4 * x
    ranks = np.column_stack([sps.rankdata(v) for v in (x, y, z[:, 0], z[:, 1])])
    prec = np.linalg.inv(np.corrcoef(ranks, rowvar=False))
    expected = -prec[0, 1] / math.sqrt(prec[0, 0] * prec[1, 1])
    res = pa.partial_spearman(x, y, z)
    assert res.r == pytest.approx(expected, abs=1e-12)
    assert res.n == 30 and res.df == 26  # n − 2 − k
    t = expected * math.sqrt(26 / (1 - expected**2))
    assert res.p == pytest.approx(2 * sps.t.sf(abs(t), 26), rel=1e-10)
    # controlling for the covariates changes the answer (the plain Spearman differs)
    assert abs(res.r - sps.spearmanr(x, y)[0]) > 0.05


def test_partial_spearman_needs_enough_rows():
    with pytest.raises(ValueError, match="too few"):
        pa.partial_spearman([1, 2, 3], [3, 1, 2], [1, 1, 2])


# ----------------------------------------------------------------------------- jackknife


def test_jackknife_of_the_mean_has_textbook_se_and_no_bias():
    data = np.array([2.0, 4.0, 4.0, 5.0, 9.0])
    res = pa.jackknife(lambda keep: float(data[keep].mean()), data.size)
    assert res.estimate == pytest.approx(4.8)
    # leave-one-out means: (22/4, 20/4, 20/4, 19/4, 15/4)
    np.testing.assert_allclose(res.replicates, [5.5, 5.0, 5.0, 4.75, 3.75])
    assert res.se == pytest.approx(data.std(ddof=1) / math.sqrt(5))
    assert res.bias == pytest.approx(0.0, abs=1e-12)
    assert res.most_influential == 4 and res.min == 3.75 and res.max == 5.5


# ----------------------------------------------------------------------------- cluster RSA


def test_collapse_by_cluster_hand_example():
    m = np.array([[0, 1, 2, 3], [1, 0, 4, 5], [2, 4, 0, 6], [3, 5, 6, 0]], float)
    means, names = pa.statistics.collapse_by_cluster(m, ["a", "a", "b", "b"])
    assert names == ["a", "b"]
    # within a: only (0,1) = 1; within b: (2,3) = 6; between: (2 + 3 + 4 + 5) / 4 = 3.5
    np.testing.assert_allclose(means, [[1.0, 3.5], [3.5, 6.0]])


def test_cluster_collapsed_rsa_with_singletons_is_plain_rsa():
    rng = np.random.default_rng(1)
    x = cosine_matrix(rng.normal(size=(8, 3)))
    y = cosine_matrix(rng.normal(size=(8, 3)))
    res = pa.cluster_collapsed_rsa(x, y, np.arange(8), permutations=99)
    assert res.r == pytest.approx(sps.spearmanr(upper_triangle(x), upper_triangle(y))[0])
    with pytest.raises(ValueError, match="at least 3 clusters"):
        pa.cluster_collapsed_rsa(x, y, [0, 0, 0, 0, 1, 1, 1, 1])


def test_cluster_collapsed_rsa_with_real_clusters_by_hand():
    """Clusters of 3, 2, 2 and 1 items: block means computed loop by loop, then Spearman of
    the 6 between-cluster means by the d² formula, and p by enumerating all 4! relabellings."""
    rng = np.random.default_rng(5)
    labels = ["a", "a", "a", "b", "b", "c", "c", "d"]
    c = rng.normal(size=(8, 3))
    x, y = cosine_matrix(c), cosine_matrix(c + 0.7 * rng.normal(size=(8, 3)))  # related
    names = ["a", "b", "c", "d"]

    def block_mean(m: np.ndarray, u: str, v: str) -> float:
        vals = [m[i, j] for i in range(8) for j in range(8)
                if i != j and labels[i] == u and labels[j] == v]  # fmt: skip
        return sum(vals) / len(vals)

    pairs = list(itertools.combinations(names, 2))  # (a,b) (a,c) (a,d) (b,c) (b,d) (c,d)
    bx = [block_mean(x, u, v) for u, v in pairs]
    by = [block_mean(y, u, v) for u, v in pairs]
    rank_x, rank_y = sps.rankdata(bx), sps.rankdata(by)  # no ties among 6 random means
    d2 = float(np.sum((rank_x - rank_y) ** 2))
    rho = 1 - 6 * d2 / (6 * (6**2 - 1))
    res = pa.cluster_collapsed_rsa(x, y, labels, permutations=20_000, seed=2)
    assert res.r == pytest.approx(rho, abs=1e-12)

    cx = np.zeros((4, 4))
    cy = np.zeros((4, 4))
    for (u, v), mx, my in zip(pairs, bx, by):
        i, j = names.index(u), names.index(v)
        cx[i, j] = cx[j, i] = mx
        cy[i, j] = cy[j, i] = my
    null = []
    for perm in itertools.permutations(range(4)):
        p = list(perm)
        null.append(sps.spearmanr(upper_triangle(cx), upper_triangle(cy[p][:, p]))[0])
    exact = sum(r >= rho - 1e-9 for r in null) / 24
    assert rho == pytest.approx(23 / 35) and exact == pytest.approx(3 / 24)  # ρ 0.657, p 0.125
    assert abs(res.p - exact) < 4 * math.sqrt(exact * (1 - exact) / 20_000) + 1e-4


# ----------------------------------------------------------------------------- JS divergence


def test_js_divergence_hand_values():
    with np.errstate(divide="ignore"):
        lp = np.log(np.array([[1.0, 0.0], [0.5, 0.5], [1.0, 0.0]]))
        lq = np.log(np.array([[0.0, 1.0], [0.5, 0.5], [0.5, 0.5]]))
    js = pa.js_divergence(lp, lq)
    # disjoint supports -> ln 2; identical -> 0;
    # [1,0] vs [.5,.5]: M = [.75,.25]; (ln(4/3) + .5 ln(2/3) + .5 ln 2) / 2
    third = 0.5 * (math.log(4 / 3) + 0.5 * math.log(2 / 3) + 0.5 * math.log(2))
    np.testing.assert_allclose(js, [math.log(2), 0.0, third], atol=1e-15)
    p, q = np.array([0.2, 0.3, 0.5]), np.array([0.6, 0.1, 0.3])
    assert pa.js_divergence(np.log(p), np.log(q)) == pytest.approx(jensenshannon(p, q) ** 2)


def test_js_divergence_refuses_inputs_that_are_not_log_probabilities():
    p, q = np.array([0.2, 0.3, 0.5]), np.array([0.6, 0.1, 0.3])
    with pytest.raises(ValueError, match=r"logp: exp does not sum to 1 along axis -1"):
        pa.js_divergence(np.log(p * 2), np.log(q))  # once silently clipped to a number
    with pytest.raises(ValueError, match=r"logq: .*off by 0\.5 at distribution \(1,\)"):
        pa.js_divergence(np.log([p, p]), np.log([q, q / 2]))
    with pytest.raises(ValueError, match="NaN or \\+inf"):
        pa.js_divergence(np.log(p), np.array([np.nan, 0.0, 0.0]))
    with pytest.raises(ValueError, match="NaN or \\+inf"):
        pa.js_divergence(np.array([np.inf, 0.0, 0.0]), np.log(q))
    with pytest.raises(ValueError, match="along axis 0"):
        pa.js_divergence(np.log([p, q]), np.log([q, p]), axis=0)  # rows are the distributions
    # axis is honoured; near-normalised inputs (float32 log-softmax) pass
    both = pa.js_divergence(np.log([p, q]).T, np.log([q, p]).T, axis=0)
    np.testing.assert_allclose(both, jensenshannon(p, q) ** 2, rtol=1e-12)
    logits = np.random.default_rng(0).normal(size=50_000).astype(np.float32) * 3
    lp32 = logits - np.log(np.sum(np.exp(logits.astype(np.float64)))).astype(np.float32)
    assert 0.0 <= pa.js_divergence(lp32, np.log(np.full(50_000, 1 / 50_000))) <= math.log(2)
    assert pa.js_divergence(np.log(p * (1 + 5e-5)), np.log(p)) == pytest.approx(0, abs=1e-8)
    with pytest.raises(ValueError, match="tolerance 1e-06"):
        pa.js_divergence(np.log(p * (1 + 5e-5)), np.log(p), tol=1e-6)


# ----------------------------------------------------------------------------- Wilson


def test_wilson_interval_closed_form():
    z = sps.norm.ppf(0.975)
    lo, hi = pa.wilson_interval(0, 10)
    assert lo == 0.0 and hi == pytest.approx(z**2 / (10 + z**2))
    k, n = 7, 20
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    assert pa.wilson_interval(k, n) == pytest.approx((centre - half, centre + half))
    with pytest.raises(ValueError, match="0 <= k <= n"):
        pa.wilson_interval(3, 2)
    assert wilson_interval(k, n, z=z) == pytest.approx((centre - half, centre + half), abs=1e-15)
    z = 1.96  # the rounded critical value the group's scripts use
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    assert wilson_interval(k, n, z=1.96) == pytest.approx((centre - half, centre + half), abs=1e-15)
    assert wilson_interval(0, 10, z=1.96)[0] == 0.0
    assert wilson_interval(10, 10, z=1.96)[1] == 1.0

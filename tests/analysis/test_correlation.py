"""``correlation(x, y, method=...)``: r and p from scipy, Fisher z intervals by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from persona_atlas.analysis.correlation import correlation
from persona_atlas.analysis.statistics import partial_spearman

Z975 = 1.959963984540054  # Φ⁻¹(0.975)


@pytest.fixture(scope="module")
def xy() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    x = rng.standard_normal(20)
    return x, 0.6 * x + rng.standard_normal(20)


def fisher(r: float, se: float, z: float = Z975) -> tuple[float, float]:
    return math.tanh(math.atanh(r) - z * se), math.tanh(math.atanh(r) + z * se)


def test_pearson_interval_is_fisher_z(xy):
    x, y = xy
    got = correlation(x, y)
    r, p = sps.pearsonr(x, y)
    assert (got.r, got.p, got.n) == (pytest.approx(r), pytest.approx(p), 20)
    assert (got.ci_low, got.ci_high) == pytest.approx(fisher(r, 1 / math.sqrt(17)), abs=1e-12)
    wide = correlation(x, y, alpha=0.01)
    assert wide.ci_low < got.ci_low and wide.ci_high > got.ci_high


def test_spearman_interval_uses_bonett_wright_se(xy):
    x, y = xy
    got = correlation(x, y, method="spearman")
    rho, p = sps.spearmanr(x, y)
    se = math.sqrt((1 + rho * rho / 2) / 17)
    assert (got.r, got.p) == pytest.approx((rho, p), abs=1e-15)
    assert (got.ci_low, got.ci_high) == pytest.approx(fisher(rho, se), abs=1e-12)
    assert "Bonett" in got.ci_method


def test_kendall_interval_uses_fieller_se(xy):
    x, y = xy
    got = correlation(x, y, method="kendall")
    tau, p = sps.kendalltau(x, y)
    assert (got.r, got.p) == pytest.approx((tau, p), abs=1e-15)
    assert (got.ci_low, got.ci_high) == pytest.approx(fisher(tau, math.sqrt(0.437 / 16)), abs=1e-12)  # fmt: skip


def test_hand_values_small_example():
    # r = 0.5 at n = 12: atanh 0.5 = 0.549306, se = 1/3, 1.959964/3 = 0.653321
    # → (tanh(−0.104015), tanh(1.202627)) = (−0.103642, 0.834454)
    x = np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], dtype=float)
    assert fisher(0.5, 1 / 3) == pytest.approx((-0.103642, 0.834454), abs=1e-6)
    y = np.array([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8], dtype=float)
    got = correlation(x, y)
    assert (got.ci_low, got.ci_high) == pytest.approx(fisher(got.r, 1 / 3), abs=1e-12)
    perfect = correlation(x, 2 * x + 1, method="spearman")
    assert (perfect.r, perfect.ci_low, perfect.ci_high) == (1.0, 1.0, 1.0)


@pytest.mark.parametrize(
    ("x", "y", "method", "message"),
    [
        ([1, 2, 3, 4], [1, 2, 3, 5], "pearsonish", "method must be one of"),
        ([1, 2, 3], [1, 2, 4], "pearson", "at least 4"),
        ([1, 2, 3, 4], [1, 2, 4, 3], "kendall", "at least 5"),
        ([1, 1, 1, 1], [1, 2, 3, 4], "spearman", "constant"),
        ([1, 2, np.nan, 4], [1, 2, 3, 4], "pearson", "NaN"),
        ([1, 2, 3, 4], [1, 2, 3], "pearson", "same length"),
    ],
)
def test_bad_input_says_what_is_wrong(x, y, method, message):
    with pytest.raises(ValueError, match=message):
        correlation(x, y, method=method)


def test_partial_spearman_without_covariates_is_plain_spearman(xy):
    x, y = xy
    rho, p = sps.spearmanr(x, y)
    for none in (None, np.empty((20, 0))):
        got = partial_spearman(x, y, none)
        assert (got.r, got.p, got.n, got.df) == (pytest.approx(rho, abs=1e-14), pytest.approx(p, abs=1e-14), 20, 18)  # fmt: skip
    assert partial_spearman(x, y).r == pytest.approx(rho, abs=1e-14)

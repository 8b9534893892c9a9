"""OLS prediction intervals and influence diagnostics against closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

import persona_atlas.analysis as pa
from persona_atlas.analysis.regression import (
    cooks_distance,
    loo_new_points_inside,
    ols_fit,
    ols_prediction_interval,
)

X = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
Y = np.array([1.1, 1.9, 3.2, 3.8, 5.3, 5.9])


def simple_fit(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float, float]:
    xbar, ybar = x.mean(), y.mean()
    sxx = float(np.sum((x - xbar) ** 2))
    slope = float(np.sum((x - xbar) * (y - ybar)) / sxx)
    intercept = ybar - slope * xbar
    resid = y - (intercept + slope * x)
    s = math.sqrt(float(resid @ resid) / (len(x) - 2))
    return intercept, slope, s, sxx


def test_prediction_interval_closed_form():
    b0, b1, s, sxx = simple_fit(X, Y)
    x0 = 7.5
    half = sps.t.ppf(0.975, 4) * s * math.sqrt(1 + 1 / 6 + (x0 - X.mean()) ** 2 / sxx)
    pi = pa.ols_prediction_interval(X, Y, [x0])
    assert pi.fit[0] == pytest.approx(b0 + b1 * x0)
    assert pi.lower[0] == pytest.approx(b0 + b1 * x0 - half)
    assert pi.upper[0] == pytest.approx(b0 + b1 * x0 + half)
    np.testing.assert_allclose(pi.coef, [b0, b1])


def test_leverage_and_cooks_distance_closed_form():
    b0, b1, s, sxx = simple_fit(X, Y)
    h = 1 / 6 + (X - X.mean()) ** 2 / sxx
    e = Y - (b0 + b1 * X)
    d = e**2 / (2 * s**2) * h / (1 - h) ** 2
    infl = pa.cooks_distance(X, Y)
    np.testing.assert_allclose(infl.leverage, h)
    np.testing.assert_allclose(infl.cooks_d, d)


def test_vif_two_predictors_is_one_over_one_minus_r2():
    rng = np.random.default_rng(0)
    a = rng.normal(size=50)
    b = 0.8 * a + rng.normal(size=50)
    r = np.corrcoef(a, b)[0, 1]
    np.testing.assert_allclose(pa.vif(np.column_stack([a, b])), [1 / (1 - r**2)] * 2)
    with pytest.raises(ValueError, match="two predictor"):
        pa.vif(a)


def test_loo_pi_coverage_matches_manual_refits():
    rng = np.random.default_rng(1)
    x = rng.normal(size=15)
    y = 2 * x + rng.normal(size=15)
    y[3] += 8  # an outlier its own leave-one-out interval misses
    res = pa.loo_pi_coverage(x, y)
    for i in (0, 3):
        keep = np.arange(15) != i
        b0, b1, s, sxx = simple_fit(x[keep], y[keep])
        xm = x[keep].mean()
        half = sps.t.ppf(0.975, 12) * s * math.sqrt(1 + 1 / 14 + (x[i] - xm) ** 2 / sxx)
        assert res.lower[i] == pytest.approx(b0 + b1 * x[i] - half)
        assert res.covered[i] == (abs(y[i] - (b0 + b1 * x[i])) <= half)
    assert not res.covered[3]
    assert res.coverage == res.covered.sum() / 15
    assert res.wilson == pa.wilson_interval(int(res.covered.sum()), 15)


def test_ols_fit_matches_linregress():
    fit = ols_fit(X, Y)
    lr = sps.linregress(X, Y)
    assert fit.coef == pytest.approx([lr.intercept, lr.slope], abs=1e-12)
    assert fit.stderr == pytest.approx([lr.intercept_stderr, lr.stderr], abs=1e-12)
    assert fit.p[1] == pytest.approx(lr.pvalue, abs=1e-12)
    assert (fit.r2, fit.n) == (pytest.approx(lr.rvalue**2), 6)


def test_cooks_distance_flags_above_four_over_n():
    y = Y.copy()
    y[5] = 9.0  # one outlier at the highest leverage
    infl = cooks_distance(X, y)
    assert infl.threshold == pytest.approx(4 / 6)
    np.testing.assert_array_equal(infl.flagged, infl.cooks_d > 4 / 6)
    assert list(np.flatnonzero(infl.flagged)) == [5]
    at_threshold = cooks_distance(X, Y)
    assert not at_threshold.flagged.any()


def test_loo_new_points_inside_matches_manual_refits():
    x_new, y_new = np.array([7.0, 8.0]), np.array([7.1, 7.0])
    check = loo_new_points_inside(X, Y, x_new, y_new)
    manual = []
    for i in range(6):
        keep = np.arange(6) != i
        b0, b1, s, sxx = simple_fit(X[keep], Y[keep])
        xbar = X[keep].mean()
        half = sps.t.ppf(0.975, 3) * s * np.sqrt(1 + 1 / 5 + (x_new - xbar) ** 2 / sxx)
        manual.append(np.abs(y_new - (b0 + b1 * x_new)) <= half)
    np.testing.assert_array_equal(check.inside, np.array(manual))
    assert check.total == 6
    assert check.passes == int(np.array(manual).all(axis=1).sum())
    assert check.every_drop_keeps_inside == (check.passes == 6)
    full = ols_prediction_interval(X, Y, x_new)
    np.testing.assert_array_equal(
        check.full_fit_inside, (y_new >= full.lower) & (y_new <= full.upper)
    )
    assert 0 < check.passes < 6  # this example is a split decision: the check can fail

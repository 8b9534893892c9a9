"""Ordinary least squares with prediction intervals and influence diagnostics.

Thin, documented wrappers over statsmodels: ``x`` is one predictor ([n]) or several
([n, k]); an intercept is always added. Exported from ``persona_atlas.analysis``.

Two leave-one-out checks of the prediction interval (PI), under distinct names:
``loo_pi_coverage`` is the standard one (the fraction of points inside the PI of the fit
without them); ``loo_new_points_inside`` is the group's robustness check (drop each fitted
point in turn, refit, and ask whether the held-out new points all stay inside the PI).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import statsmodels.api as sm
from numpy.typing import ArrayLike, NDArray
from statsmodels.stats.outliers_influence import OLSInfluence, variance_inflation_factor

from persona_atlas.analysis.statistics import wilson_interval


def _design(x: ArrayLike, name: str = "x") -> NDArray[np.float64]:
    a = np.asarray(x, dtype=np.float64)
    a = a[:, None] if a.ndim == 1 else a
    if a.ndim != 2:
        raise ValueError(f"{name} must be [n] or [n, k], got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return np.column_stack([np.ones(a.shape[0]), a])


def _fit(x: ArrayLike, y: ArrayLike) -> sm.regression.linear_model.RegressionResults:
    design = _design(x)
    yv = np.asarray(y, dtype=np.float64)
    if yv.shape != (design.shape[0],):
        raise ValueError(f"y must have length {design.shape[0]}, got shape {yv.shape}")
    if design.shape[0] <= design.shape[1]:
        raise ValueError(
            f"{design.shape[0]} observations cannot fit {design.shape[1]} coefficients"
        )
    return sm.OLS(yv, design).fit()


@dataclass(frozen=True)
class OlsFit:
    """Coefficients of y ~ 1 + x with their standard errors and two-sided t-test p-values."""

    coef: NDArray[np.float64]
    """Intercept first, then one slope per predictor."""
    stderr: NDArray[np.float64]
    """Standard error of each coefficient."""
    p: NDArray[np.float64]
    """Two-sided p-value of each coefficient (t with n − k − 1 degrees of freedom)."""
    r2: float
    """R² of the fit."""
    n: int
    """Number of observations."""


def ols_fit(x: ArrayLike, y: ArrayLike) -> OlsFit:
    """Fit y ~ 1 + x by OLS. For one predictor the slope's p equals Pearson's p."""
    res = _fit(x, y)
    return OlsFit(
        coef=np.asarray(res.params),
        stderr=np.asarray(res.bse),
        p=np.asarray(res.pvalues),
        r2=float(res.rsquared),
        n=int(res.nobs),
    )


@dataclass(frozen=True)
class PredictionInterval:
    """Predictions at new points with a (1 − alpha) prediction interval for a new observation."""

    fit: NDArray[np.float64]
    """Predicted mean at each new point."""
    lower: NDArray[np.float64]
    """Lower bound of the prediction interval."""
    upper: NDArray[np.float64]
    """Upper bound of the prediction interval."""
    coef: NDArray[np.float64]
    """Fitted coefficients, intercept first."""
    r2: float
    """R² of the fit."""


def ols_prediction_interval(
    x: ArrayLike, y: ArrayLike, x_new: ArrayLike, alpha: float = 0.05
) -> PredictionInterval:
    """Fit y ~ 1 + x by OLS; prediction interval (default 95%) for new observations at x_new.

    For one predictor the half-width is t · s · sqrt(1 + 1/n + (x0 − x̄)² / Sxx).
    """
    res = _fit(x, y)
    frame = res.get_prediction(_design(x_new, "x_new")).summary_frame(alpha=alpha)
    return PredictionInterval(
        fit=frame["mean"].to_numpy(),
        lower=frame["obs_ci_lower"].to_numpy(),
        upper=frame["obs_ci_upper"].to_numpy(),
        coef=np.asarray(res.params),
        r2=float(res.rsquared),
    )


@dataclass(frozen=True)
class CoverageResult:
    """Leave-one-out coverage of OLS prediction intervals."""

    coverage: float
    """Fraction of held-out points inside the interval fitted without them."""
    covered: NDArray[np.bool_]
    """Per point: was it inside its leave-one-out interval?"""
    lower: NDArray[np.float64]
    """Per point: lower bound of its leave-one-out interval."""
    upper: NDArray[np.float64]
    """Per point: upper bound."""
    wilson: tuple[float, float]
    """Wilson 95% interval of the coverage rate."""


def loo_pi_coverage(x: ArrayLike, y: ArrayLike, alpha: float = 0.05) -> CoverageResult:
    """Refit without each point and check the point against its prediction interval.

    A calibrated 95% interval covers about 95% of held-out points; much less means the
    model's error bars are too narrow to trust for new items.
    """
    xa = np.asarray(x, dtype=np.float64)
    ya = np.asarray(y, dtype=np.float64)
    n = ya.shape[0]
    lower, upper = np.empty(n), np.empty(n)
    for i in range(n):
        keep = np.arange(n) != i
        pi = ols_prediction_interval(xa[keep], ya[keep], xa[i : i + 1], alpha)
        lower[i], upper[i] = pi.lower[0], pi.upper[0]
    covered = (ya >= lower) & (ya <= upper)
    k = int(covered.sum())
    return CoverageResult(
        coverage=k / n, covered=covered, lower=lower, upper=upper, wilson=wilson_interval(k, n)
    )


@dataclass(frozen=True)
class NewPointsCheck:
    """Leave-one-out robustness of the prediction interval at held-out new points."""

    inside: NDArray[np.bool_]
    """[n_drops, m]: new point j inside the PI of the fit without fitted point i."""
    lower: NDArray[np.float64]
    """[n_drops, m]: lower PI bound at each new point, per drop."""
    upper: NDArray[np.float64]
    """[n_drops, m]: upper PI bound."""
    full_fit_inside: NDArray[np.bool_]
    """[m]: new point inside the PI of the fit on every fitted point."""
    passes: int
    """Drops that keep every new point inside."""
    total: int
    """Number of drops (the fitted points)."""

    @property
    def every_drop_keeps_inside(self) -> bool:
        return self.passes == self.total


def loo_new_points_inside(
    x: ArrayLike, y: ArrayLike, x_new: ArrayLike, y_new: ArrayLike, alpha: float = 0.05
) -> NewPointsCheck:
    """Drop each fitted point in turn, refit, and check the new points against the new PI.

    ``x``, ``y``: the fitted points; ``x_new``, ``y_new``: held-out points never fitted.
    "Every drop keeps the new points inside" is ``every_drop_keeps_inside``. This is not
    coverage: it asks whether one fitted point carries the conclusion about the new ones.
    """
    xa, ya = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    xn, yn = np.asarray(x_new, dtype=np.float64), np.asarray(y_new, dtype=np.float64)
    if yn.ndim != 1 or yn.shape[0] != xn.shape[0]:
        raise ValueError(f"y_new must have one value per new point, got shape {yn.shape}")
    n, m = ya.shape[0], yn.shape[0]
    lower, upper = np.empty((n, m)), np.empty((n, m))
    for i in range(n):
        keep = np.arange(n) != i
        pi = ols_prediction_interval(xa[keep], ya[keep], xn, alpha)
        lower[i], upper[i] = pi.lower, pi.upper
    inside = (yn >= lower) & (yn <= upper)  # [n, m]
    full = ols_prediction_interval(xa, ya, xn, alpha)
    return NewPointsCheck(
        inside=inside,
        lower=lower,
        upper=upper,
        full_fit_inside=(yn >= full.lower) & (yn <= full.upper),
        passes=int(inside.all(axis=1).sum()),
        total=n,
    )


@dataclass(frozen=True)
class Influence:
    """Per-observation influence of an OLS fit."""

    cooks_d: NDArray[np.float64]
    """Cook's distance."""
    leverage: NDArray[np.float64]
    """Diagonal of the hat matrix."""
    threshold: float
    """The conventional flag, 4 / n."""
    flagged: NDArray[np.bool_]
    """Cook's distance above ``threshold``."""


def cooks_distance(x: ArrayLike, y: ArrayLike) -> Influence:
    """Cook's distance and leverage for y ~ 1 + x; points with D > 4 / n are flagged."""
    res = _fit(x, y)
    infl = OLSInfluence(res)
    cooks = np.asarray(infl.cooks_distance[0])
    threshold = 4.0 / int(res.nobs)
    return Influence(
        cooks_d=cooks,
        leverage=np.asarray(infl.hat_matrix_diag),
        threshold=threshold,
        flagged=cooks > threshold,
    )


def vif(x: ArrayLike) -> NDArray[np.float64]:
    """Variance inflation factor of each predictor column of ``x`` ([n, k], k >= 2).

    VIF_j = 1 / (1 − R²_j), R²_j from regressing column j on the others plus an intercept.
    """
    design = _design(x)
    if design.shape[1] < 3:
        raise ValueError("VIF needs at least two predictor columns")
    return np.array([variance_inflation_factor(design, j) for j in range(1, design.shape[1])])

"""One correlation with its p-value and confidence interval: ``correlation(x, y, method=...)``.

r and p come from scipy (``pearsonr``, ``spearmanr``, ``kendalltau`` with tau-b). The
(1 − alpha) interval is a Fisher z interval, tanh(atanh(r) ± z_{1−alpha/2} · se), with the
standard error that suits the coefficient:

- Pearson: se = 1 / sqrt(n − 3) (scipy's ``pearsonr(...).confidence_interval``);
- Spearman: se = sqrt((1 + r²/2) / (n − 3)) (Bonett & Wright 2000, Psychometrika 65:23);
- Kendall: se = sqrt(0.437 / (n − 4)) (Fieller, Hartley & Pearson 1957, Biometrika 44:470).

A correlation of exactly ±1 has the degenerate interval [r, r].
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats as sps

METHODS = ("pearson", "spearman", "kendall")

#: How each method's interval is computed (recorded with the result).
CI_METHODS = {
    "pearson": "Fisher z, se = 1/sqrt(n-3)",
    "spearman": "Fisher z, Bonett-Wright se = sqrt((1 + r^2/2)/(n-3))",
    "kendall": "Fisher z, Fieller se = sqrt(0.437/(n-4))",
}


@dataclass(frozen=True)
class CorrelationEstimate:
    """A correlation coefficient with its two-sided p-value and confidence interval."""

    r: float
    """Pearson r, Spearman rho or Kendall tau-b."""
    p: float
    """Two-sided p-value of r = 0 (scipy's, for the method)."""
    n: int
    """Number of observations."""
    ci_low: float
    """Lower bound of the (1 − alpha) confidence interval."""
    ci_high: float
    """Upper bound of the (1 − alpha) confidence interval."""
    method: str
    """``pearson``, ``spearman`` or ``kendall``."""
    alpha: float
    """1 − confidence level of the interval."""

    @property
    def ci_method(self) -> str:
        """How the interval was computed."""
        return CI_METHODS[self.method]


def _fisher_interval(r: float, se: float, alpha: float) -> tuple[float, float]:
    if abs(r) >= 1.0:
        return r, r
    half = float(sps.norm.ppf(1.0 - alpha / 2.0)) * se
    centre = math.atanh(r)
    return math.tanh(centre - half), math.tanh(centre + half)


def correlation(
    x: ArrayLike, y: ArrayLike, method: str = "pearson", alpha: float = 0.05
) -> CorrelationEstimate:
    """Correlation of ``x`` and ``y`` ([n] each) with p and a (1 − alpha) interval.

    ``method`` is ``pearson``, ``spearman`` or ``kendall`` (module docstring: which
    standard error each interval uses). Needs n ≥ 4 (n ≥ 5 for Kendall) finite,
    non-constant values.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")
    xv, yv = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if xv.ndim != 1 or xv.shape != yv.shape:
        raise ValueError(f"x and y must be 1-D of the same length, got {xv.shape} and {yv.shape}")
    if not (np.all(np.isfinite(xv)) and np.all(np.isfinite(yv))):
        raise ValueError("x or y contains NaN or infinite values")
    n = xv.shape[0]
    needed = 5 if method == "kendall" else 4
    if n < needed:
        raise ValueError(f"a {method} interval needs at least {needed} observations, got {n}")
    if np.ptp(xv) == 0.0 or np.ptp(yv) == 0.0:
        raise ValueError("x or y is constant: the correlation is undefined")
    if method == "pearson":
        res = sps.pearsonr(xv, yv)
        r, p = float(res.statistic), float(res.pvalue)
        ci = res.confidence_interval(confidence_level=1.0 - alpha)
        lo, hi = float(ci.low), float(ci.high)
    elif method == "spearman":
        sres = sps.spearmanr(xv, yv)
        r, p = float(sres.statistic), float(sres.pvalue)
        lo, hi = _fisher_interval(r, math.sqrt((1.0 + r * r / 2.0) / (n - 3)), alpha)
    else:
        kres = sps.kendalltau(xv, yv)
        r, p = float(kres.statistic), float(kres.pvalue)
        lo, hi = _fisher_interval(r, math.sqrt(0.437 / (n - 4)), alpha)
    return CorrelationEstimate(r=r, p=p, n=n, ci_low=lo, ci_high=hi, method=method, alpha=alpha)

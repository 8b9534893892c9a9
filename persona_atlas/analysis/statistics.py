"""Statistics for persona-vector analyses: the public, notebook-callable API.

Matrix comparisons (``mantel``, ``cluster_collapsed_rsa``), rank statistics
(``partial_spearman``), resampling (``jackknife``), distribution distances
(``js_divergence``) and rates (``wilson_interval``). Regression diagnostics live in
``persona_atlas.analysis.regression``. Everything is re-exported from
``persona_atlas.analysis``. Matrices are square and symmetric (similarity or distance);
only their strict upper triangles are compared.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats as sps
from statsmodels.stats.proportion import proportion_confint

from persona_atlas.analysis.permutation import (
    PermutationPlan,
    float64_dot_error,
    single_mantel_null,
    standardise,
    upper_triangle,
)


@dataclass(frozen=True)
class MantelResult:
    """Outcome of a Mantel test."""

    r: float
    """Observed correlation between the strict upper triangles."""
    p: float
    """One-sided p-value, (b + 1) / (B + 1) with b = #{permuted r >= observed r}."""
    permutations: int
    """B, the number of label permutations."""
    method: str
    """``pearson`` or ``spearman``."""
    null: NDArray[np.float64]
    """The B permuted correlations."""


def _square(m: ArrayLike, name: str) -> NDArray[np.float64]:
    a = np.asarray(m, dtype=np.float64)
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise ValueError(f"{name} must be a square matrix, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return a


def mantel(
    x: ArrayLike,
    y: ArrayLike,
    *,
    permutations: int = 999,
    method: str = "pearson",
    seed: int = 0,
    strata: ArrayLike | None = None,
) -> MantelResult:
    """Mantel test: is matrix ``x`` positively associated with matrix ``y``?

    Correlates the strict upper triangles of two n×n matrices (``method`` = ``"pearson"``
    or ``"spearman"``), then builds the null by permuting the item labels (rows and columns
    together) of ``y``. One-sided (greater); p = (b + 1) / (B + 1). ``strata`` (one label
    per item) restricts permutations to items sharing a label — the stratified Mantel test,
    for when items cluster (e.g. persona families). Seeded: same inputs, same p.
    """
    xs, ys = _square(x, "x"), _square(y, "y")
    if xs.shape != ys.shape:
        raise ValueError(f"x and y must have the same shape, got {xs.shape} and {ys.shape}")
    n = xs.shape[0]
    if n < 3:
        raise ValueError("a Mantel test needs at least 3 items")
    if permutations < 1:
        raise ValueError("permutations must be >= 1")
    xz = standardise(upper_triangle(xs), method)  # [n_pairs]
    yz = standardise(upper_triangle(ys), method)  # [n_pairs]
    r = float(xz @ yz)
    labels = None if strata is None else np.asarray(strata)
    plan = PermutationPlan(n, permutations, seed=seed, strata=labels)
    null = single_mantel_null(xz, yz, plan.perms)  # [B], float64, full-matrix order of sums
    # null values within rounding of the tie threshold are recomputed as condensed dot
    # products, so the count does not depend on the order of summation (or the kernel)
    p = plan.p_value(r, null, yz, xz, float64_dot_error(n * n))
    return MantelResult(r=r, p=float(p), permutations=permutations, method=method, null=null)


@dataclass(frozen=True)
class CorrelationResult:
    """A correlation with its two-sided parametric p-value."""

    r: float
    """The correlation coefficient."""
    p: float
    """Two-sided p-value (t distribution)."""
    n: int
    """Number of observations."""
    df: int
    """Residual degrees of freedom used for the p-value."""


def partial_spearman(
    x: ArrayLike, y: ArrayLike, covariates: ArrayLike | None = None
) -> CorrelationResult:
    """Spearman correlation of ``x`` and ``y`` controlling for ``covariates``.

    Ranks every variable, regresses the ranks of x and of y on the ranks of the covariates
    (with an intercept) and correlates the residuals. ``covariates`` is [n], [n, k] or
    ``None`` / [n, 0] (no covariate: plain Spearman, the same r and p as
    ``scipy.stats.spearmanr``). p-value from t with n − 2 − k degrees of freedom.
    """
    xv, yv = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if xv.ndim != 1:
        raise ValueError(f"x must be one value per observation, got shape {xv.shape}")
    n = xv.shape[0]
    z = np.empty((n, 0)) if covariates is None else np.asarray(covariates, dtype=np.float64)
    z = z[:, None] if z.ndim == 1 else z
    k = z.shape[1] if z.ndim == 2 else 0
    if yv.shape != (n,) or z.shape != (n, k):
        raise ValueError(
            f"x, y and covariates need the same length, got {xv.shape}, {yv.shape}, {z.shape}"
        )
    if n - 2 - k < 1:
        raise ValueError(f"{n} observations are too few for {k} covariate(s)")
    ranked = [sps.rankdata(z[:, j]) for j in range(k)]
    design = np.column_stack([np.ones(n), *ranked])  # [n, 1 + k]
    rx, ry = sps.rankdata(xv), sps.rankdata(yv)
    ex = rx - design @ np.linalg.lstsq(design, rx, rcond=None)[0]
    ey = ry - design @ np.linalg.lstsq(design, ry, rcond=None)[0]
    denominator = math.sqrt((ex @ ex) * (ey @ ey))
    if denominator == 0.0:
        raise ValueError("constant ranks after removing the covariates: correlation undefined")
    r = float(np.clip(ex @ ey / denominator, -1.0, 1.0))
    df = n - 2 - k
    t = r * math.sqrt(df / max(1e-300, 1.0 - r * r))
    p = float(2.0 * sps.t.sf(abs(t), df))
    return CorrelationResult(r=r, p=p, n=n, df=df)


@dataclass(frozen=True)
class JackknifeResult:
    """Leave-one-out jackknife of a statistic."""

    estimate: float
    """The statistic on all items."""
    replicates: NDArray[np.float64]
    """The statistic with item i left out, for each i."""
    se: float
    """Jackknife standard error, sqrt((n−1)/n · Σ(θ_i − θ̄)²)."""
    bias: float
    """Jackknife bias estimate, (n − 1)(θ̄ − θ)."""
    min: float
    """Smallest leave-one-out value."""
    max: float
    """Largest leave-one-out value."""
    most_influential: int
    """Index whose removal moves the statistic furthest from ``estimate``."""


def jackknife(statistic: Callable[[NDArray[np.intp]], float], n: int) -> JackknifeResult:
    """Leave-one-out jackknife: ``statistic(kept_indices)`` evaluated n + 1 times.

    ``statistic`` receives the sorted indices of the items kept (all n first, then each
    leave-one-out set), so it works for any per-item analysis, e.g. leave-one-persona-out
    RSA: ``jackknife(lambda keep: rsa(a[keep][:, keep], b[keep][:, keep]), n)``.
    """
    if n < 2:
        raise ValueError("the jackknife needs at least 2 items")
    everything = np.arange(n)
    estimate = float(statistic(everything))
    reps = np.array([float(statistic(np.delete(everything, i))) for i in range(n)])
    mean = reps.mean()
    se = math.sqrt((n - 1) / n * float(np.sum((reps - mean) ** 2)))
    return JackknifeResult(
        estimate=estimate,
        replicates=reps,
        se=se,
        bias=float((n - 1) * (mean - estimate)),
        min=float(reps.min()),
        max=float(reps.max()),
        most_influential=int(np.argmax(np.abs(reps - estimate))),
    )


def collapse_by_cluster(matrix: ArrayLike, clusters: ArrayLike) -> tuple[NDArray[np.float64], list]:
    """Mean of ``matrix`` over each pair of clusters (off-diagonal entries only within one).

    Returns the K×K cluster-mean matrix and the cluster labels in its row order.
    """
    m = _square(matrix, "matrix")
    labels = np.asarray(clusters)
    if labels.shape != (m.shape[0],):
        raise ValueError(f"clusters needs one label per item ({m.shape[0]}), got {labels.shape}")
    names, codes = np.unique(labels, return_inverse=True)
    k = names.size
    onehot = np.zeros((m.shape[0], k))
    onehot[np.arange(m.shape[0]), codes] = 1.0  # [n, K]
    off = m.copy()
    np.fill_diagonal(off, 0.0)
    sums = onehot.T @ off @ onehot  # [K, K]
    sizes = onehot.sum(axis=0)
    counts = np.outer(sizes, sizes) - np.diag(sizes)  # ordered pairs i != j per block
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    return means, names.tolist()


def cluster_collapsed_rsa(
    x: ArrayLike,
    y: ArrayLike,
    clusters: ArrayLike,
    *,
    method: str = "spearman",
    permutations: int = 999,
    seed: int = 0,
) -> MantelResult:
    """RSA after collapsing each matrix to cluster-pair means.

    Guards against an RSA correlation driven by a few large clusters: both n×n matrices
    become K×K matrices of mean entries between clusters, and the Mantel test runs on those
    (between-cluster entries only). Needs at least 3 clusters.
    """
    cx, names = collapse_by_cluster(x, clusters)
    cy, _ = collapse_by_cluster(y, clusters)
    if len(names) < 3:
        raise ValueError(f"cluster-collapsed RSA needs at least 3 clusters, got {len(names)}")
    np.fill_diagonal(cx, 0.0)
    np.fill_diagonal(cy, 0.0)
    return mantel(cx, cy, permutations=permutations, method=method, seed=seed)


def _check_log_distribution(lp: NDArray[np.float64], name: str, axis: int, tol: float) -> None:
    """Raise unless ``lp`` holds log-probabilities: no NaN / +inf, exp summing to 1 on ``axis``."""
    if np.any(np.isnan(lp)) or np.any(lp == np.inf):
        raise ValueError(f"{name} contains NaN or +inf (log-probabilities are <= 0 or -inf)")
    off = np.abs(np.exp(lp).sum(axis=axis) - 1.0)  # one value per distribution
    if np.any(off > tol):
        worst = np.unravel_index(int(np.argmax(off)), np.shape(off))
        raise ValueError(
            f"{name}: exp does not sum to 1 along axis {axis} (off by {float(off[worst]):.3g} "
            f"at distribution {tuple(int(i) for i in worst)}, tolerance {tol:g}); "
            "pass log-probabilities, e.g. log_softmax of the logits"
        )


def js_divergence(
    logp: ArrayLike, logq: ArrayLike, axis: int = -1, *, tol: float = 1e-4
) -> NDArray[np.float64]:
    """Jensen–Shannon divergence (natural log, in [0, ln 2]) from log-probabilities.

    Works on the log scale throughout (log m = logaddexp(log p, log q) − ln 2), so
    next-token distributions with many near-zero entries do not underflow; zero
    probabilities (log = −inf) contribute nothing. Reduces over ``axis``. Each input must
    be a distribution along ``axis``: ``exp`` summing to 1 within ``tol`` (float32
    log-softmax over a large vocabulary is off by ~1e-6), else ``ValueError`` — an
    unnormalised input would otherwise give a wrong value, not an error.
    """
    lp = np.asarray(logp, dtype=np.float64)
    lq = np.asarray(logq, dtype=np.float64)
    if lp.shape != lq.shape:
        raise ValueError(f"logp and logq must have the same shape, got {lp.shape} and {lq.shape}")
    _check_log_distribution(lp, "logp", axis, tol)
    _check_log_distribution(lq, "logq", axis, tol)
    lm = np.logaddexp(lp, lq) - math.log(2.0)
    p, q = np.exp(lp), np.exp(lq)
    with np.errstate(invalid="ignore"):
        kl_p = np.where(p > 0, p * (lp - lm), 0.0)
        kl_q = np.where(q > 0, q * (lq - lm), 0.0)
    js = 0.5 * (kl_p.sum(axis=axis) + kl_q.sum(axis=axis))
    return np.clip(js, 0.0, math.log(2.0))  # rounding and the ``tol`` slack only


def wilson_interval(
    k: int, n: int, alpha: float = 0.05, *, z: float | None = None
) -> tuple[float, float]:
    """Wilson score interval (lower, upper) for a rate of ``k`` successes in ``n`` trials.

    The critical value is z = Φ⁻¹(1 − alpha/2) (1.959964 for 95%), or ``z`` when given: the
    group's scripts use the rounded z = 1.96, which moves a bound by ~1e-6 (#246).
    """
    if n <= 0 or not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n and n > 0, got k={k}, n={n}")
    if z is None:
        lo, hi = proportion_confint(k, n, alpha=alpha, method="wilson")
        return float(lo), float(hi)
    rate, z2 = k / n, z * z
    centre = (rate + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(rate * (1 - rate) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)

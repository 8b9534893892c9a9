"""The metric registry: every recipe-comparison metric, written once (DESIGN §4).

The formulas come first, as functions of condensed vectors (the strict upper triangle of a
cosine matrix, row-major: ``permutation.upper_triangle``) and per-persona vectors; ``stored-matrix-comparison`` calls them on
stored matrices. The registry evaluates the same formulas around a ``CentroidView`` — one
recipe's [P, H] centroids at one layer — which computes its cosine matrices once (one GEMM on
the mean-centred centroids gives both the mean-centred and, by a rank-one correction, the raw
Gram matrix) and keeps the standardised upper triangles, so every pair metric is a dot
product and every recipe is normalised once per layer however many pairs it is in.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats as sps

from persona_atlas.analysis.permutation import standardise
from persona_atlas.errors import InputFileError

F64 = NDArray[np.float64]

# ----------------------------------------------------------------------------- formulas


def correlation(a: NDArray[np.floating], b: NDArray[np.floating]) -> float:
    """Correlation of two ``permutation.standardise``-d vectors: their dot product, in float64
    (clipped to [-1, 1] against rounding)."""
    return float(np.clip(np.dot(a.astype(np.float64), b.astype(np.float64)), -1.0, 1.0))


def matrix_agreement(ua: ArrayLike, ub: ArrayLike) -> dict[str, float]:
    """Pearson, Spearman and mean |a − b| of two condensed cosine matrices, in float64.

    Pearson and Spearman are ``correlation(standardise(a), standardise(b))`` up to
    rounding; scipy evaluates them here so that stored-matrix results stay bit-identical to
    those already committed (the two orders of summation differ by ≤ 4.4e-16 on the pilot).
    """
    a, b = np.asarray(ua, dtype=np.float64), np.asarray(ub, dtype=np.float64)
    return {
        "pearson": float(sps.pearsonr(a, b)[0]),
        "spearman": float(sps.spearmanr(a, b)[0]),
        "mean_abs_diff": float(np.mean(np.abs(a - b))),
    }


def cos_stats(vec: F64) -> dict[str, float]:
    """min, p5 (linear interpolation), mean, max and std (ddof 0) of a per-persona vector."""
    return {
        "cos_min": float(vec.min()),
        "cos_p5": float(np.percentile(vec, 5)),
        "cos_mean": float(vec.mean()),
        "cos_max": float(vec.max()),
        "cos_std": float(vec.std()),
    }


def cos_summary(vec: F64) -> dict[str, float]:
    """The per-persona statistics that fill the cells columns: min, p5, mean, max."""
    stats = cos_stats(vec)
    return {k: stats[k] for k in ("cos_min", "cos_p5", "cos_mean", "cos_max")}


# ----------------------------------------------------------------------------- registry


class CentroidView:
    """One recipe (or split half) at one layer. ``where`` names it in error messages.

    Storage stays float32 (``x`` is the memory-mapped layer, never copied); every value a
    result keeps is finished in float64: norms, the mean, the centred Gram matrix (one
    float64 GEMM on the mean-centred centroids, which is well-conditioned) and from it both
    cosine matrices. A float32 Gram matrix would round each cosine to ~1e-7, and Pearson of
    raw cosines that differ only in their 3rd digit turns that into ~1e-4 of the statistic,
    different for every BLAS kernel (docs/analysis.md, "Reproducible across CPUs").
    """

    def __init__(self, x: np.ndarray, where: str, personas: list[str]) -> None:
        self.x = np.asarray(x)  # [P, H], float32 or float16 storage
        sq = np.einsum("ph,ph->p", self.x, self.x, dtype=np.float64)  # [P]
        bad = np.flatnonzero(~np.isfinite(sq))
        if bad.size:
            raise InputFileError(f"{where}, persona {personas[bad[0]]!r}: NaN or infinite values")
        zero = np.flatnonzero(sq == 0)
        if zero.size:
            raise InputFileError(
                f"{where}, persona {personas[zero[0]]!r}: zero-norm centroid",
                hint="an all-zero centroid means no question contributed; check the extraction",
            )
        self.where, self.personas = where, personas
        self.n = self.x.shape[0]
        self.norm: F64 = np.sqrt(sq)  # [P]

    @functools.cached_property
    def _grams(self) -> tuple[F64, F64]:
        """(mean-centred Gram, raw Gram), float64; the centred copy is dropped afterwards."""
        x64 = self.x.astype(np.float64)  # [P, H]
        mean = x64.mean(axis=0)  # [H]
        x64 -= mean  # centred in place: v_i = c_i - m
        gram_mc = x64 @ x64.T  # [P, P]
        # c_i = v_i + m  =>  c_i·c_j = v_i·v_j + v_i·m + v_j·m + m·m  (no cancellation)
        a = x64 @ mean  # [P]
        gram_raw = gram_mc + a[:, None] + a[None, :] + float(mean @ mean)
        return gram_mc, gram_raw

    @functools.cached_property
    def cos_mc(self) -> F64:
        gram = self._grams[0]
        d = np.sqrt(np.diag(gram))  # [P]
        same = np.flatnonzero(d <= 1e-12 * self.norm)  # zero up to float64 rounding
        if same.size:
            raise InputFileError(
                f"{self.where}, persona {self.personas[same[0]]!r}: centroid equals the mean "
                "of all personas (zero after mean-centring)",
                hint="mc_r is undefined for it; check for duplicated or placeholder centroids",
            )
        return np.asarray(gram / np.outer(d, d))

    @functools.cached_property
    def cos_raw(self) -> F64:
        gram = self._grams[1]
        d = np.sqrt(np.diag(gram))
        return np.asarray(gram / np.outer(d, d))

    @functools.cached_property
    def _iu(self) -> tuple[np.ndarray, np.ndarray]:
        return np.triu_indices(self.n, k=1)  # ``upper_triangle`` order, built once per view

    def _z(self, matrix: F64, method: str) -> F64:
        """Standardised condensed entries (float64)."""
        try:
            return standardise(matrix[self._iu], method)
        except ValueError:
            raise InputFileError(f"{self.where}: all persona pairs have the same cosine") from None

    @functools.cached_property
    def raw_z(self) -> F64:
        """Standardised strict upper triangle of the raw cosine matrix: Pearson = dot."""
        return self._z(self.cos_raw, "pearson")

    @functools.cached_property
    def raw_rank_z(self) -> F64:
        """Standardised ranks of the same entries: Spearman = dot."""
        return self._z(self.cos_raw, "spearman")

    @functools.cached_property
    def mc_z(self) -> F64:
        """Standardised strict upper triangle of the mean-centred cosine matrix."""
        return self._z(self.cos_mc, "pearson")

    @functools.cached_property
    def mc_rank_z(self) -> F64:
        """Standardised ranks of the mean-centred entries (Spearman Mantel)."""
        return self._z(self.cos_mc, "spearman")


def per_persona_cos(x: CentroidView, y: CentroidView) -> F64:
    """cos(c_X[p], c_Y[p]) for every persona p, float64 products and sums of the stored
    values (clipped to [-1, 1] against rounding)."""
    dots = np.einsum("ph,ph->p", x.x, y.x, dtype=np.float64)  # [P]
    return np.clip(dots / (x.norm * y.norm), -1.0, 1.0)


@dataclass(frozen=True)
class Metric:
    """A registered metric: name, the cells columns it fills, what it means."""

    name: str
    columns: tuple[str, ...]
    description: str
    compute: Callable[[CentroidView, CentroidView], dict[str, float]] | None = None


METRICS: dict[str, Metric] = {}


def register(metric: Metric) -> Metric:
    if metric.name in METRICS:
        raise ValueError(f"metric {metric.name!r} registered twice")
    METRICS[metric.name] = metric
    return metric


register(Metric(
    "per_persona_cos", ("cos_min", "cos_p5", "cos_mean", "cos_max"),
    "cosine between each persona's two recipe centroids; min / p5 / mean / max over personas",
    lambda x, y: cos_summary(per_persona_cos(x, y)),
))  # fmt: skip
register(Metric(
    "raw_pearson", ("raw_pearson",),
    "Pearson between the strict upper triangles of the two raw cosine matrices",
    lambda x, y: {"raw_pearson": correlation(x.raw_z, y.raw_z)},
))  # fmt: skip
register(Metric(
    "raw_spearman", ("raw_spearman",),
    "Spearman between the strict upper triangles of the two raw cosine matrices",
    lambda x, y: {"raw_spearman": correlation(x.raw_rank_z, y.raw_rank_z)},
))  # fmt: skip
register(Metric(
    "mc_r", ("mc_r",),
    "Pearson between the upper triangles of the mean-centred cosine matrices",
    lambda x, y: {"mc_r": correlation(x.mc_z, y.mc_z)},
))  # fmt: skip
# Computed in batches (shared permutations / streamed per-question arrays) by the sweep.
register(Metric(
    "mantel_p", ("mantel_p",),
    "one-sided Mantel permutation p-value of mc_r (persona labels permuted)",
))  # fmt: skip
register(Metric(
    "spread_spearman", ("spread_spearman",),
    "Spearman across questions between the two recipes' per-question persona spread",
))  # fmt: skip
register(Metric(
    "noise_floor", (),
    "same recipe, split-half centroids: per-persona cosine and mc_r (table noise_floor)",
))  # fmt: skip


def noise_floor(half_a: CentroidView, half_b: CentroidView) -> dict[str, float]:
    """Split-half agreement of one recipe: the pair metrics applied to its two halves."""
    out = cos_summary(per_persona_cos(half_a, half_b))
    return {
        "cos_min": out["cos_min"],
        "cos_p5": out["cos_p5"],
        "cos_mean": out["cos_mean"],
        "mc_r": correlation(half_a.mc_z, half_b.mc_z),
    }

"""Vectorised permutation nulls for matrix correlations (the engine behind ``mantel``).

A Mantel null permutes the *persona labels* of one matrix: the statistic for permutation π is
the correlation between x_ij and y_π(i)π(j) over the strict upper triangle. Permuting labels
only reorders the off-diagonal entries, so the mean and norm of the moving side do not change;
with both sides centred and unit-normalised, every permuted Pearson r is a dot product. For
many permutations that is one gather of B×n_pairs entries followed by one matrix product
against every fixed column at once — no Python loop per permutation.

The hot path computes that product in float32; a p-value counts null values on one side of
a threshold, so ``PermutationPlan.p_value`` recomputes in float64 every null value that the
float32 rounding bound (``float32_dot_error``) cannot place on a side: the count is then the
one exact arithmetic gives, on every CPU and BLAS kernel.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy.stats import rankdata

FloatArray = NDArray[np.floating]

#: Ties of exact arithmetic count as ties: null >= observed − TIE_RTOL · max(1, |observed|).
TIE_RTOL = 1e-6
_U32 = 2.0**-24  # unit roundoff of float32
_U64 = 2.0**-53  # unit roundoff of float64


def float32_dot_error(n: int) -> float:
    """Bound on |fl32(a·b) − a·b| for float64 unit vectors a, b of length n that are rounded
    to float32 and multiplied in float32, in any summation order (FMA or not): the input
    rounding, 2u + u², plus the summation error γ_n (1 + u)² with γ_n = nu / (1 − nu)
    (Higham, Accuracy and Stability of Numerical Algorithms, §3.1). Infinite when nu ≥ ½."""
    nu = n * _U32
    if nu >= 0.5:
        return math.inf
    return 2 * _U32 + _U32 * _U32 + nu / (1 - nu) * (1 + _U32) ** 2


def float64_dot_error(n: int) -> float:
    """Bound on |fl64(a·b) − a·b| for float64 unit vectors a, b of length n, any summation
    order: γ_n = nu / (1 − nu) with u = 2⁻⁵³ (no input rounding)."""
    nu = n * _U64
    return math.inf if nu >= 0.5 else nu / (1 - nu)


def tie_tolerance(observed: float | FloatArray) -> NDArray[np.float64]:
    """How far below ``observed`` a null value still counts as a tie (``TIE_RTOL``)."""
    return TIE_RTOL * np.maximum(1.0, np.abs(np.asarray(observed, dtype=np.float64)))


def upper_triangle(matrix: NDArray[np.floating]) -> NDArray[np.float64]:
    """Strict upper triangle, row-major (the order of ``scipy.spatial.distance.squareform``)."""
    m = np.asarray(matrix)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise ValueError(f"expected a square matrix, got shape {m.shape}")
    iu = np.triu_indices(m.shape[0], k=1)
    return np.asarray(m[iu], dtype=np.float64)


def standardise(values: NDArray[np.floating], method: str = "pearson") -> NDArray[np.float64]:
    """Centre and unit-normalise (after ranking for Spearman) so that r = a · b."""
    v = np.asarray(values, dtype=np.float64)
    if method == "spearman":
        v = rankdata(v)
    elif method != "pearson":
        raise ValueError(f"method must be 'pearson' or 'spearman', not {method!r}")
    v = v - v.mean()
    norm = float(np.sqrt(v @ v))
    if norm == 0.0:
        raise ValueError("constant values: correlation is undefined")
    return v / norm


def draw_permutations(
    n: int, count: int, seed: int | np.random.Generator, strata: NDArray[np.integer] | None = None
) -> NDArray[np.int64]:
    """``count`` random permutations of ``range(n)`` (shape [count, n]).

    With ``strata`` (one label per item), items are shuffled only among items with the same
    label: a stratified (restricted) permutation.
    """
    rng = np.random.default_rng(seed)
    if strata is None:
        return np.argsort(rng.random((count, n)), axis=1)
    labels = np.asarray(strata)
    if labels.shape != (n,):
        raise ValueError(f"strata must have one label per item ({n}), got shape {labels.shape}")
    perms = np.tile(np.arange(n), (count, 1))
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)  # [m]
        order = np.argsort(rng.random((count, members.size)), axis=1)  # [count, m]
        perms[:, members] = members[order]
    return perms


@dataclass
class PermutationPlan:
    """A fixed set of label permutations of n items, shared by every test that uses it.

    For permutation π and condensed position e = (i, j), the gather index is the condensed
    position of (π(i), π(j)). Index chunks are built once and, with ``cache=True``, kept
    (B × n_pairs intp: 301 MB for n = 275, B = 1000) for reuse across many matrices — the
    sweep tests hundreds of cells against the same seeded permutations.
    """

    n: int
    permutations: int
    seed: int = 0
    strata: NDArray[np.integer] | None = None
    chunk: int = 32
    cache: bool = False
    _perms: NDArray[np.int64] = field(init=False, repr=False)
    _chunks: list[NDArray[np.intp]] = field(init=False, repr=False, default_factory=list)
    _position: tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.intp]] | None = field(
        init=False, repr=False, default=None
    )

    def __post_init__(self) -> None:
        self._perms = draw_permutations(self.n, self.permutations, self.seed, self.strata)

    @property
    def perms(self) -> NDArray[np.int64]:
        return self._perms

    def gather_index(self, which: NDArray[np.integer] | slice) -> NDArray[np.intp]:
        """Gather indices of the chosen permutations: [len(which), n_pairs]."""
        if self._position is None:
            iu, ju = np.triu_indices(self.n, k=1)
            position = np.zeros((self.n, self.n), dtype=np.intp)  # condensed index of (i, j)
            position[iu, ju] = position[ju, iu] = np.arange(iu.size)
            self._position = (iu, ju, position)
        iu, ju, position = self._position
        p = self._perms[which]  # [b, n]
        return np.ascontiguousarray(position[p[:, iu], p[:, ju]])

    def index_chunks(self) -> Iterator[NDArray[np.intp]]:
        if self._chunks:
            yield from self._chunks
            return
        built = []
        for start in range(0, self.permutations, self.chunk):
            idx = self.gather_index(slice(start, start + self.chunk))  # [b, n_pairs]
            if self.cache:
                built.append(idx)
            yield idx
        self._chunks = built

    def null(
        self, moving: NDArray[np.floating], fixed: NDArray[np.floating]
    ) -> NDArray[np.float64]:
        """Permuted correlations of every (fixed, moving) column pair: [B, k_fixed, k_moving].

        ``moving``: standardised upper triangles of the permuted matrices, [n_pairs, k_moving];
        ``fixed``: those held still, [n_pairs, k_fixed]. Moving columns are packed into 32-byte
        rows (8 float32 or 4 float64) so one gather fetches all of them (``np.take`` copies
        32-byte items several times faster than fancy indexing gathers sub-arrays, and about
        twice as fast as fancy indexing of the same items); one batched product then
        serves all fixed columns. float64 input is computed in float64, anything else float32.
        """
        moving = np.asarray(moving)
        dtype = np.float64 if moving.dtype == np.float64 else np.float32
        width = 32 // np.dtype(dtype).itemsize  # columns per 32-byte row
        k_moving = moving.shape[1]
        cols_t = np.ascontiguousarray(np.asarray(fixed, dtype=dtype).T)  # [kf, n_pairs]
        out = np.empty((self.permutations, cols_t.shape[0], k_moving), dtype=np.float64)
        groups = []
        for g in range(0, k_moving, width):
            packed = np.zeros((moving.shape[0], width), dtype=dtype)  # [n_pairs, width]
            packed[:, : min(width, k_moving - g)] = moving[:, g : g + width]
            groups.append((g, packed.view(np.dtype("V32")).ravel()))  # [n_pairs] of 32 B

        start = 0
        for idx in self.index_chunks():
            for g, table in groups:
                used = min(width, k_moving - g)
                rows = np.take(table, idx).view(dtype).reshape(*idx.shape, width)  # [b, n_pairs, w]
                prod = np.matmul(cols_t, rows)  # [b, kf, width]
                out[start : start + idx.shape[0], :, g : g + used] = prod[:, :, :used]
            start += idx.shape[0]
        return out

    def exact_null(
        self, moving: NDArray[np.float64], fixed: NDArray[np.float64], which: NDArray[np.intp]
    ) -> NDArray[np.float64]:
        """The permuted correlations of the chosen permutations in float64 ([len(which)]);
        ``moving`` and ``fixed`` are single standardised columns ([n_pairs])."""
        rows = np.asarray(moving, dtype=np.float64)[self.gather_index(which)]  # [w, n_pairs]
        return np.asarray(rows @ np.asarray(fixed, dtype=np.float64))

    def p_value(
        self,
        observed: float,
        approx: NDArray[np.floating],
        moving: NDArray[np.float64],
        fixed: NDArray[np.float64],
        error: float,
    ) -> float:
        """``permutation_p`` of a null ``approx`` ([B]) known to within ``error`` (e.g. from
        float32 products: ``float32_dot_error``). Null values that may lie on either side of
        the tie threshold are recomputed in float64 first, so the count does not depend on
        the rounding of the fast product (nor on the BLAS kernel that did it)."""
        null = np.asarray(approx, dtype=np.float64)
        threshold = observed - float(tie_tolerance(observed))
        near = np.flatnonzero(np.abs(null - threshold) <= error)
        if near.size:
            null = null.copy()
            null[near] = self.exact_null(moving, fixed, near)
        return float(permutation_p(observed, null))


def symmetric_from_condensed(values: NDArray[np.floating], n: int) -> NDArray[np.float64]:
    """The n×n symmetric matrix with ``values`` (``upper_triangle`` order) off the diagonal and
    zeros on it: Σ_{i<j} a_ij b_ij = ½ ⟨A, B⟩ for two such matrices."""
    iu, ju = np.triu_indices(n, k=1)
    full = np.zeros((n, n), dtype=np.float64)
    full[iu, ju] = full[ju, iu] = np.asarray(values, dtype=np.float64)
    return full


def single_mantel_null(
    fixed: NDArray[np.floating], moving: NDArray[np.floating], perms: NDArray[np.integer]
) -> NDArray[np.float64]:
    """Permuted correlations of one pair of standardised condensed vectors, in float64 ([B]).

    The fast path of a single Mantel test (``PermutationPlan.null`` serves many columns at
    once). Row π of the full symmetric matrix is a contiguous row copy and its columns one
    gather with a 275-entry index that stays in L1, so no per-permutation gather index is
    built: r_π = ½ ⟨X, Y[π][:, π]⟩. Same values as the condensed dot product up to float64
    rounding (``float64_dot_error`` of n² terms).
    """
    p = np.asarray(perms)
    n = p.shape[1]
    x_full = symmetric_from_condensed(fixed, n)  # [n, n]
    y_full = symmetric_from_condensed(moving, n)  # [n, n]
    out = np.empty(p.shape[0], dtype=np.float64)
    rows = np.empty((n, n), dtype=np.float64)  # reused: Y[π]
    cols = np.empty((n, n), dtype=np.float64)  # reused: Y[π][:, π]
    for b in range(p.shape[0]):
        # mode="clip": the indices are valid, and "raise" would copy through a buffer
        np.take(y_full, p[b], axis=0, out=rows, mode="clip")
        np.take(rows, p[b], axis=1, out=cols, mode="clip")
        out[b] = 0.5 * float(np.vdot(x_full, cols))
    return out


def permutation_p(observed: float | FloatArray, null: FloatArray) -> float | FloatArray:
    """One-sided p = (b + 1) / (B + 1), b = #{null >= observed} (column-wise for arrays).

    A null value within ``tie_tolerance`` below the observed value counts as a tie
    (conservative): a permutation that leaves the statistic unchanged in exact arithmetic
    (the identity, or one that swaps identical items) then counts whatever the rounding.
    """
    obs = np.asarray(observed, dtype=np.float64)
    b = np.sum(null >= obs - tie_tolerance(obs), axis=0)
    p = (b + 1.0) / (null.shape[0] + 1.0)
    return float(p) if np.ndim(p) == 0 else p

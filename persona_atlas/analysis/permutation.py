"""Vectorised permutation nulls for matrix correlations (the engine behind ``mantel``).

A Mantel null permutes the *persona labels* of one matrix: the statistic for permutation π is
the correlation between x_ij and y_π(i)π(j) over the strict upper triangle. Permuting labels
only reorders the off-diagonal entries, so the mean and norm of the moving side do not change;
with both sides centred and unit-normalised, every permuted Pearson r is a dot product. For
many permutations that is one gather of B×n_pairs entries followed by one matrix product
against every fixed column at once — no Python loop per permutation.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy.stats import rankdata

FloatArray = NDArray[np.floating]


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

    def __post_init__(self) -> None:
        self._perms = draw_permutations(self.n, self.permutations, self.seed, self.strata)

    @property
    def perms(self) -> NDArray[np.int64]:
        return self._perms

    def index_chunks(self) -> Iterator[NDArray[np.intp]]:
        if self._chunks:
            yield from self._chunks
            return
        iu, ju = np.triu_indices(self.n, k=1)
        position = np.zeros((self.n, self.n), dtype=np.intp)  # condensed index of (i, j)
        position[iu, ju] = position[ju, iu] = np.arange(iu.size)
        built = []
        for start in range(0, self.permutations, self.chunk):
            p = self._perms[start : start + self.chunk]  # [b, n]
            idx = np.ascontiguousarray(position[p[:, iu], p[:, ju]])  # [b, n_pairs]
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


def permutation_p(observed: float | FloatArray, null: FloatArray) -> float | FloatArray:
    """One-sided p = (b + 1) / (B + 1), b = #{null >= observed} (column-wise for arrays).

    A relative tolerance of 1e-6 counts float-rounding ties as ties (conservative): the
    null is computed in float32 on the hot path.
    """
    obs = np.asarray(observed, dtype=np.float64)
    tol = 1e-6 * np.maximum(1.0, np.abs(obs))
    b = np.sum(null >= obs - tol, axis=0)
    p = (b + 1.0) / (null.shape[0] + 1.0)
    return float(p) if np.ndim(p) == 0 else p

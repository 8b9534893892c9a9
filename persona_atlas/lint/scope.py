"""Which stored values a typed number's context refers to.

Every numeric leaf has a `describe.Descriptor` (terms, recipes, layer); a number's
`TextContext` (built by `context`) carries weighted terms, the recipes and layers its text
names, and any bound (``≥ 0.99``). `ScopeIndex.in_scope` rates every leaf against a context:

1. **pinning** — a leaf that belongs to recipes or to a layer is a candidate only if the
   context names that layer and every one of those recipes (``pairs.A__B.by_layer.layer_24``
   needs "A", "B" and "layer 24"), unless its whole family shares them. Of several named
   layers, only the one nearest the number pins (the highest-weight ``l:`` term of
   `TextContext.near`; the layers of one list or span weigh the same, so each of them does);
   of several named recipe sets of one size, likewise the nearest (``A vs B`` against
   ``A vs C2``). A leaf of another named layer or pair is out of scope. A bound is pinned by
   every named layer and recipe set (``nearest=False``): it must hold for each;
2. **overlap** — the others score Σ weight × specificity over the terms they share with the
   context (specificity ``n / (n + df)`` for a term ``df`` of the ``n`` values have: ½ for a
   term every value has, towards 1 for a rare one);
3. **scope** — the leaves scoring at least `SCOPE_RATIO` of the best one, and at most
   `SCOPE_SIZE` of them: a tie that large means the context tells nothing apart.

A context that shares no term with any leaf names nothing: its numbers cannot match.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

import numpy as np
from scipy import sparse

from persona_atlas.lint.describe import Descriptor, identity_free, recipe_term

#: A leaf is in scope when it scores at least this fraction of the best-scoring leaf, and
#: is among the `SCOPE_SIZE` best (a tie that would pass it makes none of its leaves in scope).
SCOPE_RATIO = 0.8
SCOPE_SIZE = 24


@dataclass
class TextContext:
    """What the text around one number names (built by `context.contexts`)."""

    weights: dict[str, float] = field(default_factory=dict)
    """term → weight (1.0 next to the number, less further away); ``r:<recipe>``,
    ``l:<layer>`` and ``#<issue>`` terms included."""
    recipes: frozenset[str] = frozenset()
    layers: frozenset[int] = frozenset()
    relation: str | None = None
    """``≥``, ``>``, ``≤`` or ``<`` when the number is a bound (``≥ 0.99``, ``0.99+``)."""
    layer_ref: bool = False
    """The number names a layer (``layer 24``, ``layers 10, 15 and 20``, a Layer column)."""
    bound_layer: int | None = None
    """The layer of the nearest ``value()`` in the sentence whose path names one."""
    near: dict[str, float] = field(default_factory=dict)
    """How near each ``r:<recipe>`` / ``l:<layer>`` mention stands, when a sentence names
    several (empty: `weights` tell)."""

    def key(self) -> tuple[Any, ...]:
        return (
            tuple(sorted(self.weights.items())),
            self.recipes,
            self.layers,
            tuple(sorted(self.near.items())),
        )


class ScopeIndex:
    """Descriptors of a list of stored values, indexed for scoring contexts against them: a
    sparse leaf × term matrix, so that scoring a context costs one sparse product."""

    def __init__(
        self,
        descriptors: Sequence[Descriptor],
        vocab: Mapping[str, int],
        families: Sequence[str] | None = None,
    ) -> None:
        self.descriptors = list(descriptors)
        self.vocab = vocab
        n = len(self.descriptors)
        self.n = n
        free_r, free_l = (
            identity_free(self.descriptors, families) if families else ([False] * n,) * 2
        )
        bits: dict[str, int] = {}
        rmask = np.zeros(n, dtype=np.int64)
        layer = np.full(n, -1, dtype=np.int64)
        masks: dict[frozenset[str], int] = {}
        for i, d in enumerate(self.descriptors):
            if d.recipes and not free_r[i]:
                m = masks.get(d.recipes)
                if m is None:
                    m = 0
                    for r in d.recipes:
                        m |= 1 << bits.setdefault(r, min(len(bits), 62))
                    masks[d.recipes] = m
                rmask[i] = m
            if d.layer is not None and not free_l[i]:
                layer[i] = d.layer
        self._sets = masks  # each recipe set some leaf is pinned to → its bit mask
        self._rmask = rmask
        self._layer = layer
        width = max(vocab.values(), default=-1) + 1
        lengths = np.fromiter((len(d.ids) for d in self.descriptors), dtype=np.int64, count=n)
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        indices = np.fromiter(
            chain.from_iterable(d.ids for d in self.descriptors), dtype=np.int64, count=indptr[-1]
        )
        matrix = sparse.csr_matrix((np.ones(len(indices)), indices, indptr), shape=(n, width))
        matrix.sum_duplicates()
        matrix.data[:] = 1.0  # a term counts once per value
        self._matrix = matrix
        df = np.bincount(matrix.indices, minlength=width)
        # how telling a term is: 1/2 for a term every value has, towards 1 for a rare one —
        # deliberately flat, so that the term nearest the number decides, not the rarest
        self.specificity = np.where(df > 0, n / (n + np.maximum(df, 1)), 0.0)
        self._pinned: dict[tuple[frozenset[int], frozenset[int]], np.ndarray] = {}

    @property
    def matrix(self) -> sparse.csr_matrix:
        """Leaf × term, 1.0 where the leaf's description has the term."""
        return self._matrix

    @property
    def pins(self) -> tuple[np.ndarray, np.ndarray]:
        """Per leaf: the mask of the recipe set it is pinned to (0: none) and its pinning layer
        (-1: none)."""
        return self._rmask, self._layer

    def _pins(self, ctx: TextContext, nearest: bool) -> tuple[frozenset[int], frozenset[int]]:
        """(recipe-set masks, layers) that pin: those the context names or, with ``nearest``,
        of each size the highest-weight recipe set and the highest-weight layer (ties kept)."""
        named = [(r, m) for r, m in self._sets.items() if r <= ctx.recipes]
        layers = ctx.layers
        if not nearest:
            return frozenset(m for _, m in named), layers
        w = ctx.near or ctx.weights
        top: dict[int, float] = {}
        weighed = []
        for r, m in named:
            # a set is as near as the furthest of its recipes ("A vs C2" for a number after C2)
            wr = min(w.get(recipe_term([x]), 0.0) for x in r)
            if not ctx.near:  # a table row: its own pair weighs in ``weights``
                wr = w.get(recipe_term(r), wr)
            weighed.append((r, m, wr))
            top[len(r)] = max(top.get(len(r), 0.0), wr)
        masks = frozenset(m for r, m, wr in weighed if wr >= top[len(r)])
        if len(layers) > 1:
            best = max(w.get(f"l:{n}", 0.0) for n in layers)
            layers = frozenset(n for n in layers if w.get(f"l:{n}", 0.0) >= best)
        return masks, layers

    def pinned(self, ctx: TextContext, nearest: bool = True) -> np.ndarray:
        """Leaves whose recipes and layer pin them to the context (see `_pins`), or that need
        no pinning."""
        key = self._pins(ctx, nearest)
        hit = self._pinned.get(key)
        if hit is None:
            masks, layers = key
            ok = self._rmask == 0
            for m in masks:  # a few: faster than np.isin
                ok |= self._rmask == m
            at = self._layer < 0
            for n in layers:
                at |= self._layer == n
            hit = ok & at
            self._pinned[key] = hit
        return hit

    def scores(self, ctx: TextContext, nearest: bool = True) -> np.ndarray:
        """Each leaf's score against the context; -1 where it is not pinned."""
        width = self._matrix.shape[1]
        w = np.zeros(width)
        for t, weight in ctx.weights.items():
            i = self.vocab.get(t)
            if i is not None and i < width:
                w[i] = weight * self.specificity[i]
        s = self._matrix @ w
        s[~self.pinned(ctx, nearest)] = -1.0
        return s

    def in_scope(self, ctx: TextContext, nearest: bool = True) -> tuple[np.ndarray, float]:
        """(scores, cut): a leaf is in scope when its score is ≥ cut; ``cut`` is infinite when
        nothing is in scope (no leaf shares a term, or the best ones are too many to tell).
        ``nearest``: pinned by the layer and recipe set nearest the number (`_pins`)."""
        s = self.scores(ctx, nearest)
        best = float(s.max()) if self.n else 0.0
        if best <= 0:
            return s, math.inf
        cut = best * SCOPE_RATIO
        top = s[s >= cut]
        if len(top) > SCOPE_SIZE:
            levels = np.sort(np.unique(top))[::-1]
            counts = np.array([np.count_nonzero(top >= v) for v in levels])
            fits = levels[counts <= SCOPE_SIZE]
            cut = float(fits[-1]) if len(fits) else math.inf
        return s, cut

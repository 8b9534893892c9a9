"""Which stored values support a typed number: an index over every numeric leaf.

result.json and run.json are flattened to path → value (list elements and table cells
included; booleans and strings are not numbers). Values are kept sorted, so the values that
round to a token are found by bisection — O(log n) per number instead of a scan — and the
nearest candidates for a failure come from the same neighbourhood.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from persona_atlas import jsonpath
from persona_atlas.site.lint.numbers import Claim


@dataclass(frozen=True)
class Candidate:
    """A stored value and where it lives (``run.`` / ``<file>:`` prefix for other files)."""

    path: str
    value: float

    def show(self) -> str:
        v = self.value
        shown = str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else f"{v:.8g}"
        return f"{self.path} = {shown}"


def numeric_leaves(doc: Any, prefix: str = "") -> Iterable[tuple[str, float]]:
    """(path, value) for every int/float leaf; ``prefix`` is prepended to each path."""
    for path, leaf in jsonpath.flatten(doc):
        if isinstance(leaf, int | float) and not isinstance(leaf, bool) and math.isfinite(leaf):
            yield prefix + path, float(leaf)


class ValueIndex:
    """Sorted numeric values of one or more JSON documents."""

    def __init__(self, leaves: Iterable[tuple[str, float]]) -> None:
        pairs = sorted(leaves, key=lambda pv: pv[1])
        self.paths = [p for p, _ in pairs]
        self.values = [v for _, v in pairs]

    @classmethod
    def of(cls, docs: dict[str, Any]) -> ValueIndex:
        """Index documents by prefix: ``{"": result, "run.": run}``."""
        leaves: list[tuple[str, float]] = []
        for prefix, doc in docs.items():
            if doc is not None:
                leaves.extend(numeric_leaves(doc, prefix))
        return cls(leaves)

    def __len__(self) -> int:
        return len(self.values)

    def matches(self, claim: Claim, limit: int = 3) -> list[Candidate]:
        """Up to ``limit`` stored values that support the claim (empty: it fails)."""
        found: list[Candidate] = []
        if claim.integer:
            spans = [(claim.value, claim.value)]
            if claim.absolute:
                spans.append((-claim.value, -claim.value))
        else:
            spans = claim.intervals()
        for lo, hi in spans:
            lo, hi = lo - 1e-12 * max(1.0, abs(lo)), hi + 1e-12 * max(1.0, abs(hi))
            i = bisect.bisect_left(self.values, lo)
            while i < len(self.values) and self.values[i] <= hi and len(found) < limit:
                if claim.accepts(self.values[i]):
                    found.append(Candidate(self.paths[i], self.values[i]))
                i += 1
        return found

    def nearest(self, claim: Claim, k: int = 3) -> list[Candidate]:
        """The ``k`` distinct stored values closest to the claim, in the claim's units."""
        targets = [(claim.value, 1.0)]
        if claim.percent:
            targets.append((claim.value / 100.0, 100.0))
        if claim.absolute:
            targets += [(-t, s) for t, s in targets]
        best: dict[float, tuple[float, int]] = {}  # value -> (distance, first index)
        for target, scale in targets:
            i = bisect.bisect_left(self.values, target)
            for j in self._distinct_around(i, k):
                d = abs(self.values[j] - target) * scale
                v = self.values[j]
                if v not in best or d < best[v][0]:
                    best[v] = (d, j)
        ranked = sorted(best.values())[:k]
        return [Candidate(self.paths[j], self.values[j]) for _, j in ranked]

    def _distinct_around(self, i: int, k: int) -> list[int]:
        """Indices of the first entry of up to ``k`` distinct values on each side of ``i``."""
        out: list[int] = []
        for step, j in ((-1, i - 1), (1, i)):
            seen: set[float] = set()
            while 0 <= j < len(self.values) and len(seen) < k:
                if self.values[j] not in seen:
                    seen.add(self.values[j])
                    out.append(j)
                j += step
        return out


def naive_matches(leaves: list[tuple[str, float]], claim: Claim) -> list[Candidate]:
    """Linear scan over every leaf: the baseline the benchmark and the tests compare with."""
    return [Candidate(p, v) for p, v in leaves if claim.accepts(v)]

"""Which stored values support a typed number: an index over every numeric leaf.

result.json and run.json are flattened to path → value (list elements and table cells
included; booleans and strings are not numbers). Values are kept sorted, so the values that
round to a token are found by bisection — O(log n) per number instead of a scan — and the
nearest candidates for a failure come from the same neighbourhood. This is the unscoped
half of a lookup: `lookup.Lookup` keeps, of `ValueIndex.candidate_ids`, those its context
refers to. `naive_matches` is the linear scan it must agree with (the tests) and is measured
against (the benchmark's baseline).
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

from persona_atlas import jsonpath
from persona_atlas.lint.numbers import Claim, is_percent_key
from persona_atlas.lint.summary import summary_leaves

#: Stand-in leaves of summarised lists (`summary`), each after this many real leaves.
Summaries = list[tuple[int, list[tuple[str, float]]]]


@dataclass(frozen=True)
class Candidate:
    """A stored value and where it lives (``run.`` / ``<file>:`` prefix for other files)."""

    path: str
    value: float
    high: float | None = None
    """Set for a range candidate: ``value`` … ``high`` are a collection's min and max."""

    def show(self) -> str:
        if self.high is not None:
            return f"{self.path} = [{_num(self.value)} … {_num(self.high)}]"
        return f"{self.path} = {_num(self.value)}"


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else f"{v:.8g}"


def is_number(v: Any) -> bool:
    """An int or a finite float (not a bool): what `numeric_leaves` indexes."""
    t = type(v)
    if t is float:
        return math.isfinite(v)
    return t is int or (isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v))


def numeric_leaves(
    doc: Any,
    prefix: str = "",
    skip: AbstractSet[int] = frozenset(),
    summaries: Summaries | None = None,
) -> list[tuple[str, float]]:
    """(path, value) for every int/float leaf, in document order, with `jsonpath` paths
    (``prefix`` prepended). Paths are built incrementally: formatting each from scratch
    dominated the lint of a large result. The lists whose ``id()`` is in ``skip`` are not
    walked; their `summary.summary_leaves` go to ``summaries``."""
    out: list[tuple[str, float]] = []
    keys: dict[str, str] = {}

    def key_step(key: str, root: bool) -> str:
        step = keys.get(key)
        if step is None:
            step = jsonpath.format_path([key])
            keys[key] = step
        return step if root or step.startswith("[") else "." + step

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, path + key_step(str(k), not path))
        elif isinstance(node, list):
            if id(node) in skip:
                if summaries is not None:
                    summaries.append((len(out), summary_leaves(node, prefix + path)))
                return
            for i, v in enumerate(node):
                walk(v, f"{path}[{i}]")
        elif is_number(node):
            out.append((prefix + path, float(node)))

    walk(doc, "")
    return out


def _is_cell(path: str) -> bool:
    return ".rows[" in path


def percent_paths(doc: Any, leaves: Iterable[tuple[str, float]], prefix: str) -> set[str]:
    """Leaves stored as percents: the key, or the table column, says ``pct``/``percent``."""
    columns: dict[str, set[int]] = {}
    tables = doc.get("tables") if isinstance(doc, dict) else None
    for name, table in (tables or {}).items():
        cols = table.get("columns", []) if isinstance(table, dict) else []
        hits = {i for i, c in enumerate(cols) if is_percent_key(str(c))}
        if hits:
            columns[f"{prefix}{jsonpath.format_path(['tables', str(name)])}.rows["] = hits
    out = set()
    for path, _ in leaves:
        low = path.lower()
        if ("pct" in low or "percent" in low) and is_percent_key(path[len(prefix) :]):
            out.add(path)
        elif columns and ".rows[" in path:
            head, _, last = path.rpartition("[")
            table = head.rpartition("[")[0] + "["
            if table in columns and last[:-1].isdigit() and int(last[:-1]) in columns[table]:
                out.add(path)
    return out


class ValueIndex:
    """Sorted numeric values of one or more JSON documents."""

    def __init__(
        self,
        leaves: Iterable[tuple[str, float]],
        percent: AbstractSet[str] = frozenset(),
        summaries: Iterable[tuple[int, list[tuple[str, float]]]] = (),
    ) -> None:
        self.leaves = list(leaves)  # document order (ranges read first → last from it)
        self.summaries = list(summaries)
        order = sorted(range(len(self.leaves)), key=lambda i: self.leaves[i][1])
        self.order = order  # sorted position → position in document order
        self.paths = [self.leaves[i][0] for i in order]
        self.values = [self.leaves[i][1] for i in order]
        self._collections: dict[frozenset[str], dict[str, tuple[float, float]]] = {}
        self.percents: ValueIndex | None = None
        self.percent_ids: list[int] = []  # document position of each of `percents`' leaves
        if percent:
            self.percent_ids = [i for i, pv in enumerate(self.leaves) if pv[0] in percent]
            self.percents = ValueIndex([self.leaves[i] for i in self.percent_ids])

    @classmethod
    def of(cls, docs: dict[str, Any], skip: AbstractSet[int] = frozenset()) -> ValueIndex:
        """Index documents by prefix: ``{"": result, "run.": run}``; the lists in ``skip``
        (`summary.oversized`) are summarised, not indexed."""
        leaves: list[tuple[str, float]] = []
        percent: set[str] = set()
        summaries: Summaries = []
        for prefix, doc in docs.items():
            if doc is not None:
                found_summaries: Summaries = []
                found = numeric_leaves(doc, prefix, skip, found_summaries)
                percent |= percent_paths(doc, found, prefix)
                summaries += [(len(leaves) + at, extra) for at, extra in found_summaries]
                leaves.extend(found)
        return cls(leaves, percent, summaries)

    def summarised_paths(self) -> list[str]:
        """The paths of the summarised lists (`summary`), in document order."""
        return [_SUMMARY_TAIL.sub("", extra[0][0]) for _, extra in self.summaries if extra]

    def _with_summaries(self) -> Iterator[tuple[str, float]]:
        """Every leaf, and the stand-ins of summarised lists where they stand."""
        done = 0
        for at, extra in self.summaries:
            yield from self.leaves[done:at]
            yield from extra
            done = at
        yield from self.leaves[done:]

    def __len__(self) -> int:
        return len(self.values)

    def _positions(self, claim: Claim, spans: list[tuple[float, float]]) -> list[int]:
        """Sorted positions of the values that support the claim: a bisection per interval
        (an integer claim wants the integral value itself)."""
        found: list[int] = []
        for lo, hi in spans:
            if claim.integer:
                lo = hi = (lo + hi) / 2
            else:
                lo, hi = lo - claim.slack, hi + claim.slack
            found.extend(
                range(bisect.bisect_left(self.values, lo), bisect.bisect_right(self.values, hi))
            )
        return found

    def candidate_ids(self, claim: Claim) -> list[int]:
        """Document positions of every stored value that supports the claim (unscoped)."""
        ids = [self.order[i] for i in self._positions(claim, claim.intervals())]
        if claim.percent and self.percents is not None:
            sub = self.percents
            spans = claim.intervals(percent_key=True)
            ids += [self.percent_ids[sub.order[i]] for i in sub._positions(claim, spans)]
        return ids

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
        return [Candidate(self.paths[j], self.values[j]) for j in map(self._best_named, ranked)]

    def _best_named(self, ranked: tuple[float, int]) -> int:
        """Among entries equal to ``values[j]``, the one with the most telling path: a named
        metric before a table cell, shorter before longer."""
        j = ranked[1]
        lo, hi, v = j, j, self.values[j]
        while lo > 0 and self.values[lo - 1] == v and j - lo < 64:
            lo -= 1
        while hi + 1 < len(self.values) and self.values[hi + 1] == v and hi - j < 64:
            hi += 1
        return min(range(lo, hi + 1), key=lambda i: (_is_cell(self.paths[i]), len(self.paths[i])))

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

    # -- ranges -------------------------------------------------------------------------
    def collections(self, names: AbstractSet[str] = frozenset()) -> dict[str, tuple[float, float]]:
        """(min, max) of every collection a range may describe; built on first use for each
        ``names``: key parts that name things (recipes ``c1``), whose digits stay."""
        key = frozenset(names)
        hit = self._collections.get(key)
        if hit is None:
            hit = self._collections[key] = collections_of(self._with_summaries(), key)
        return hit

    def range_nearest(
        self, low: Claim, high: Claim, k: int = 3, names: AbstractSet[str] = frozenset()
    ) -> list[Candidate]:
        """The ``k`` collections (see `collections`) whose min and max are closest to the
        range's ends."""

        def distance(bounds: tuple[float, float]) -> float:
            lo, hi = bounds
            scale = 100.0 if low.percent and abs(lo) <= 1.5 else 1.0
            return abs(lo * scale - low.value) + abs(hi * scale - high.value)

        found = self.collections(names).items()
        ranked = sorted(found, key=lambda kv: (distance(kv[1]), kv[0]))
        return [Candidate(name, lo, hi) for name, (lo, hi) in ranked[:k]]


#: The name suffix of a collection's (first, last) entry: a trajectory, not a range.
TRAJECTORY = " (first → last)"
_SUMMARY_TAIL = re.compile(r"\[0\](?:\[\d+\])?$")
#: Sibling keys that state a range directly (``ranges.cos_min.min`` / ``.max``), alone or as
#: the first or last word of a key (``ci95_low`` / ``ci95_high``, ``lower_ci`` / ``upper_ci``).
RANGE_KEYS = {"min": "max", "lo": "hi", "low": "high", "lower": "upper"}
#: An object holding this many numbers or more is a map of named items (per persona, per
#: question), and its numbers a collection a range may describe.
OBJECT_ITEMS = 8
_RANGE_WORDS = {**RANGE_KEYS, **{v: k for k, v in RANGE_KEYS.items()}}


def range_key(key: str) -> tuple[str, str] | None:
    """(the key with its range word as ``{}``, the range word) or None: ``ci95_low`` →
    (``ci95_{}``, ``low``), ``max`` → (``{}``, ``max``)."""
    parts = key.split("_")
    if parts[-1].lower() in _RANGE_WORDS:
        return "_".join([*parts[:-1], "{}"]), parts[-1].lower()
    if len(parts) > 1 and parts[0].lower() in _RANGE_WORDS:
        return "_".join(["{}", *parts[1:]]), parts[0].lower()
    return None


_INDEX = re.compile(r"\[\d+\]")
_DIGIT_KEY = re.compile(r"(?<=\.)[^.\[]*\d[^.\[]*")


def collections_of(
    leaves: Iterable[tuple[str, float]], names: AbstractSet[str] = frozenset()
) -> dict[str, tuple[float, float]]:
    """Bounds of each collection of values a prose range ``X–Y`` may describe.

    Collections: sibling ``min``/``max`` (``lo``/``hi``, ``ci95_low``/``ci95_high``, ...)
    keys; the numbers of one object with `OBJECT_ITEMS` or more (``{"persona_a": 0.83, …}``: a
    map of named items, not a record of a few metrics); every list
    and table column (``tables.cells.rows[*][5]``); and families of paths that differ only in keys
    holding numbers (``pairs.A__C1.by_layer.layer_#.cos_min``, or ``*`` for the whole key).
    A list or family yields two entries: its (min, max) — a range — and its (first, last)
    in document order — a trajectory ("rises from 0.49 at layer 0 to 0.90").
    """
    out: dict[str, list[float]] = {}  # name -> [min, max, first, last]
    siblings: dict[tuple[str, str], dict[str, float]] = {}
    children: dict[str, list[float]] = {}  # an object's numbers, by the object's path
    for path, v in leaves:
        parent, _, key = path.rpartition(".")
        split = range_key(key)
        if split:
            siblings.setdefault((parent, split[0]), {})[split[1]] = v
        elif parent and "[" not in key:
            children.setdefault(parent, []).append(v)
        for name in _families(path, names):
            b = out.get(name)
            if b is None:
                out[name] = [v, v, v, v]
            else:
                b[0], b[1], b[3] = min(b[0], v), max(b[1], v), v
    found = {
        f"{parent}.{stem.format('{' + lo_key + ',' + hi_key + '}')}": (keys[lo_key], keys[hi_key])
        for (parent, stem), keys in siblings.items()
        for lo_key, hi_key in RANGE_KEYS.items()
        if lo_key in keys and hi_key in keys
    }
    for parent, values in children.items():  # {"persona_a": 0.83, "persona_b": 1.0, …}
        if len(values) >= OBJECT_ITEMS and f"{parent}.* (range)" not in found:
            out.setdefault(f"{parent}.*", [min(values), max(values), values[0], values[-1]])
    for name, (lo, hi, first, last) in out.items():
        found[f"{name} (range)"] = (lo, hi)
        if (first, last) not in ((lo, hi), (hi, lo)):
            found[f"{name}{TRAJECTORY}"] = (first, last)
    return found


def _masked(key: str, names: AbstractSet[str]) -> str:
    """``a__c1__layer7`` → ``a__c1__layer#`` when ``c1`` is a name; digits elsewhere → ``#``."""
    return "__".join(
        part if part.lower() in names else re.sub(r"\d+", "#", part) for part in key.split("__")
    )


def _families(path: str, names: AbstractSet[str] = frozenset()) -> set[str]:
    found = set()
    indices = _INDEX.findall(path)
    base = _INDEX.sub("[*]", path)
    if indices:
        found.add(base)
        if len(indices) > 1:  # a table or matrix column: keep the last index
            head, _, last = path.rpartition("[")
            found.add(_INDEX.sub("[*]", head) + "[" + last)
    if _DIGIT_KEY.search(base):
        found.add(_DIGIT_KEY.sub(lambda m: _masked(m.group(), names), base))
        found.add(_DIGIT_KEY.sub("*", base))
    return found


def naive_matches(
    leaves: list[tuple[str, float]], claim: Claim, percent: Iterable[str] = ()
) -> list[Candidate]:
    """Linear scan over every leaf: the baseline the benchmark and the tests compare with."""
    pct = set(percent)
    if claim.integer:
        targets = {claim.value, -claim.value} if claim.absolute else {claim.value}
        return [Candidate(p, v) for p, v in leaves if v in targets]
    e = claim.slack
    spans = [(a - e, b + e) for a, b in claim.intervals()]
    raw = [(a - e, b + e) for a, b in claim.intervals(percent_key=True)] if claim.percent else []
    return [
        Candidate(p, v)
        for p, v in leaves
        if any(a <= v <= b for a, b in spans) or (p in pct and any(a <= v <= b for a, b in raw))
    ]

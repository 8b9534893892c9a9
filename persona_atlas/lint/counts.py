"""Counted claims: "All 60 cells are KILL", "57 of 60 cells are KILL", "none of the 6 cells
are GREY" — checked against the verdicts the result stores, not only against its totals.

A number in such a sentence matches a stored count when it is one: 60 is the number of cells,
but "all 60 cells are KILL" claims that 60 cells *are KILL*, which is false when 57 are. The
units are the rows of a table with a ``verdict`` column named after the noun (``cells`` →
``tables.cells``), or else ``metrics.verdict_counts`` for "cells"; the sentence narrows them
by the values of the table's other text columns it names (``A vs B``, ``load-bearing``) and
by the layers it names (``at layer 24``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from persona_atlas import jsonpath
from persona_atlas.lint.matching import Candidate, is_number
from persona_atlas.lint.terms import layers_in_text, singular

_N = r"\d{1,3}(?:,\d{3})+|\d+"
_BE = r"(?:are|were|is|was|came\s+out|come\s+out|ended\s+up)(?:\s+(?:all|both|a|an|rated|labell?ed|marked|classified\s+as|called))*"
_WHAT = r"(?P<what>[^.;:!?\n]{1,80}?)"
_VERDICT = r"[*_`\"']*(?P<v>[A-Za-z][\w-]*)[*_`\"']*"
#: (kind, pattern): ``all``: count(V) = N = total; ``none``: count(V) = 0, total = N;
#: ``part``: count(V) = K and total = N.
_PATTERNS = (
    (
        "all",
        re.compile(
            rf"\b(?:all|every\s+one\s+of|each\s+of|all\s+of)\s+(?:the\s+)?(?P<n>{_N})\s+"
            rf"{_WHAT}\s+{_BE}\s+{_VERDICT}",
            re.IGNORECASE,
        ),
    ),
    (
        "all",  # "the 60 cells are all KILL"
        re.compile(
            rf"(?<![\w.,])(?P<n>{_N})\s+{_WHAT}\s+(?:are|were)\s+all\s+{_VERDICT}",
            re.IGNORECASE,
        ),
    ),
    (
        "none",
        re.compile(
            rf"\b(?:none|not\s+one|no\s+one)\s+of\s+(?:the\s+)?(?P<n>{_N})\s+{_WHAT}\s+{_BE}\s+"
            rf"{_VERDICT}",
            re.IGNORECASE,
        ),
    ),
    (
        "part",
        re.compile(
            rf"(?<![\w.,])(?P<k>{_N})\s+(?:of|out\s+of)\s+(?:the\s+|all\s+)?(?P<n>{_N})\s+"
            rf"{_WHAT}\s+{_BE}\s+{_VERDICT}",
            re.IGNORECASE,
        ),
    ),
)


@dataclass(frozen=True)
class CountClaim:
    """One counted claim in the prose: which number says what."""

    kind: str  # "all", "none" or "part"
    verdict: str
    what: str
    total_at: int  # offset of the total N in the prose
    part_at: int | None  # offset of K in "K of N"


@dataclass(frozen=True)
class CountVerdict:
    ok: bool
    candidate: Candidate
    note: str = ""


@dataclass
class _Units:
    """The rows of one verdict table, counted by (text cells, layer, verdict)."""

    path: str
    noun: str
    counts: Counter[tuple[tuple[str, ...], int | None, str]]


class VerdictCounts:
    """Verdict counts of a result, for checking counted claims."""

    def __init__(self, docs: Mapping[str, Any]) -> None:
        self._docs = docs
        self.units: dict[str, _Units] = {}
        for prefix, doc in docs.items():
            if isinstance(doc, dict):
                self._collect(prefix, doc)
        self.verdicts = {v.upper(): v for u in self.units.values() for _, _, v in u.counts}

    def _collect(self, prefix: str, doc: dict[str, Any]) -> None:
        tables = doc.get("tables")
        for name, t in (tables if isinstance(tables, dict) else {}).items():
            cols = t.get("columns") if isinstance(t, dict) else None
            if (
                not isinstance(cols, list)
                or "verdict" not in cols
                or len(t.get("rows", ())) > 10**6
            ):
                continue
            v, layer = cols.index("verdict"), cols.index("layer") if "layer" in cols else None
            counts: Counter[tuple[tuple[str, ...], int | None, str]] = Counter()
            for row in t["rows"]:
                if (
                    not isinstance(row, list)
                    or len(row) != len(cols)
                    or not isinstance(row[v], str)
                ):
                    continue
                texts = tuple(c for j, c in enumerate(row) if j != v and isinstance(c, str))
                at: Any = row[layer] if layer is not None else None
                counts[(texts, int(at) if is_number(at) else None, row[v])] += 1
            noun = singular(str(name).lower())
            self.units.setdefault(noun, _Units(f"{prefix}tables.{name}", noun, counts))
        metrics = doc.get("metrics")
        stored = metrics.get("verdict_counts") if isinstance(metrics, dict) else None
        if "cell" not in self.units and isinstance(stored, dict):
            counts = Counter(
                {((), None, str(k)): int(n) for k, n in stored.items() if is_number(n)}
            )
            self.units["cell"] = _Units(f"{prefix}metrics.verdict_counts", "cell", counts)

    def stored_integer(self, path: str) -> int | None:
        """The integral number a ``value()`` path names (``run.`` for run.json), if any."""
        prefix = "run." if path.startswith("run.") else ""
        try:
            v = jsonpath.resolve(self._docs.get(prefix), path.removeprefix(prefix))
        except (KeyError, ValueError, TypeError):
            return None
        return int(v) if is_number(v) and float(v).is_integer() else None

    def claims(self, prose: str) -> Iterator[CountClaim]:
        """Counted claims in the prose whose verdict is one the result has."""
        if not self.units:
            return
        for kind, pattern in _PATTERNS:
            for m in pattern.finditer(prose):
                verdict = self.verdicts.get(m.group("v").upper())
                if verdict is not None:
                    part = m.start("k") if kind == "part" else None
                    yield CountClaim(kind, verdict, m.group("what"), m.start("n"), part)

    def check(self, claim: CountClaim, number: int, at: int) -> CountVerdict | None:
        """Whether ``number`` (the token at ``at``) states the count the claim makes, or
        None when no verdict table's rows are what the claim counts."""
        units = self._units_of(claim.what)
        if units is None:
            return None
        rows = self._select(units, claim.what)
        total = sum(rows.values())
        have = rows.get(claim.verdict, 0)
        scope = f"{units.noun}s{_narrowed(units, claim.what)}"
        shown = (
            f"count of {units.path} rows{_narrowed(units, claim.what)} with verdict {claim.verdict}"
        )
        if at == claim.part_at:
            ok, value = have == number, have
        elif claim.kind == "all":
            ok, value = have == number == total, have
        elif claim.kind == "none":
            ok, value = have == 0 and total == number, have
        else:
            ok, value = total == number, total
            shown = f"count of {units.path} rows{_narrowed(units, claim.what)}"
        note = "" if ok else f"the result has {have} of {total} {scope} {claim.verdict}"
        return CountVerdict(ok, Candidate(shown, float(value)), note)

    def _units_of(self, what: str) -> _Units | None:
        for word in re.findall(r"[A-Za-z][\w-]*", what):
            hit = self.units.get(singular(word.lower()))
            if hit is not None:
                return hit
        return None

    def _select(self, units: _Units, what: str) -> Counter[str]:
        """Verdict counts of the rows the words ``what`` narrow the units to."""
        names = _named_texts(units, what)
        layers = {n for n, *_ in layers_in_text(what)}
        out: Counter[str] = Counter()
        for (texts, layer, verdict), n in units.counts.items():
            if names and not all(any(t in texts for t in group) for group in names):
                continue
            if layers and layer not in layers:
                continue
            out[verdict] += n
        return out


def _named_texts(units: _Units, what: str) -> list[set[str]]:
    """Text cell values the words name, one group per distinct value set (values of one
    column or-ed; ``A vs B`` does not name ``A vs B*``)."""
    found: set[str] = set()
    for texts, _, _ in units.counts:
        for t in texts:
            if t not in found and re.search(rf"(?<![\w*]){re.escape(t)}(?![\w*])", what):
                found.add(t)
    return [{t} for t in sorted(found)] if len(found) <= 1 else _by_position(units, found)


def _by_position(units: _Units, found: set[str]) -> list[set[str]]:
    """Group the named values by the column they stand in (their position among the row's
    text cells), so "A vs B and A vs C2 cells" means either pair."""
    groups: dict[int, set[str]] = {}
    for texts, _, _ in units.counts:
        for j, t in enumerate(texts):
            if t in found:
                groups.setdefault(j, set()).add(t)
    out: list[set[str]] = []
    for g in groups.values():
        if g not in out:
            out.append(g)
    return out


def _narrowed(units: _Units, what: str) -> str:
    named = {t for g in _named_texts(units, what) for t in g}
    names = sorted(t for t in named if not any(t != u and t in u for u in named))
    layers = sorted({n for n, *_ in layers_in_text(what)})
    parts = ([f"'{' / '.join(names)}'"] if names else []) + (
        [f"layer {', '.join(map(str, layers))}"] if layers else []
    )
    return f" of {', '.join(parts)}" if parts else ""

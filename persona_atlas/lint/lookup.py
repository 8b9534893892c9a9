"""Scoped lookup: the stored values that support one claim in its context.

`Lookup` joins the value index (`matching`: which values round to a number) with the scope
index (`scope`: which values the context refers to). A typed number matches when a value in
scope rounds to it; a range when an in-scope collection has those ends; a bound (``≥ 0.99``,
``0.99+``, ``p < 10⁻⁴``) when an in-scope threshold equals it, or it holds exactly for every
subject (layer × recipe set) its context names, or, naming none, for the best-scoring
unpinned values and collections in scope — a bound is not rounded.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from persona_atlas.lint import grading
from persona_atlas.lint.counts import VerdictCounts
from persona_atlas.lint.describe import Describer, Descriptor, recipes_of
from persona_atlas.lint.grading import Identification, identify
from persona_atlas.lint.matching import TRAJECTORY, Candidate, ValueIndex
from persona_atlas.lint.numbers import Claim
from persona_atlas.lint.scope import SCOPE_RATIO, ScopeIndex, TextContext
from persona_atlas.lint.summary import oversized
from persona_atlas.lint.terms import with_parts, word_terms

#: Why a number failed although some stored value rounds to it.
NAMES_NOTHING = "its context names nothing in the result: bind it with value() or name the quantity"
OUT_OF_SCOPE = "no value its context refers to rounds to it"
TRUNCATED = "truncated, not rounded, from the stored value"
TOO_MANY = (
    "its context names more collections than it tells apart, and none of the JSON has this range"
)
NO_LAYER = "the result has no such layer"
OUT_OF_RANGE = "beyond the range of a floating-point number: no stored value can match it"
SUMMARISED = (
    "{} is too large to index value by value (only ranges over it are checked): "
    "bind such a value with value()"
)
_GENERIC_KEYS = frozenset({"tables", "rows", "metrics", "run"})
_LIST_ELEMENT = re.compile(r"layers\[\d+\]$")
_COLUMN = re.compile(r"^(?P<table>.*tables\.[^.\[]+)\.rows\[\*\]\[(?P<col>\d+)\]")


@dataclass(frozen=True)
class Verdict:
    matches: tuple[Candidate, ...] = ()
    nearest: tuple[Candidate, ...] = ()
    """For a failure: the closest values in scope first, then the closest anywhere."""
    in_scope: int = 0
    """How many of `nearest` are in scope."""
    note: str = ""
    unverified: str = ""
    """For a failure the JSON cannot decide: why (its context identifies no stored value);
    empty when the context identifies one and it disagrees (contradicted)."""


def _holds(relation: str, bounds: tuple[float, float], x: float) -> bool:
    lo, hi = bounds
    if relation == "≥":
        return lo >= x
    if relation == ">":
        return lo > x
    if relation == "≤":
        return hi <= x
    return hi < x


class Lookup:
    """Every numeric leaf of some JSON documents, by value and by what it is about."""

    def __init__(self, docs: Mapping[str, Any]) -> None:
        skip = oversized(docs)  # a very large result: its largest lists are summarised
        self.index = ValueIndex.of(dict(docs), skip)
        self.describer = Describer(recipes_of(docs, skip))
        descriptors, families = self.describer.describe(docs, skip)
        if len(descriptors) != len(self.index.leaves):  # pragma: no cover - an invariant
            raise AssertionError("descriptors and leaves disagree")
        self.scope = ScopeIndex(descriptors, self.describer.vocab, families)
        self._columns = _table_columns(docs)
        self.counts = VerdictCounts(docs)
        self._summarised = [(p, _naming_terms(p)) for p in self.index.summarised_paths()]
        self._collections: tuple[list[str], np.ndarray, np.ndarray, ScopeIndex] | None = None
        self._scored: dict[tuple[str, tuple[Any, ...]], tuple[np.ndarray, float]] = {}
        self._layers: dict[str, dict[int, int]] | None = None
        words, joined = self.describer.words, self.describer.joined
        width = self.scope.matrix.shape[1]
        self._counted = np.array(  # each term's weight in a description (`covers`)
            [0.0 if words[t] in joined else self.scope.specificity[t] for t in range(width)]
        )

    # -- scores -------------------------------------------------------------------------
    def _remember(
        self, key: tuple[str, tuple[Any, ...]], hit: tuple[np.ndarray, float]
    ) -> tuple[np.ndarray, float]:
        self._scored[key] = hit
        if len(self._scored) > 512:  # a bounded memo: one array per context
            self._scored.pop(next(iter(self._scored)))
        return hit

    def scored(self, ctx: TextContext, nearest: bool = True) -> tuple[np.ndarray, float]:
        """Leaf scores and cut; ``nearest``: pinned by the layer and recipes nearest the
        number (a bound: by every one its context names)."""
        key = ("leaf" if nearest else "leaf, all pins", ctx.key())
        hit = self._scored.get(key)
        if hit is None:
            hit = self._remember(key, self.scope.in_scope(ctx, nearest))
        return hit

    def _collection_index(self) -> tuple[list[str], np.ndarray, np.ndarray, ScopeIndex]:
        if self._collections is None:
            found = self.index.collections(self.describer.recipes.names)
            names = list(found)
            lo = np.array([found[n][0] for n in names])
            hi = np.array([found[n][1] for n in names])
            descs = [self._describe_collection(n) for n in names]
            self._collections = (names, lo, hi, ScopeIndex(descs, self.describer.vocab))
        return self._collections

    def _describe_collection(self, name: str) -> Descriptor:
        m = _COLUMN.match(name)
        columns = self._columns.get(m.group("table"), []) if m else []
        more = (
            word_terms(columns[int(m.group("col"))])
            if m and int(m.group("col")) < len(columns)
            else ()
        )
        return self.describer.path(name, more)

    def collections_scored(
        self, ctx: TextContext, nearest: bool = True
    ) -> tuple[np.ndarray, float]:
        key = ("collection" if nearest else "collection, all pins", ctx.key())
        hit = self._scored.get(key)
        if hit is None:
            hit = self._remember(key, self._collection_index()[3].in_scope(ctx, nearest))
        return hit

    def candidate(self, i: int) -> Candidate:
        path, value = self.index.leaves[i]
        return Candidate(path, value)

    # -- claims -------------------------------------------------------------------------
    def match(self, claim: Claim, ctx: TextContext) -> Verdict:
        if not claim.representable:
            return Verdict((), (), 0, OUT_OF_RANGE, OUT_OF_RANGE)
        if ctx.layer_ref and claim.integer:
            return self._layer(int(claim.value), ctx)
        if ctx.relation:
            return self._bound(claim, ctx, ctx.relation)
        s, cut = self.scored(ctx)
        ids = self.index.candidate_ids(claim)
        good = sorted((i for i in ids if s[i] >= cut), key=lambda i: (-s[i], i))
        if good:
            return Verdict(tuple(self.candidate(i) for i in good[:3]))
        if cut < np.inf:  # the value its context singles out, cut to the written digits
            scoped = np.nonzero(s >= cut)[0]
            singled = self._identify(scoped, ctx).values
            cut_to = [
                int(i)
                for i in scoped
                if self.index.leaves[i][1] in singled and claim.truncates(self.index.leaves[i][1])
            ]
            if len(set(singled)) <= grading.FEW and cut_to:
                return Verdict((self.candidate(cut_to[0]),), note=TRUNCATED)
        return self._failure(claim, s, cut, ids, ctx)

    def _layer(self, n: int, ctx: TextContext) -> Verdict:
        """A layer reference: the result (or the file whose issue the text names) has it, and
        a value bound next to it (``at layer 7 is {{ value("….layer_7.cos_min") }}``) is of
        that layer."""
        if ctx.bound_layer is not None and ctx.bound_layer != n:
            return Verdict((), (), 0, f"the value bound next to it is at layer {ctx.bound_layer}")
        by_issue = self._layer_index()
        named = {t: w for t, w in ctx.weights.items() if t in by_issue and t}
        if named:
            top = max(named.values())
            layers: dict[int, int] = {}
            for t, w in named.items():
                if w >= SCOPE_RATIO * top:
                    layers |= by_issue[t]
        else:
            layers = {k: v for d in by_issue.values() for k, v in d.items()}
        if n in layers:
            return Verdict((self.candidate(layers[n]),))
        near = sorted(layers, key=lambda k: (abs(k - n), k))[:3]
        why = "" if layers else grading.NO_LAYERS  # a JSON without layers cannot say
        return Verdict((), tuple(self.candidate(layers[k]) for k in near), len(near), NO_LAYER, why)

    def _layer_index(self) -> dict[str, dict[int, int]]:
        """issue term ('' for none) → layer → the leaf that shows it (a ``layers`` list
        element when there is one)."""
        if self._layers is None:
            out: dict[str, dict[int, int]] = {}
            words = self.describer.words
            issue_ids = {i for i, w in enumerate(words) if w.startswith("#")}
            for i, d in enumerate(self.scope.descriptors):
                if d.layer is None:
                    continue
                listed = _LIST_ELEMENT.search(self.index.leaves[i][0]) is not None
                for issue in [words[t] for t in d.ids if t in issue_ids] or [""]:
                    seen = out.setdefault(issue, {})
                    old = seen.get(d.layer)
                    if old is None or (
                        listed and not _LIST_ELEMENT.search(self.index.leaves[old][0])
                    ):
                        seen[d.layer] = i
            self._layers = out
        return self._layers

    def _failure(
        self, claim: Claim, s: np.ndarray, cut: float, support: list[int], ctx: TextContext
    ) -> Verdict:
        """``support``: the stored values anywhere that round to the claim (none in scope)."""
        some = bool(support)
        scoped: list[Candidate] = []
        if cut < np.inf:
            ids = np.nonzero(s >= cut)[0]
            vals = np.array([self.index.leaves[i][1] for i in ids])
            target = claim.value / 100.0 if claim.percent else claim.value
            seen: set[float] = set()
            # closest value first; of equal values, the one the context names best
            for k in np.lexsort((-s[ids], np.abs(vals - target))):
                v = float(vals[k])
                if v not in seen:
                    seen.add(v)
                    scoped.append(self.candidate(int(ids[k])))
                if len(scoped) == 3:
                    break
        rest = [c for c in self.index.nearest(claim) if c not in scoped][: max(0, 3 - len(scoped))]
        note = NAMES_NOTHING if cut == np.inf else OUT_OF_SCOPE if some else ""
        summarised = [p for p, terms in self._summarised if any(t in ctx.weights for t in terms)]
        if summarised:
            note = "; ".join([*filter(None, [note]), SUMMARISED.format(", ".join(summarised))])
        why = self._unidentified(claim, s, cut, support, ctx)
        return Verdict((), tuple(scoped + rest), len(scoped), note, why)

    def _identify(self, ids: np.ndarray, ctx: TextContext) -> Identification:
        """How well ``ctx`` singles out the leaves ``ids`` (`grading.identify`)."""
        values = np.array([self.index.leaves[i][1] for i in ids], dtype=float)
        return identify(self.covers(ids, ctx), values)

    def covers(self, ids: np.ndarray, ctx: TextContext) -> np.ndarray:
        """For each leaf of ``ids``: the share of its description (its terms, each weighed by
        its specificity; joined words left out, they restate their parts) the context names."""
        if not len(ids):
            return np.zeros(0)
        named = np.zeros(len(self._counted))
        for t in with_parts(ctx.weights, self.describer.joined):
            i = self.scope.vocab.get(t)
            if i is not None and i < len(named):
                named[i] = 1.0
        rows = self.scope.matrix[np.asarray(ids, dtype=np.int64)]
        total = rows @ self._counted
        said = rows @ (self._counted * named)
        return np.divide(said, total, out=np.zeros_like(said), where=total > 0)

    def _unidentified(
        self, claim: Claim, s: np.ndarray, cut: float, support: list[int], ctx: TextContext
    ) -> str:
        """'' when the context identifies the stored value that disagrees (contradicted),
        else why the number is only unverified (`grading`)."""
        if cut == np.inf:
            return grading.NAMES_NOTHING
        away = grading.elsewhere(ctx.weights, self.scope.vocab)
        ident = self._identify(np.nonzero(s >= cut)[0], ctx)
        # a value out of scope that rounds to it, named at least as well: the scope misread
        rival = (
            float(self.covers(np.array(support[: grading.RIVALS]), ctx).max()) if support else -1.0
        )
        return grading.grade_point(ident, claim, bool(support), rival, away)

    def match_range(self, low: Claim, high: Claim, ctx: TextContext) -> Verdict:
        if not (low.representable and high.representable):
            return Verdict((), (), 0, OUT_OF_RANGE, OUT_OF_RANGE)
        names, lo, hi, _ = self._collection_index()
        s, cut = self.collections_scored(ctx)
        ok = [
            i
            for i in np.nonzero(s >= cut)[0]
            if low.accepts(float(lo[i])) and high.accepts(float(hi[i]))
        ]
        if ok:
            ok.sort(key=lambda i: -s[i])
            return Verdict(tuple(Candidate(names[i], float(lo[i]), float(hi[i])) for i in ok[:3]))
        scoped = [int(i) for i in np.nonzero(s >= cut)[0]]

        def distance(i: int) -> float:
            scale = 100.0 if low.percent and abs(lo[i]) <= 1.5 else 1.0
            return float(abs(lo[i] * scale - low.value) + abs(hi[i] * scale - high.value))

        near = [
            Candidate(names[i], float(lo[i]), float(hi[i]))
            for i in sorted(scoped, key=distance)[:3]
        ]
        everywhere = self.index.range_nearest(low, high, names=self.describer.recipes.names)
        rest = [c for c in everywhere if c not in near][: 3 - len(near)]
        named = len(s) > 0 and float(s.max()) > 0  # else the context names no collection
        note = "" if cut < np.inf else TOO_MANY if named else NAMES_NOTHING
        why = grading.elsewhere(ctx.weights, self.scope.vocab) if named else grading.NAMES_NOTHING
        # a range no collection of the JSON has, about what the JSON stores, is contradicted
        # even when the context names a family too large to tell apart (`grading`)
        if not why and any(low.accepts(c.value) and high.accepts(_high(c)) for c in everywhere):
            why = grading.ELSEWHERE_RANGE
        return Verdict((), tuple(near + rest), len(near), note, why)

    def _bound(self, claim: Claim, ctx: TextContext, relation: str) -> Verdict:
        """``≥ X`` / ``> X`` / ``≤ X`` / ``< X``: an in-scope threshold that rounds to X (the
        sentence restates a threshold), or else the bound holds exactly for every *subject*
        the context names — each named layer × recipe set with a value in scope (pinned by all
        of them, not the nearest), by its best-scoring values — or, when it names none, for the
        best-scoring unpinned values and the best-scoring collections."""
        x = claim.value / 100.0 if claim.percent else claim.value
        s, cut = self.scored(ctx, nearest=False)
        subjects: dict[tuple[int, int], tuple[float, list[Candidate]]] = {}
        leaves: list[tuple[float, Candidate]] = []
        thresholds: list[tuple[float, Candidate]] = []
        pin_r, pin_l = self.scope.pins
        for i in np.nonzero(s >= cut)[0]:
            path, v = self.index.leaves[i]
            score = float(s[i])
            if "threshold" in self.scope.descriptors[i].terms:
                thresholds.append((score, Candidate(path, v)))
            elif pin_r[i] or pin_l[i] >= 0:  # a subject: a named layer and/or recipe set
                key = (int(pin_r[i]), int(pin_l[i]))
                top, found = subjects.get(key, (score, []))
                if score > top:
                    top, found = score, []
                if score >= top:
                    subjects[key] = (top, [*found, Candidate(path, v)])
            else:
                leaves.append((score, Candidate(path, v)))
        names, lo, hi, _ = self._collection_index()
        cs, ccut = self.collections_scored(ctx, nearest=False)
        collections = [
            (float(cs[i]), Candidate(names[i], float(lo[i]), float(hi[i])))
            for i in np.nonzero(cs >= ccut)[0]
            if not names[i].endswith(TRAJECTORY)
        ]
        ranked = [c for _, c in sorted(thresholds, key=lambda t: -t[0])]
        ok = [c for c in ranked if claim.accepts(c.value)]
        if ok:  # the number restates a threshold in scope ("PASS iff cos_min > 0.95")
            return Verdict(tuple(ok[:3]))
        scores = [t for t, _ in subjects.values()] + [t for t, _ in leaves + collections]
        if thresholds and max(t[0] for t in thresholds) >= max(scores, default=0):
            # the sentence is about a threshold, and this is not its value
            near = tuple(ranked[:3])
            return Verdict(
                (),
                near,
                len(near),
                f"{claim.text} is not the threshold named here",
                grading.elsewhere(ctx.weights, self.scope.vocab),
            )
        if not scores:  # nothing in scope at all (a threshold would have been)
            return Verdict((), (), 0, NAMES_NOTHING, grading.NAMES_NOTHING)
        if subjects:  # each subject named, by its best-scoring values
            best = [c for _, found in subjects.values() for c in found]
        else:  # the best-scoring unpinned values, and the best-scoring collections
            best = [c for group in (leaves, collections) for c in _top(group)]
        largest = max((max(abs(c.value), abs(_high(c))) for c in best), default=0.0)
        if abs(x) >= 2 and abs(x) > grading.SCALE * largest:
            # "alignment below 30" beside rates ≤ 1: true or false, it is not about them
            note = f"{claim.text} is on another scale than the values its context names"
            return Verdict((), tuple(best[:3]), min(3, len(best)), note, grading.OTHER_SCALE)
        # "above 0.15 in absolute magnitude": the bound is on |value|
        size = _magnitudes if ctx.weights.keys() & grading.MAGNITUDE else (lambda lo, hi: (lo, hi))
        failing = [c for c in best if not _holds(relation, size(c.value, _high(c)), x)]
        if not failing:
            return Verdict(tuple(best[:3]))
        note = f"the bound {relation} {claim.text} fails"
        why = grading.elsewhere(ctx.weights, self.scope.vocab) or grading.criterion(ctx.weights)
        if not why and not subjects:
            ident = self._identify(np.nonzero(s >= cut)[0], ctx)
            if not (ident.cover >= grading.IDENTIFIED and ident.size <= grading.FEW):
                why = grading.BOUND_NOT_IDENTIFIED
        return Verdict((), tuple(failing[:3]), min(3, len(failing)), note, why)


def _naming_terms(path: str) -> frozenset[str]:
    """The terms of a summarised list's own names (``tables.per_persona_cos.rows`` →
    per_persona_cos, per, persona, cos): a failing number whose context uses one is told why."""
    keys = re.findall(r"[A-Za-z_][\w\-]*", path.rpartition(":")[2])
    return frozenset(t for k in keys if k not in _GENERIC_KEYS for t in word_terms(k))


def _top(scored: list[tuple[float, Candidate]]) -> list[Candidate]:
    top = max((score for score, _ in scored), default=0.0)
    return [c for score, c in scored if score >= top]


def _magnitudes(lo: float, hi: float) -> tuple[float, float]:
    """The least and greatest |v| for v in [lo, hi]."""
    if lo <= 0.0 <= hi:
        return 0.0, max(-lo, hi)
    return min(abs(lo), abs(hi)), max(abs(lo), abs(hi))


def _high(c: Candidate) -> float:
    return c.value if c.high is None else c.high


def _table_columns(docs: Mapping[str, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for prefix, doc in docs.items():
        tables = doc.get("tables") if isinstance(doc, dict) else None
        for name, t in (tables or {}).items():
            if isinstance(t, dict) and isinstance(t.get("columns"), list):
                out[f"{prefix}tables.{name}"] = [str(c) for c in t["columns"]]
    return out

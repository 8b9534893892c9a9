"""How results relate: ``derives_from``, ``supersedes``, ``source_issues`` and ``#N`` mentions.

Each front-matter list is a relation from the report that declares it to the issues it
names; every page shows both directions (what it builds on, supersedes or uses, and what
builds on, supersedes or uses it). On a page each other result appears once: under its
strongest relation, with the others named beside it, and never the page itself (a result's
own issue in its ``source_issues`` is not a relation). The index draws the same relations as
a lineage: each family of related results in order, parents first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from persona_atlas.site.contexts import LinkRef, RelatedGroup
from persona_atlas.site.entries import Entry
from persona_atlas.site.page_templates import PageUrls

#: (key, heading on the page, how it reads beside another heading), strongest first.
#: "out" relations are declared by this page, "in" relations by the other result.
RELATIONS: tuple[tuple[str, str, str], ...] = (
    ("supersedes", "Supersedes", "this result supersedes it"),
    ("derives_from", "Derives from", "this result builds on it"),
    ("derived_by", "Built on by", "builds on this result"),
    ("source_issues", "Source issues", "this result uses its data"),
    ("data_used_by", "Data used by", "uses this result's data"),
    ("mentioned_in", "Mentioned in", "mentions this result"),
)
_INVERSE = {"derives_from": "derived_by", "source_issues": "data_used_by"}
_FRONT_KEYS = ("supersedes", "derives_from", "source_issues")


@dataclass(frozen=True)
class Declared:
    """What one result declares: its front-matter relations and the issues its prose names."""

    issue: int
    supersedes: tuple[int, ...] = ()
    derives_from: tuple[int, ...] = ()
    source_issues: tuple[int, ...] = ()
    mentions: frozenset[int] = frozenset()

    def named(self, key: str) -> tuple[int, ...]:
        value: tuple[int, ...] = getattr(self, key)
        return value


@dataclass(frozen=True)
class Related:
    """Another result as one page lists it: its strongest relation and the others."""

    issue: int
    relation: str  # a key of RELATIONS
    also: tuple[str, ...]  # the other relations, as they read ("builds on this result")


class Relations:
    """Every relation between the results of one build (only those results declare any)."""

    def __init__(self, results: Iterable[Declared]) -> None:
        self.results = {r.issue: r for r in results}
        # (key, issue) → the other results that name this issue under that key
        self._named_by: dict[tuple[str, int], list[int]] = {}
        for r in sorted(self.results.values(), key=lambda r: r.issue):
            for key in (*_FRONT_KEYS, "mentions"):
                for n in set(r.mentions if key == "mentions" else r.named(key)) - {r.issue}:
                    self._named_by.setdefault((key, n), []).append(r.issue)

    def superseded_by(self, issue: int) -> list[int]:
        """The results that declare they supersede this one."""
        return self._named_by.get(("supersedes", issue), [])

    def related(self, issue: int) -> list[Related]:
        """Each other result related to this one, once, strongest relation first; results
        that supersede this one are left out (``superseded_by`` names them)."""
        me = self.results[issue]
        found: dict[int, list[str]] = {}

        def add(key: str, issues: Iterable[int]) -> None:
            for n in issues:
                if n != issue and key not in found.setdefault(n, []):
                    found[n].append(key)

        for key in _FRONT_KEYS:
            add(key, me.named(key))
            if key in _INVERSE:
                add(_INVERSE[key], self._named_by.get((key, issue), []))
        add("mentioned_in", self._named_by.get(("mentions", issue), []))
        rank = {key: i for i, (key, _, _) in enumerate(RELATIONS)}
        said = {key: text for key, _, text in RELATIONS}
        superseding = set(self.superseded_by(issue))
        out: list[Related] = []
        for n, keys in found.items():
            if n in superseding:
                continue
            keys.sort(key=rank.__getitem__)
            others = [k for k in keys[1:] if k != "mentioned_in"]  # a mention adds nothing
            out.append(Related(n, keys[0], tuple(said[k] for k in others)))
        return sorted(out, key=lambda r: (rank[r.relation], r.issue))

    # ------------------------------------------------------------------------- lineage

    def parents(self, issue: int) -> list[tuple[str, int]]:
        """(relation, issue) for each result this one declares a relation to, among the
        results of this build, self-references and repeats dropped."""
        me = self.results[issue]
        seen: set[int] = set()
        out: list[tuple[str, int]] = []
        for key in _FRONT_KEYS:
            for n in me.named(key):
                if n != issue and n in self.results and n not in seen:
                    seen.add(n)
                    out.append((key, n))
        return out

    def lineage(self) -> list[tuple[int, int]]:
        """(issue, depth) of every result in a family of two or more, each family in order
        (parents before the results that name them; a cycle is cut at its smallest member),
        families by their smallest issue. Results with no relation are left out."""
        family = _families(self.results, self.parents)
        out: list[tuple[int, int]] = []
        for members in sorted((m for m in family.values() if len(m) > 1), key=min):
            out.extend(_ordered(members, self.parents))
        return out


def _families(
    results: Mapping[int, Declared], parents: Callable[[int], list[tuple[str, int]]]
) -> dict[int, list[int]]:
    """Connected components (union-find) keyed by their root."""
    up = {n: n for n in results}

    def root(n: int) -> int:
        while up[n] != n:
            up[n] = up[up[n]]
            n = up[n]
        return n

    for n in results:
        for _, p in parents(n):
            up[root(n)] = root(p)
    out: dict[int, list[int]] = {}
    for n in sorted(results):
        out.setdefault(root(n), []).append(n)
    return out


def _ordered(
    members: list[int],
    parents: Callable[[int], list[tuple[str, int]]],
) -> list[tuple[int, int]]:
    """Each result under its deepest parent (depth = longest path from a family root),
    depth first, so a result's descendants follow it; a cycle is cut at its smallest member."""
    waiting = {n: {p for _, p in parents(n)} for n in members}
    depth: dict[int, int] = {}
    children: dict[int | None, list[int]] = {}
    while waiting:
        ready = [n for n, ps in waiting.items() if not ps - depth.keys()]
        if not ready:
            ready = [_cycle_start(waiting, depth.keys())]
        for n in sorted(ready):
            done = sorted(p for p in waiting[n] if p in depth)
            parent = max(done, key=depth.__getitem__) if done else None
            depth[n] = depth[parent] + 1 if parent is not None else 0
            children.setdefault(parent, []).append(n)
            del waiting[n]
    out: list[tuple[int, int]] = []
    stack = sorted(children.get(None, []), reverse=True)
    while stack:
        n = stack.pop()
        out.append((n, depth[n]))
        stack.extend(sorted(children.get(n, []), reverse=True))
    return out


def _cycle_start(waiting: dict[int, set[int]], placed: AbstractSet[int]) -> int:
    """Nothing is ready, so every waiting result waits on another: walk up unplaced parents
    until one repeats; that loop is a cycle, and it starts at its smallest issue."""
    path = [min(waiting)]
    while True:
        up = min(waiting[path[-1]] - placed)
        if up in path:
            return min(path[path.index(up) :])
        path.append(up)


# ----------------------------------------------------------------------------- pages


def relations_of(entries: list[Entry]) -> Relations:
    """The relations the given results declare (front matter and #N mentions)."""
    return Relations(
        Declared(
            e.report.front.issue,
            tuple(e.report.front.supersedes),
            tuple(e.report.front.derives_from),
            tuple(e.report.front.source_issues),
            frozenset(e.mentions),
        )
        for e in entries
    )


def page_ref(
    n: int,
    by_issue: dict[int, Entry],
    relations: Relations,
    urls: PageUrls,
    also: tuple[str, ...] = (),
) -> LinkRef:
    """Issue n as a result page links it (no href when n has no page)."""
    other = by_issue.get(n)
    if other is None:
        return LinkRef(n, None, None, also)
    superseded = other.report.front.status == "superseded" or bool(relations.superseded_by(n))
    return LinkRef(n, urls.from_page(other.report.slug), other.report.front.title, also, superseded)


def related_groups(
    issue: int, by_issue: dict[int, Entry], relations: Relations, urls: PageUrls
) -> list[RelatedGroup]:
    """The page's "Related results": each other result once, grouped by its strongest relation."""
    found = relations.related(issue)
    return [
        RelatedGroup(label, [page_ref(r.issue, by_issue, relations, urls, r.also) for r in rs])
        for key, label, _ in RELATIONS
        if (rs := [r for r in found if r.relation == key])
    ]

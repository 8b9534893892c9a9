"""The index page: every published result with its finding, hero, check status and relations.

Each entry carries what a reviewer filters on (tag, kind, confidence, verdict, free text) as
data attributes that ``assets/index.js`` reads; every value is data from a pull request, so
it reaches the page only through the autoescaped template (``templates/index.md.j2``).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from urllib.parse import quote

import jinja2

from persona_atlas.site.contexts import (
    BuildInfo,
    CheckStatus,
    Facet,
    IndexContext,
    IndexEntry,
    LineageItem,
    LinkRef,
    RelationLink,
)
from persona_atlas.site.entries import Entry
from persona_atlas.site.page_templates import PageUrls, render_template
from persona_atlas.site.relations import Relations
from persona_atlas.site.tldr import tldr_sentence

CONFIDENCE_ORDER = ("HIGH", "MODERATE", "LOW")
VERDICT_ORDER = ("PASS", "GREY", "KILL")  # the rest (e.g. "mixed") follow, alphabetically
MAX_DEPTH = 6  # deeper lineage is drawn at this indent (a chain of 500 stays readable)
#: How each front-matter relation reads on the index, from the result that declares it.
_READS = {"supersedes": "supersedes", "derives_from": "builds on", "source_issues": "uses data of"}


def write_index(
    env: jinja2.Environment,
    entries: list[Entry],
    relations: Relations,
    build: BuildInfo,
    staging: Path,
    urls: PageUrls,
) -> None:
    index = index_context(entries, relations, build, urls)
    (staging / "index.md").write_text(
        render_template(env, "index.md.j2", index=index), encoding="utf-8"
    )


def index_context(
    entries: list[Entry], relations: Relations, build: BuildInfo, urls: PageUrls
) -> IndexContext:
    by_issue = {e.report.front.issue: e for e in entries}

    def ref(n: int) -> LinkRef:
        e = by_issue.get(n)
        if e is None:
            return LinkRef(n, None, None)
        return LinkRef(n, urls.from_index(e.report.slug), e.report.front.title, (), _superseded(e))

    def _superseded(e: Entry) -> bool:
        return e.report.front.status == "superseded" or bool(
            relations.superseded_by(e.report.front.issue)
        )

    def to_pages(n: int) -> list[RelationLink]:
        """What n builds on, supersedes or uses, among the published results."""
        return [RelationLink(_READS[key], ref(p)) for key, p in relations.parents(n)]

    def every_relation(n: int) -> list[RelationLink]:
        """to_pages, then issues without a page (a GitHub issue, an unpublished result),
        then the results that supersede n."""
        declared = by_issue[n].report.front
        elsewhere = [
            RelationLink(_READS[key], ref(p))
            for key in ("supersedes", "derives_from", "source_issues")
            for p in dict.fromkeys(getattr(declared, key))
            if p != n and p not in by_issue
        ]
        superseding = [RelationLink("superseded by", ref(s)) for s in relations.superseded_by(n)]
        return to_pages(n) + elsewhere + superseding

    rows = [
        IndexEntry(
            issue=e.report.front.issue,
            href=urls.from_index(e.report.slug),
            title=e.report.front.title,
            summary=tldr_sentence(e.body),
            thumb=thumbnail(e, urls),
            confidence=e.report.front.confidence,
            status=e.report.front.status,
            verdict=e.result.verdict,
            kind=e.result.kind,
            date=e.report.front.date.isoformat(),
            tags=list(dict.fromkeys(e.report.front.tags)),
            checks=check_status(e),
            relations=every_relation(e.report.front.issue),
            superseded=_superseded(e),
        )
        for e in entries
    ]
    lineage = [
        LineageItem(ref(n), min(depth, MAX_DEPTH), to_pages(n))
        for n, depth in relations.lineage()
        if n in by_issue
    ]
    counts = Counter(r.confidence for r in rows)
    unchecked = sum(e.banner is not None for e in entries)
    banner = (
        f"Preview, not for publication: {unchecked} page(s) failed lint; their numbers are not checked."
        if unchecked
        else None
    )
    return IndexContext(
        entries=rows,
        build=build,
        counts={c: counts[c] for c in (*CONFIDENCE_ORDER, *sorted(counts)) if c in counts},
        banner=banner,
        facets=facets(rows),
        lineage=lineage,
        unrelated=len(rows) - len(lineage),
    )


def facets(rows: list[IndexEntry]) -> list[Facet]:
    """The filters: every tag, kind, confidence and verdict in use, with how many results."""

    def ranked(values: list[str], order: tuple[str, ...] = ()) -> list[tuple[str, int]]:
        n = Counter(values)
        first = [v for v in order if v in n]
        return [(v, n[v]) for v in first + sorted(set(n) - set(first), key=str.lower)]

    return [
        Facet("tag", "Tag", ranked([t for r in rows for t in r.tags])),
        Facet("kind", "Kind", ranked([r.kind for r in rows])),
        Facet("confidence", "Confidence", ranked([r.confidence for r in rows], CONFIDENCE_ORDER)),
        Facet("verdict", "Verdict", ranked([r.verdict for r in rows if r.verdict], VERDICT_ORDER)),
    ]


def thumbnail(e: Entry, urls: PageUrls) -> str | None:
    """The hero figure's smaller file (SVG or PNG) as a URL from the index; None when the
    hero is not one of the result's own figures (a URL is never fetched by the index)."""
    hero = e.report.front.hero
    if not hero or hero not in e.figures:
        return None
    folder = e.report.result_dir / "figures"
    files = [p for p in (folder / f"{hero}.svg", folder / f"{hero}.png") if p.is_file()]
    if not files:
        return None
    smallest = min(files, key=lambda p: p.stat().st_size)
    page = urls.from_index(e.report.slug).removesuffix("index.html")
    return f"{page}figures/{quote(smallest.name)}"


def check_status(e: Entry) -> CheckStatus:
    """ "72 of 72 numbers checked": of the numbers ``atlas lint`` read in the prose, those it
    verified (typed and found in result.json/run.json in scope at the precision written,
    bound with value(), or exempt as an identifier by one of its rules)."""
    c = e.lint_counts
    if c is None:
        detail = "This build did not run atlas lint, so its numbers are not checked."
        return CheckStatus(False, 0, 0, detail, "unknown", "numbers not checked", -1.0)
    numbers = c["checked"]
    checked = c["matched"] + c["bound"] + c["exempt"]
    detail = (
        f"atlas lint read {numbers} numbers in the prose: {c['matched']} typed and found in "
        f"result.json or run.json at the precision written, {c['bound']} bound to the result "
        f"with value(), {c['exempt']} identifiers exempt by a lint rule (issue numbers, dates, "
        f"model names, layer labels), {c['pragma']} allowed by a lint-allow comment with a "
        f"reason, {c['failed']} failed"
    )
    if c["other_failures"]:
        detail += f"; {c['other_failures']} other lint problems (structure, helpers)"
    state = "failed" if e.lint_failed else "partial" if checked < numbers else "ok"
    label = f"{checked} of {numbers} numbers checked" if numbers else "no numbers to check"
    if e.lint_failed:
        label += ", lint failed"
    score = checked / numbers if numbers else 1.0
    return CheckStatus(True, checked, numbers, detail + ".", state, label, round(score, 4))

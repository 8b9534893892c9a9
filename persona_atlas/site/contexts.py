"""Typed contexts for the page templates.

Each template receives exactly one of these; ``tests/site/test_contexts.py`` checks that the
names a template uses and the fields documented here are the same set, so a template cannot
read a key that does not exist (and ``StrictUndefined`` fails loudly if it tries).

Templates are rendered with autoescaping: every field is HTML-escaped where it is written,
except the few typed ``Markup`` below, which the builder assembled from escaped parts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

from persona_atlas.reports.front_matter import FrontMatter
from persona_atlas.site.artifacts import Artifact


@dataclass(frozen=True)
class BuildInfo:
    """What the whole site was built from."""

    commit: str | None  # HEAD at build time
    dirty: bool  # uncommitted changes in the tree
    repo_url: str | None  # ATLAS_REPO_URL, else git remote origin (site/repo_url.py)

    @property
    def short(self) -> str:
        return self.commit[:12] if self.commit else "no commit"

    @property
    def tree_url(self) -> str | None:
        if not (self.repo_url and self.commit):
            return None
        return f"{self.repo_url.rstrip('/')}/tree/{self.commit}"


@dataclass(frozen=True)
class LinkRef:
    """A reference to another issue; ``href`` (that page's URL) is set when it has a page."""

    issue: int
    href: str | None
    title: str | None
    also: tuple[str, ...] = ()  # its other relations to the page, as they read
    superseded: bool = False  # a later result supersedes it


@dataclass(frozen=True)
class RelatedGroup:
    """One heading of a page's related results ("Derives from", "Built on by", ...)."""

    label: str
    refs: list[LinkRef]


@dataclass(frozen=True)
class RelationLink:
    """One relation shown on the index: "builds on" #200, "superseded by" #300."""

    relation: str
    ref: LinkRef


@dataclass(frozen=True)
class CheckStatus:
    """What ``atlas lint`` found in a report's numbers, for the index ("72 of 72 numbers
    checked"); ``numbers`` is 0 and ``linted`` False when the build did not lint."""

    linted: bool
    checked: int  # matched in the result, bound with value(), or exempt by a lint rule
    numbers: int  # every number lint read in the prose
    detail: str  # the breakdown, shown as a tooltip
    state: str  # "ok", "partial" (pragmas), "failed" or "unknown": the CSS class
    label: str  # "72 of 72 numbers checked"
    score: float  # checked / numbers, for sorting; -1 when not linted


@dataclass(frozen=True)
class IndexEntry:
    """One row of the index table."""

    issue: int
    href: str
    title: str
    summary: str  # the TL;DR's first takeaway sentence, plain text
    thumb: str | None  # URL of the hero figure's SVG or PNG, relative to the index
    confidence: str
    status: str
    verdict: str | None
    kind: str
    date: str
    tags: list[str]
    checks: CheckStatus
    relations: list[RelationLink]  # what it builds on / supersedes / uses, what supersedes it
    superseded: bool  # status superseded, or a later result supersedes it


@dataclass(frozen=True)
class Facet:
    """One filter's choices on the index: (value, number of results), in display order."""

    name: str  # "tag", "kind", "confidence", "verdict": the filter and its data attribute
    label: str
    choices: list[tuple[str, int]]


@dataclass(frozen=True)
class LineageItem:
    """One result in the index's lineage view, indented under the result it builds on."""

    ref: LinkRef
    depth: int  # 0 for a family's first result; capped for display
    relations: list[RelationLink]  # its relations to earlier members of the family


@dataclass(frozen=True)
class PageContext:
    """Everything ``page.md.j2`` may use."""

    front: FrontMatter  # the report's front matter
    meta_yaml: Markup  # the page's MkDocs metadata (title, tags) as YAML, values HTML-escaped
    slug: str  # issue-<N>
    body: Markup  # rendered Markdown body (figures, caveats and #N links resolved)
    hero: Markup | None  # hero figure HTML when the body did not place it with hero()
    banner: str | None  # "not checked" / draft warning shown on preview builds
    verdict: str | None  # result.json's headline verdict
    kind: str  # result.json kind
    analysis: str  # provenance analysis name
    code_version: str  # provenance code version
    created: str  # provenance timestamp
    imported_from: str | None  # legacy source path when imported
    artifacts: list[Artifact]
    result_commit: str | None  # last commit that changed results/<slug>/
    result_dirty: bool  # results/<slug>/ has uncommitted changes
    result_tree_url: str | None  # commit-pinned link to results/<slug>/
    related: list[RelatedGroup]  # each other result once, under its strongest relation
    superseded_by: list[LinkRef]  # results whose front matter says they supersede this one
    build: BuildInfo


@dataclass(frozen=True)
class IndexContext:
    """Everything ``index.md.j2`` may use."""

    entries: list[IndexEntry]
    build: BuildInfo
    counts: dict[str, int] = field(default_factory=dict)  # confidence → number of results
    banner: str | None = None  # preview builds: why this site is not for publication
    facets: list[Facet] = field(default_factory=list)  # the filters and their choices
    lineage: list[LineageItem] = field(default_factory=list)  # families of related results
    unrelated: int = 0  # results in no family (left out of the lineage)

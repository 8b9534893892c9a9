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
    repo_url: str | None  # from mkdocs.yml

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


@dataclass(frozen=True)
class IndexEntry:
    """One row of the index table."""

    issue: int
    href: str
    title: str
    confidence: str
    status: str
    verdict: str | None
    date: str
    tags: list[str]


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
    source_issues: list[LinkRef]
    derives_from: list[LinkRef]
    supersedes: list[LinkRef]
    derived_by: list[LinkRef]  # pages whose derives_from names this one
    mentioned_in: list[LinkRef]  # pages that mention #N in their prose
    build: BuildInfo


@dataclass(frozen=True)
class IndexContext:
    """Everything ``index.md.j2`` may use."""

    entries: list[IndexEntry]
    build: BuildInfo
    counts: dict[str, int] = field(default_factory=dict)  # confidence → number of results
    banner: str | None = None  # preview builds: why this site is not for publication

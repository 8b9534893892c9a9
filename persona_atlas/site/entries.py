"""One result as the site builder holds it between loading, rendering and the index."""

from __future__ import annotations

from dataclasses import dataclass, field

from persona_atlas.reports.front_matter import Report
from persona_atlas.schema import ResultFile, RunFile


@dataclass
class Entry:
    report: Report
    result: ResultFile
    run: RunFile | None
    figures: set[str]
    body: str = ""
    hero: str | None = None  # hero HTML when the body does not place it with hero()
    mentions: set[int] = field(default_factory=set)
    banner: str | None = None  # preview builds: why this page is not for publication
    lint_counts: dict[str, int] | None = None  # `ReportLint.counts()`; None: not linted
    lint_failed: bool = False

"""A report: ``results/<slug>/report.md`` = YAML front matter + a Markdown/Jinja body.

Parsed once here and shared by the site builder and the linter, so both agree on what a
report is. Errors name the file and line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from persona_atlas.config import yaml_line
from persona_atlas.errors import ReportError

Confidence = Literal["HIGH", "MODERATE", "LOW"]
Status = Literal["draft", "in-review", "published", "superseded", "retracted"]


class FrontMatter(BaseModel):
    """The report's metadata block."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    issue: int = Field(ge=1)
    """Issue number; must equal the folder's ``issue-<N>``."""
    title: str = Field(min_length=1)
    """Page title."""
    confidence: Confidence
    """How much the result should be trusted; shown as a badge."""
    status: Status
    """Life-cycle state of the write-up."""
    date: dt.date
    """Date of the write-up (YYYY-MM-DD)."""
    source_issues: list[int] = Field(default_factory=list)
    """Issues whose data this report uses."""
    supersedes: list[int] = Field(default_factory=list)
    """Earlier results this one replaces."""
    derives_from: list[int] = Field(default_factory=list)
    """Results this one builds on (their pages list this one as a backlink)."""
    tags: list[str] = Field(default_factory=list)
    """Free-form tags shown on the index."""
    hero: str | None = None
    """Name of one of the result's figures, or a commit-pinned URL."""


@dataclass(frozen=True)
class Report:
    path: Path
    front: FrontMatter
    body: str
    body_line: int  # 1-based line of report.md where the body starts

    @property
    def slug(self) -> str:
        return self.path.parent.name

    @property
    def result_dir(self) -> Path:
        return self.path.parent


class _FrontMatterLoader(yaml.SafeLoader):
    """Safe YAML that leaves dates as strings: the model validates them, so a bad date is an
    error naming its line instead of a ``ValueError`` from the YAML timestamp constructor."""


_FrontMatterLoader.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def split_front_matter(text: str, path: Path) -> tuple[str, str, int]:
    """Return (front matter YAML, body, 1-based body start line)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise ReportError(
            f"{path}:1: report has no front matter",
            hint="start the file with a '---' line, the YAML metadata (issue, title, "
            "confidence, status, date...), and a closing '---' line; see docs/reports.md",
        )
    for i in range(1, len(lines)):
        if lines[i].strip() == "---":
            return "".join(lines[1:i]), "".join(lines[i + 1 :]), i + 2
    raise ReportError(f"{path}:1: front matter is never closed", hint="add a closing '---' line")


def parse_report(path: str | Path) -> Report:
    """Read and validate a report; every error names ``path:line``."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")  # a byte-order mark is not content
    except UnicodeDecodeError as exc:
        raise ReportError(
            f"{p}: not UTF-8 text (byte {exc.start})", hint="re-save the report as UTF-8"
        ) from None
    except FileNotFoundError:
        raise ReportError(f"{p}: report not found") from None
    meta_text, body, body_line = split_front_matter(text, p)
    try:
        data = yaml.load(meta_text, Loader=_FrontMatterLoader) or {}  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 2
        raise ReportError(f"{p}:{line}: invalid YAML in front matter: {exc}") from None
    except ValueError as exc:  # an explicitly tagged value its constructor rejects
        raise ReportError(f"{p}:2: invalid value in front matter: {exc}") from None
    if not isinstance(data, dict):
        raise ReportError(f"{p}:2: front matter must be a YAML mapping")
    try:
        front = FrontMatter.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        line = yaml_line(yaml.compose(meta_text), err["loc"]) + 1  # +1: the opening '---'
        where = ".".join(str(x) for x in err["loc"]) or "front matter"
        raise ReportError(
            f"{p}:{line}: {where}: {err['msg']}",
            hint=_hint_for(err["loc"]),
        ) from None
    expected = f"issue-{front.issue}"
    if p.parent.name.startswith("issue-") and p.parent.name != expected:
        raise ReportError(
            f"{p}:{yaml_line(yaml.compose(meta_text), ('issue',)) + 1}: front matter says issue {front.issue} "
            f"but the folder is {p.parent.name}",
            hint=f"move the report to results/{expected}/ or fix the issue number",
        )
    return Report(path=p, front=front, body=body, body_line=body_line)


def _hint_for(loc: tuple[object, ...]) -> str:
    field = str(loc[0]) if loc else ""
    if field == "confidence":
        return "confidence is one of HIGH, MODERATE, LOW"
    if field == "status":
        return "status is one of draft, in-review, published, superseded, retracted"
    if field == "date":
        return "write the date as YYYY-MM-DD"
    return "see docs/reports.md for the front matter fields"


def discover_reports(results_root: Path = Path("results")) -> list[Path]:
    """Every ``results/*/report.md``, sorted."""
    return sorted(results_root.glob("*/report.md"))

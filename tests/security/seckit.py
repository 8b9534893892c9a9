"""Shared pieces of the attack tests: render a report the way `atlas build` does, and list
every file under a folder (an attack must leave that set unchanged)."""

from __future__ import annotations

from pathlib import Path

from persona_atlas.reports.front_matter import parse_report
from persona_atlas.reports.render import BodyRenderer, RenderedBody, figure_names
from persona_atlas.schema import load_result, load_run


def render_report(report: Path) -> RenderedBody:
    d = report.parent
    return BodyRenderer(
        parse_report(report),
        load_result(d / "result.json"),
        load_run(d / "run.json"),
        figure_names(d),
    ).render()


def files_under(root: Path) -> set[Path]:
    return set(root.rglob("*"))

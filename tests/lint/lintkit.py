"""A realistic report + result fixture (``fixtures/issue-42``) and helpers to edit copies."""

from __future__ import annotations

import shutil
from pathlib import Path

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "issue-42"
REPO = Path(__file__).resolve().parents[2]


def copy_fixture(tmp_path: Path) -> Path:
    """``tmp_path/results/issue-42`` with the fixture's files; returns the report path."""
    dest = tmp_path / "results" / "issue-42"
    shutil.copytree(FIXTURE, dest)
    return dest / "report.md"


def edit(report: Path, old: str, new: str, count: int = 1) -> None:
    text = report.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in the fixture"
    report.write_text(text.replace(old, new, count), encoding="utf-8")

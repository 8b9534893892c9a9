"""Counted claims ("All 60 cells are KILL") are checked against the stored verdicts: the
number must be the count of units that have the verdict, not only the total."""

from __future__ import annotations

from pathlib import Path

import pytest

from persona_atlas.lint import lint_report
from persona_atlas.lint.output import text_lines
from tests.lint.lintkit import REPO, copy_fixture

ISSUE_7 = REPO / "results" / "issue-7" / "report.md"  # 60 cells: 57 KILL, 3 GREY


def failures(report: Path, sentence: str) -> list[str]:
    text = report.read_text(encoding="utf-8") + "\n" + sentence + "\n"
    return [line.split("  ", 1)[1] for line in text_lines(lint_report(report, text=text))]


def test_all_60_cells_are_kill_fails_when_57_are() -> None:
    (line,) = failures(ISSUE_7, "All 60 cells are KILL.")
    assert line == (
        "60  contradicted → in scope: count of tables.cells rows with verdict KILL = 57 "
        "(the result has 57 of 60 cells KILL)"
    )
    assert failures(ISSUE_7, "57 of 60 cells are KILL.") == []
    assert failures(ISSUE_7, "None of the 60 cells are PASS.") == []


@pytest.mark.parametrize(
    ("sentence", "wrong"),
    [
        ("All 6 cells are KILL.", "6"),
        ("All of the 6 cells were **KILL**.", "6"),
        ("The 6 cells are all KILL.", "6"),
        ("6 of 6 cells are KILL.", "6"),
        ("5 of 7 cells are KILL.", "7"),  # the total is checked too
        ("4 of 6 cells are KILL.", "4"),
        ("All 3 A vs C2 cells are KILL.", "3"),  # narrowed by the pair it names
        ("All 2 cells at layer 21 are KILL.", "2"),  # and by the layer
        ("None of the 6 cells are PASS.", "6"),
        ("Every one of the 5 cells is KILL.", "5"),  # 5 are KILL, but there are 6 cells
    ],
)
def test_a_false_count_fails(tmp_path: Path, sentence: str, wrong: str) -> None:
    (line,) = failures(copy_fixture(tmp_path), sentence)
    assert line.startswith(f"{wrong}  contradicted → in scope: count of tables.cells rows")
    assert "(the result has " in line


@pytest.mark.parametrize(
    "sentence",
    [
        "5 of 6 cells are KILL.",
        "5 out of the 6 cells were KILL.",
        "All 3 A vs B cells are KILL.",
        "The 3 A vs B cells are all KILL.",
        "All 2 cells at layers 7 and 14 of A vs C2 were KILL.",
        "None of the 6 cells are GREY.",
        "1 of 3 A vs C2 cells is PASS.",
        "All 6 cells are shown in the table.",  # not a verdict: an ordinary number
    ],
)
def test_a_true_count_passes(tmp_path: Path, sentence: str) -> None:
    assert failures(copy_fixture(tmp_path), sentence) == []


def test_a_bound_count_is_checked_too(tmp_path: Path) -> None:
    n_cells = '{{ value("metrics.n_cells", "d") }}'
    (line,) = failures(copy_fixture(tmp_path), f"All {n_cells} cells are KILL.")
    assert line == (
        "[count]  value('metrics.n_cells') = 6 in a counted claim: the result has 5 of 6 cells KILL"
    )
    kill = '{{ value("metrics.verdict_counts.KILL", "d") }}'
    assert failures(copy_fixture(tmp_path / "b"), f"{kill} of {n_cells} cells are KILL.") == []
    assert failures(ISSUE_7, f"All {n_cells} cells are KILL.") != []

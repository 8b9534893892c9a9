"""One report that cannot be read does not stop the lint of the others: it is a failure that
names the file, and every other report is still linted."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from persona_atlas.cli import main
from persona_atlas.lint import lint_report
from tests.lint.lintkit import copy_fixture, edit


def broken_copy(tmp_path: Path, old: str, new: str, folder: str) -> Path:
    """A second report, ``issue-43``, with ``old`` replaced by ``new`` in its front matter and
    ``folder`` (a file of its result folder) replaced by a directory."""
    good = copy_fixture(tmp_path)
    bad_dir = good.parent.parent / "issue-43"
    shutil.copytree(good.parent, bad_dir)
    bad = bad_dir / "report.md"
    edit(bad, "issue: 42", "issue: 43")
    edit(bad, old, new)
    if folder:
        (bad_dir / folder).unlink()
        (bad_dir / folder).mkdir()
    return bad


@pytest.mark.parametrize(
    ("old", "new", "folder", "named"),
    [
        ("date: 2026-05-03", "date: 2026-13-45", "", "report.md"),  # YAML raises ValueError
        ("date: 2026-05-03", "date: 2026-02-30", "", "report.md"),
        ("tags: [recipes, fixture]", "tags: [recipes, {a: [1, 2]}]", "", "report.md"),
        ("confidence: MODERATE", "confidence: [MODERATE", "", "report.md"),
        ("", "", "result.json", "result.json"),  # a folder where a file should be
        ("", "", "run.json", "run.json"),
    ],
)
def test_a_report_that_cannot_be_read_fails_alone(
    tmp_path: Path,
    old: str,
    new: str,
    folder: str,
    named: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bad = broken_copy(tmp_path, old, new, folder)
    lint = lint_report(bad)
    assert lint.failed == 1 and lint.problems[0].rule == "input"
    assert lint.problems[0].message.startswith(str(bad.parent / named))
    good = bad.parent.parent / "issue-42" / "report.md"
    assert main(["lint", str(bad), str(good)]) == 1
    out = capsys.readouterr().out
    failing = [line for line in out.splitlines() if "[input]" in line]
    assert len(failing) == 1 and str(good) not in out  # the good one was linted, clean
    assert "2 report(s), 1 failing" in out


def test_json_nested_too_deeply_fails_alone(tmp_path: Path) -> None:
    report = copy_fixture(tmp_path)
    (report.parent / "run.json").write_text('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}")
    (problem,) = lint_report(report).problems
    assert problem.rule == "input" and problem.message.startswith(str(report.parent))

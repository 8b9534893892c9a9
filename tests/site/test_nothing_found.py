"""`atlas lint` / `atlas check` that find nothing fail (unless asked), and lint goes on
past a report whose front matter is broken."""

from __future__ import annotations

from pathlib import Path

import pytest

from persona_atlas import cli
from tests.site.sitekit import make_site


@pytest.mark.parametrize(("verb", "pattern"), [("lint", "*/report.md"), ("check", "*/result.json")])
def test_nothing_found_is_an_error_unless_allowed(
    verb: str,
    pattern: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli.main([verb]) == 2
    err = capsys.readouterr().err
    assert f"no files match {tmp_path.resolve()}/results/{pattern}" in err
    assert "no results/ folder here" in err and "repository root" in err
    (tmp_path / "results").mkdir()
    assert cli.main([verb]) == 2
    assert "no results/ folder" not in capsys.readouterr().err
    assert cli.main([verb, "--allow-empty"]) == 0


def test_lint_reports_a_bad_date_and_lints_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_site(tmp_path)
    report = root / "results" / "issue-218" / "report.md"
    report.write_text(report.read_text().replace("2026-05-01", "2026-02-30"))
    bom = root / "results" / "issue-201" / "report.md"
    bom.write_bytes(b"\xef\xbb\xbf" + bom.read_bytes())
    monkeypatch.chdir(root)
    assert cli.main(["lint", "--strict"]) == 1
    out = capsys.readouterr().out
    assert "results/issue-218/report.md:6: date: Input should be a valid date" in out
    assert "results/issue-201/report.md:3:15  201" in out  # the other report was linted
    assert "no front matter" not in out

"""`atlas build` publishes only what passes lint: failing reports and drafts need --preview,
finding nothing is an error, and what killed builds left behind is cleared."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from persona_atlas import cli
from persona_atlas.errors import InputFileError, ReportError
from persona_atlas.site.build import BuildOptions, build_site
from tests.site.sitekit import make_site, repo_with_committed_result


@pytest.fixture
def clean_repo(tmp_path: Path) -> Path:
    """A repository holding a copy of the committed #200 result, which passes lint."""
    return repo_with_committed_result(tmp_path)


def test_a_report_failing_lint_is_not_published(clean_repo: Path) -> None:
    build_site(BuildOptions(root=clean_repo))  # passes the gate
    before = (clean_repo / "site" / "issue-200" / "index.html").read_text()
    assert "atlas-banner" not in before
    report = clean_repo / "results" / "issue-200" / "report.md"
    report.write_text(report.read_text().replace("agree on 20 personas", "agree on 21 personas"))
    with pytest.raises(
        ReportError, match=r"(?s)1 report\(s\) fail `atlas lint`.*report.md:3:\d+  21"
    ):
        build_site(BuildOptions(root=clean_repo))
    assert (clean_repo / "site" / "issue-200" / "index.html").read_text() == before

    build_site(BuildOptions(root=clean_repo, preview=True))
    page = (clean_repo / "site" / "issue-200" / "index.html").read_text()
    assert "lint failed with 1 problem; the numbers on this page are not checked" in page
    assert "Preview, not for publication" in (clean_repo / "site" / "index.html").read_text()
    assert json.loads((clean_repo / "site" / "atlas-build.json").read_text())["preview"] is True


def test_fixture_reports_fail_the_gate_with_every_report_named(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    with pytest.raises(ReportError, match=r"(?s)2 report\(s\) fail.*issue-218.*issue-201") as e:
        build_site(BuildOptions(root=root))
    assert "--preview" in str(e.value)
    assert not (root / "site").exists()


def test_drafts_stay_off_the_index_and_the_navigation(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    report = root / "results" / "issue-218" / "report.md"
    report.write_text(report.read_text().replace("status: published", "status: draft"))
    build_site(BuildOptions(root=root, lint=False))
    index = (root / "site" / "index.html").read_text()
    assert "issue-218" not in index and not (root / "site" / "issue-218").exists()
    assert "issue-218" not in (root / "site" / "issue-201" / "index.html").read_text()

    build_site(BuildOptions(root=root, lint=False, preview=True))
    assert "issue-218" not in (root / "site" / "index.html").read_text().split("<article")[1]
    draft = (root / "site" / "issue-218" / "index.html").read_text()
    assert "Draft, not published" in draft


def test_build_from_the_wrong_folder_keeps_the_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_site(tmp_path)
    build_site(BuildOptions(root=root, lint=False))
    before = (root / "site" / "index.html").read_text()
    monkeypatch.chdir(root)
    assert cli.main(["build", "--results", "nowhere"]) == 2
    err = capsys.readouterr().err
    assert "no results folder at nowhere" in err and "repository root" in err
    (root / "empty").mkdir()
    assert cli.main(["build", "--results", "empty"]) == 2
    assert "no reports found: looked for empty/*/report.md" in capsys.readouterr().err
    assert (root / "site" / "index.html").read_text() == before
    assert cli.main(["build", "--results", "empty", "--allow-empty"]) == 0
    assert "issue-201" not in (root / "site" / "index.html").read_text()


def test_leftovers_of_killed_builds_are_removed(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(dead.stdout)
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        leftovers = [root / f"site.partial-{dead_pid}", root / f"site.old-{dead_pid}"]
        running = root / f"site.partial-{alive.pid}"
        for d in [*leftovers, running]:
            (d / "assets").mkdir(parents=True)
            (d / "index.html").write_text("a full copy of the site\n")
        build_site(BuildOptions(root=root, lint=False))
        assert not any(d.exists() for d in leftovers)
        assert running.exists()  # a build still running keeps its folder
    finally:
        alive.kill()
        alive.wait()
    assert sorted(p.name for p in root.glob("site*")) == ["site", running.name]


def test_bad_date_and_byte_order_mark(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    report = root / "results" / "issue-201" / "report.md"
    report.write_bytes(b"\xef\xbb\xbf" + report.read_bytes())
    build_site(BuildOptions(root=root, lint=False))  # a BOM is not "no front matter"
    report.write_text(report.read_text(encoding="utf-8-sig").replace("2026-05-01", "2026-13-45"))
    with pytest.raises(ReportError, match=r"issue-201/report.md:6: date: .*month"):
        build_site(BuildOptions(root=root, lint=False))


def test_results_option_naming_a_file_is_refused(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    with pytest.raises(InputFileError, match="no results folder"):
        build_site(BuildOptions(root=root, results=Path("results/issue-201/report.md")))

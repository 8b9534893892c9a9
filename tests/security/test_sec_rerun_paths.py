"""A committed result names the files its analysis read (provenance params). Re-running it —
``atlas analyze --verify`` in CI on a pull request — must read nothing outside the
repository and nothing through a link, and must not show what such a file holds."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from persona_atlas import cli
from tests.site.sitekit import ROOT, git

SECRET = "top-secret-value-4242"


def _repo_with_source(tmp_path: Path, source: str) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "results" / "issue-246", root / "results" / "issue-246")
    (tmp_path / "outside.json").write_text(json.dumps({"personas": [SECRET]}))
    (root / "data").mkdir()
    (root / "data" / "link.json").symlink_to(tmp_path / "outside.json")
    result = root / "results" / "issue-246" / "result.json"
    doc = json.loads(result.read_text())
    doc["provenance"]["analysis"]["params"]["source"] = source.replace("TMP", str(tmp_path))
    result.write_text(json.dumps(doc, indent=2))
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "result")
    return root


@pytest.mark.parametrize(
    ("source", "why"),
    [
        ("TMP/outside.json", "path leaves the repository"),
        ("../outside.json", "path leaves the repository"),
        ("data/link.json", "goes through the symbolic link data/link.json"),
    ],
)
def test_verify_reads_no_file_outside_the_repository(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    source: str,
    why: str,
) -> None:
    root = _repo_with_source(tmp_path, source)
    monkeypatch.chdir(root)
    before = {p: p.stat().st_mtime_ns for p in root.rglob("*") if ".git" not in p.parts}
    assert cli.main(["analyze", "--verify", "results/issue-246"]) != 0
    err = capsys.readouterr().err
    assert why in err and "Traceback" not in err
    assert SECRET not in err
    assert {p: p.stat().st_mtime_ns for p in root.rglob("*") if ".git" not in p.parts} == before


def test_verify_of_an_import_reads_no_file_outside_the_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "repo"
    (root / "inputs").mkdir(parents=True)
    (root / "inputs" / "a.json").write_text(json.dumps({"x": 1}))
    (tmp_path / "outside.json").write_text(json.dumps({"x": SECRET}))
    git(root, "init", "-q")
    monkeypatch.chdir(root)
    out = root / "results" / "issue-5" / "result.json"
    args = ["import", "inputs/a.json", "--issue", "5", "--title", "t", "--out", str(out)]
    assert cli.main(args) == 0
    doc = json.loads(out.read_text())
    doc["provenance"]["analysis"]["params"]["files"] = ["../outside.json"]
    out.write_text(json.dumps(doc, indent=2))
    capsys.readouterr()
    assert cli.main(["analyze", "--verify", str(out)]) != 0
    err = capsys.readouterr().err
    assert "path leaves the repository" in err and SECRET not in err

"""``atlas check`` hashes only plain files inside the repository.

A pull request writes result.json and run.json, and with them the paths that `atlas check`
hashes: ``../../outside/secret``, or a committed link to a file elsewhere (a key, a huge
file). Such a path is an error naming it; nothing behind it is opened or hashed, so not even
a hash prefix of it reaches the message (which CI copies into the job summary).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from persona_atlas.analysis.versioning import code_version
from persona_atlas.cli import main
from persona_atlas.files import sha256_file
from persona_atlas.schema import ResultFile, save
from persona_atlas.staleness import check_result

SECRET = "TOP-SECRET-CANARY-7f3a"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret"
    secret.write_text(f"{SECRET}\n")
    root = tmp_path / "repo"
    folder = root / "results" / "issue-9"
    folder.mkdir(parents=True)
    os.symlink(secret, folder / "linked.bin")
    (root / "data").mkdir()
    os.symlink(outside, root / "data" / "linked-folder")
    monkeypatch.chdir(root)
    inputs = [
        "../outside/secret",
        "results/issue-9/linked.bin",
        "data/linked-folder/secret",
        str(secret),
    ]
    result = ResultFile(
        issue=9,
        title="t",
        kind="recipe-comparison",
        provenance={
            "git": {"commit": None, "dirty": False},
            "created": "2026-12-01T00:00:00Z",
            "code_version": code_version(),
            "analysis": {"name": "recipe-comparison", "params": {}},
            "inputs": [{"path": p, "sha256": "0" * 64, "bytes": 1} for p in inputs],
        },
    )
    save(folder / "result.json", result)
    return root, secret


def test_paths_out_of_the_repository_or_through_links_are_errors(project, capsys) -> None:
    root, secret = project
    before = sorted(p for p in root.parent.rglob("*"))
    check = check_result(root / "results" / "issue-9" / "result.json", root=root)
    found = {f.subject: (f.status, f.message) for f in check.findings}
    assert found["../outside/secret"] == (
        "error",
        "input path leaves the repository; inputs are read from inside it only",
    )
    for linked in ("results/issue-9/linked.bin", "data/linked-folder/secret"):
        status, message = found[linked]
        assert status == "error" and "symbolic link" in message
    assert found[str(secret)] == (
        "unverifiable",
        "input is recorded outside the repository; not opened, cannot verify its sha256",
    )
    digest = sha256_file(secret)
    for text in [m for _, m in found.values()] + check.verified:
        assert SECRET not in text and digest[:12] not in text
    assert main(["check"]) == 1
    out = capsys.readouterr()
    assert SECRET not in out.out + out.err and digest[:12] not in out.out + out.err
    assert sorted(p for p in root.parent.rglob("*")) == before  # nothing written

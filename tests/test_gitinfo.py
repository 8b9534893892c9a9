"""Git facts the site builder relies on: which files differ from HEAD."""

from __future__ import annotations

import os
from pathlib import Path

from persona_atlas import gitinfo
from tests.site.sitekit import git


def _repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    for name in ("modified.txt", "staged_old.txt", "moved_old.txt", "same.txt"):
        (root / name).write_text(f"{name}\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    return root


def test_uncommitted_paths_cover_every_kind_of_change(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    (root / "modified.txt").write_text("changed\n")  # " M": the first column is a space
    git(root, "mv", "staged_old.txt", "staged_new.txt")  # "R ": a staged rename
    (root / "moved_old.txt").rename(root / "moved_new.txt")
    git(root, "add", "-N", "moved_new.txt")  # " R": a rename git sees in the worktree
    (root / "sub").mkdir()
    (root / "sub" / "new file.txt").write_text("x\n")  # untracked, with a space
    odd = os.fsdecode(b"caf\xe9.txt")  # not UTF-8: git prints it unquoted under -z
    (root / odd).write_text("x\n")

    paths = gitinfo.uncommitted_paths(root)

    assert {"modified.txt", "staged_new.txt", "moved_new.txt", "sub/new file.txt", odd} <= paths
    assert "same.txt" not in paths
    # a rename's source is its own field, never read as a path of its own
    assert not {p for p in paths if p.endswith("_old.txt") or len(p) < 5}


def test_outside_a_repository_nothing_is_uncommitted(tmp_path: Path) -> None:
    assert gitinfo.uncommitted_paths(tmp_path) == set()

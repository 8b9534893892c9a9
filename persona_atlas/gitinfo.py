"""Git facts for provenance and commit pinning. All return None outside a checkout."""

from __future__ import annotations

import functools
import os
import subprocess
from pathlib import Path

from persona_atlas.schema import GitState


def _git(*args: str, cwd: str | Path = ".") -> str | None:
    try:
        out = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, check=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip()


@functools.cache
def repo_root(cwd: str = ".") -> Path | None:
    top = _git("rev-parse", "--show-toplevel", cwd=cwd)
    return Path(top) if top else None


def head_commit(cwd: str | Path = ".") -> str | None:
    """Full SHA of HEAD, or None when there is no commit yet."""
    return _git("rev-parse", "--verify", "-q", "HEAD", cwd=cwd) or None


def is_dirty(cwd: str | Path = ".", paths: list[str] | None = None) -> bool:
    """True when tracked or untracked-but-not-ignored files differ from HEAD."""
    out = _git("status", "--porcelain", "--", *(paths or []), cwd=cwd)
    return bool(out)


def uncommitted_paths(cwd: str | Path = ".") -> set[str]:
    """Paths (relative to the repository root) that differ from HEAD or are untracked.

    NUL-separated porcelain output: names arrive unquoted (decoded as the OS would, so an
    odd byte in a file name cannot fail the build), and a rename's or copy's source path is
    a field of its own (skipped), whichever status column carries the R or C.
    """
    try:
        out = subprocess.run(
            ["git", "status", "--porcelain", "-z", "--untracked-files=all"],
            cwd=cwd,
            capture_output=True,
            check=True,
            timeout=30,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return set()
    fields = iter(out.split(b"\0"))
    paths: set[str] = set()
    for entry in fields:
        if len(entry) < 4:
            continue
        paths.add(os.fsdecode(entry[3:]))
        if b"R" in entry[:2] or b"C" in entry[:2]:
            next(fields, None)  # the source path of the rename or copy
    return paths


def last_commit_for(path: str | Path, cwd: str | Path = ".") -> str | None:
    """SHA of the last commit that touched ``path`` (None if never committed)."""
    return _git("log", "-1", "--format=%H", "--", str(path), cwd=cwd) or None


def last_commits_under(folder: str | Path, cwd: str | Path = ".") -> dict[str, str]:
    """Last commit SHA per immediate sub-folder of ``folder`` (one ``git log`` for all)."""
    out = _git("log", "--format=%x00%H", "--name-only", "--", str(folder), cwd=cwd) or ""
    prefix = str(folder).rstrip("/") + "/"
    found: dict[str, str] = {}
    commit = ""
    for line in out.splitlines():
        if line.startswith("\0"):
            commit = line[1:]
        elif line.startswith(prefix):
            sub = line[len(prefix) :].split("/", 1)[0]
            found.setdefault(prefix + sub, commit)
    return found


def state(cwd: str | Path = ".") -> GitState:
    return GitState(commit=head_commit(cwd), dirty=is_dirty(cwd))

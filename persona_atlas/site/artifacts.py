"""The artifacts table of a page: every file of a result, hashed and commit-pinned.

Files are listed without following links: a symbolic link or special file in a result folder
is an error naming it (``persona_atlas.files.plain_files``), never hashed or published.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from persona_atlas.files import plain_files, sha256_file
from persona_atlas.schema import ResultFile

_SKIP = {"report.md"}


@dataclass(frozen=True)
class Artifact:
    """One row of the artifacts table."""

    path: str  # relative to the repository root
    bytes: int
    sha256: str
    url: str | None  # commit-pinned link; None when the file is not committed
    location: str  # "git", "uncommitted" or "external"

    @property
    def is_figure(self) -> bool:
        """Generated figure files are listed apart, collapsed."""
        return "/figures/" in self.path

    @property
    def size(self) -> str:
        return human_size(self.bytes)


def human_size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def pinned_url(repo_url: str | None, commit: str | None, path: str) -> str | None:
    """``<repo_url>/blob/<sha>/<path>``: a link that can never drift to a newer ``main``."""
    if not repo_url or not commit:
        return None
    return f"{repo_url.rstrip('/')}/blob/{commit}/{quote(path)}"


def collect_artifacts(
    result_dir: Path,
    root: Path,
    result: ResultFile,
    *,
    repo_url: str | None,
    commit: str | None,
    uncommitted: set[str],
) -> list[Artifact]:
    """Files under ``result_dir`` plus external inputs named in the provenance."""
    rows: list[Artifact] = []
    for f in plain_files(result_dir):
        if f.name in _SKIP or f.name.startswith("."):
            continue
        rel = f.relative_to(root).as_posix()
        dirty = rel in uncommitted
        rows.append(
            Artifact(
                path=rel,
                bytes=f.lstat().st_size,
                sha256=sha256_file(f),
                url=None if dirty else pinned_url(repo_url, commit, rel),
                location="uncommitted" if dirty else "git",
            )
        )
    seen = {a.path for a in rows}
    for ref in result.provenance.inputs:
        if ref.location == "external" and ref.path not in seen:
            url = ref.path if "://" in ref.path else None
            rows.append(Artifact(ref.path, ref.bytes, ref.sha256, url, "external"))
    return rows

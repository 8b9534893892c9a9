"""What ``atlas check`` reports, and the one way it re-hashes a recorded file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from persona_atlas.files import outside_repository, sha256_file

Status = Literal["stale", "unverifiable", "error"]


@dataclass(frozen=True)
class Finding:
    subject: str  # the file the finding is about
    status: Status
    message: str


@dataclass
class ResultCheck:
    """Everything `check_result` found for one result; empty ``findings`` means fresh."""

    result_path: Path
    findings: list[Finding] = field(default_factory=list)
    verified: list[str] = field(default_factory=list)  # what was checked and held

    def count(self, status: Status) -> int:
        return sum(f.status == status for f in self.findings)

    def failed(self, *, strict_external: bool = False) -> bool:
        bad = {"stale", "error"} | ({"unverifiable"} if strict_external else set())
        return any(f.status in bad for f in self.findings)


def hashed_file(
    rel: str,
    recorded: str,
    root: Path,
    check: ResultCheck,
    what: str,
    external: bool,
    todo: str = "",
) -> None:
    """Stale when the committed file at ``rel`` is missing or its sha256 is not ``recorded``;
    ``todo`` (what to do) ends the message."""
    absolute = Path(rel).is_absolute()
    p = Path(rel) if absolute else root / rel
    then = f"; {todo}" if todo else ""
    if absolute and not p.resolve().is_relative_to(root.resolve()):
        msg = f"{what} is recorded outside the repository; not opened, cannot verify its sha256"
        check.findings.append(Finding(rel, "unverifiable", msg))
        return
    problem = None if absolute else outside_repository(rel, root)
    if problem:
        check.findings.append(Finding(rel, "error", f"{what} {problem}"))
        return
    if not p.is_file():
        if external or Path(rel).is_absolute():
            msg = f"{what} stored outside git is not present here; cannot verify its sha256"
            check.findings.append(Finding(rel, "unverifiable", msg))
        else:
            check.findings.append(Finding(rel, "stale", f"{what} is missing{then}"))
        return
    actual = sha256_file(p)
    if actual != recorded:
        msg = f"{what} sha256 {actual[:12]} ≠ recorded {recorded[:12]}{then}"
        check.findings.append(Finding(rel, "stale", msg))
    else:
        check.verified.append(f"{what} {rel}")


def shown(path: Path, root: Path) -> str:
    """``path`` as a message shows it: relative to the repository root when inside it."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)

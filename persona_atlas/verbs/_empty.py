"""Finding nothing to check is an error: a green run must mean something was checked."""

from __future__ import annotations

from pathlib import Path

from persona_atlas.errors import InputFileError


def nothing_found(verb: str, pattern: str) -> InputFileError:
    """The error for ``atlas <verb>`` run where there is nothing to check."""
    where = Path("results").resolve()
    looked = f"{where}/{pattern}"
    missing = "" if where.is_dir() else " (there is no results/ folder here)"
    return InputFileError(
        f"nothing to check: no files match {looked}{missing}",
        hint=f"run `atlas {verb}` from the repository root, or name the files to check; "
        "--allow-empty accepts finding none",
    )

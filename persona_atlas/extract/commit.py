"""The merge's commit: a run's files appear in ``out_dir`` together, or not as a run at all.

Every file of a merge (centroids, per-question arrays, responses, run.json) is first written
under ``out_dir/.extract-staging/``; a kill there leaves the previous run as it was. Then the
previous run.json is removed — from here the folder holds no complete run, and analysis
refuses it (`persona_atlas.analysis.extraction_record`) —, each file is moved into place
(``os.replace``, atomic per file), the previous run's files that this run did not write are
removed, and run.json goes in last: the commit point. The next ``atlas extract`` removes the
leftovers of an interrupted merge, with a message, and merges again from the kept parts.
The folder's names are `persona_atlas.run_layout`, shared with the readers.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from persona_atlas.run_layout import RUN_FILE, run_file, staging_dir

#: Folders whose ``*.safetensors`` files belong to the extraction, and its other files.
OWNED_FOLDERS = ("centroids", "per_question")
OWNED_FILES = ("responses.jsonl",)


def clear_leftovers(out_dir: Path) -> None:
    """Remove what an interrupted merge left (its parts are kept: the merge is redone)."""
    folder = staging_dir(out_dir)
    if folder.exists():
        print(f"atlas extract: removing {folder}, left by an interrupted merge", file=sys.stderr)
        shutil.rmtree(folder)


def owned_files(out_dir: Path) -> list[Path]:
    """The extraction's files now in ``out_dir`` (run.json aside)."""
    found = [p for name in OWNED_FILES if (p := out_dir / name).is_file()]
    for name in OWNED_FOLDERS:
        found += sorted((out_dir / name).glob("*.safetensors"))
    return found


def move(src: Path, dst: Path) -> None:
    os.replace(src, dst)


def commit(out_dir: Path, staged: Sequence[Path]) -> None:
    """Move the staged files into ``out_dir``, the staged run.json last."""
    stage = staging_dir(out_dir)
    new = {p.relative_to(stage) for p in staged}
    if Path(RUN_FILE) not in new:
        raise ValueError("a merge commits its run.json last; none was staged")
    run_file(out_dir).unlink(missing_ok=True)
    for rel in sorted(new - {Path(RUN_FILE)}):
        (out_dir / rel).parent.mkdir(parents=True, exist_ok=True)
        move(stage / rel, out_dir / rel)
    for old in owned_files(out_dir):
        if old.relative_to(out_dir) not in new:  # the previous run's, not rewritten
            old.unlink()
    for name in OWNED_FOLDERS:
        folder = out_dir / name
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    move(run_file(stage), run_file(out_dir))
    shutil.rmtree(stage, ignore_errors=True)

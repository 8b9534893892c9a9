"""The names inside an extraction folder: the contract between ``atlas extract`` and its readers.

``atlas extract`` writes these (`persona_atlas.extract`); ``atlas analyze`` refuses a folder
whose staging folder or parts show an unfinished extraction
(`persona_atlas.analysis.extraction_record`), and ``atlas check`` finds an extraction among a
result's inputs by its run.json (`persona_atlas.staleness.extraction`). Both sides import the
names from here, so neither imports the other. See docs/data-contracts.md.
"""

from __future__ import annotations

from pathlib import Path

#: The extraction's record, written last: a folder without it holds no complete run.
RUN_FILE = "run.json"
#: Finished personas (one part each, plus each shard's record) until the merge has committed.
PARTS_DIR = "parts"
#: Where a merge is staged before its files move into place (run.json last).
STAGING_DIR = ".extract-staging"


def run_file(out_dir: Path) -> Path:
    return out_dir / RUN_FILE


def parts_dir(out_dir: Path) -> Path:
    return out_dir / PARTS_DIR


def staging_dir(out_dir: Path) -> Path:
    return out_dir / STAGING_DIR


def is_run_file(path: str | Path) -> bool:
    """Whether a recorded path names an extraction's run.json."""
    return Path(path).name == RUN_FILE

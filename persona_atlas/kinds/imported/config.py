"""The ``analysis`` keys of an imported result: the files it was imported from."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from persona_atlas.config_types import KindConfig


class ImportedConfig(KindConfig):
    name: str = "imported"
    """Registered kind to run (docs/kinds.md)."""
    files: list[Path] = Field(min_length=1)
    """The imported JSON files, relative to the repository root, in the order given to
    `atlas import` (with several files, each one's values sit under its file stem)."""

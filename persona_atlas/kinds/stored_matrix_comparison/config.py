"""The ``analysis`` keys of a stored-matrix comparison: the recipe-verdict keys plus the
stored file."""

from __future__ import annotations

from pathlib import Path

from persona_atlas.kinds.recipe_comparison.config import RecipeVerdictConfig


class StoredMatrixConfig(RecipeVerdictConfig):
    name: str = "stored-matrix-comparison"
    """Registered kind to run (docs/kinds.md)."""
    source: Path
    """The stored cosine-matrix JSON (per layer: both recipes' persona × persona matrices
    and per-persona cosines)."""

"""``stored-matrix-comparison``: a recipe comparison re-derived from stored cosine matrices.

The #200 pilot stored both recipes' persona × persona matrices per layer; this kind
recomputes every statistic from them (``analysis/stored_matrices.py``) and writes a
recipe-comparison result (same cells, verdicts and figures) plus a ``layers`` table.
"""

from __future__ import annotations

from persona_atlas.kinds.base import Kind
from persona_atlas.kinds.recipe_comparison import VOCABULARY
from persona_atlas.kinds.stored_matrix_comparison.config import StoredMatrixConfig
from persona_atlas.kinds.stored_matrix_comparison.tables import TABLES

KIND = Kind(
    name="stored-matrix-comparison",
    doc="A recipe comparison recomputed from a file of stored persona × persona cosine "
    "matrices (the #200 pilot): the same cells and verdicts, plus per-layer matrix "
    "agreement.",
    config=StoredMatrixConfig,
    run="persona_atlas.analysis.stored_matrices:run",
    tables=TABLES,
    figures=("direction_vs_structure", "per_persona_cos"),
    optional_figures=("verdict_partition", "cosine_matrix"),
    vocabulary=VOCABULARY,
    modules=("persona_atlas.analysis.stored_matrices",),
    result_kind="recipe-comparison",
)

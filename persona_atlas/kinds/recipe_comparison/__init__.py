"""``recipe-comparison``: do two extraction recipes agree on the persona map?

Every metric, noise floor, Mantel p and verdict for recipe pairs × layers, computed from
an extraction's centroids (``analysis/sweep.py``) or imported from the #201 format
(``analysis/legacy_import/``).
"""

from __future__ import annotations

from persona_atlas.kinds.base import Kind, Producer, Vocabulary
from persona_atlas.kinds.recipe_comparison.config import RecipeComparisonConfig
from persona_atlas.kinds.recipe_comparison.tables import TABLES

#: The group's words for this kind's tables and columns.
VOCABULARY = Vocabulary.of(
    aliases={
        "per_persona_min": "cos_min",
        "per_persona_p5": "cos_p5",
        "per_persona_mean": "cos_mean",
        "per_persona_max": "cos_max",
        "matrix_mc_pearson_r": "mc_r",
        "mc_pearson": "mc_r",
        "matrix_raw_pearson_r": "raw_pearson",
        "matrix_raw_spearman_r": "raw_spearman",
    },
    synonyms={"role": "persona", "method": "recipe", "success": "pass", "passe": "pass"},
    item_columns=("x", "y", "recipe", "method"),
    item_lists=("recipes", "methods"),
)

#: Charts every recipe comparison gets; the rest when the result carries their data.
FIGURES = ("verdict_partition", "per_persona_cos", "direction_vs_structure")
OPTIONAL_FIGURES = ("noise_floor", "rsa_scatter", "cosine_matrix")

LEGACY_IMPORT = Producer(
    name="import:legacy-recipe-sweep",
    doc="`atlas import` of the group's #201-format sweep files (``pairs``, "
    "``cross_method_metrics``): their values, with the verdicts recomputed.",
    modules=("persona_atlas.analysis.legacy_import",),
)

KIND = Kind(
    name="recipe-comparison",
    doc="Do two extraction recipes agree on the persona map? Per recipe pair and layer: "
    "per-persona cosines, raw and mean-centred matrix correlations, split-half noise floor, "
    "Mantel p and a PASS / GREY / KILL verdict.",
    config=RecipeComparisonConfig,
    run="persona_atlas.analysis.sweep:run",
    tables=TABLES,
    figures=FIGURES,
    optional_figures=OPTIONAL_FIGURES,
    vocabulary=VOCABULARY,
    modules=("persona_atlas.analysis.sweep",),
    producers=(LEGACY_IMPORT,),
)

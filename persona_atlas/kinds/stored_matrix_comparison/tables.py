"""The table only a stored-matrix comparison adds to the recipe-comparison tables."""

from __future__ import annotations

from persona_atlas.kinds.base import Column, TableContract
from persona_atlas.kinds.recipe_comparison import tables as recipe

_SPREAD = {
    "raw_pearson": "Pearson r between the two recipes' raw cosine matrices.",
    "raw_spearman": "Spearman rho between the raw cosine matrices.",
    "raw_mean_abs_diff": "Mean absolute difference of the raw matrices.",
    "mc_pearson": "Pearson r between the mean-centred matrices (the cells' mc_r).",
    "mc_spearman": "Spearman rho between the mean-centred matrices.",
    "mc_mean_abs_diff": "Mean absolute difference of the mean-centred matrices.",
    "cos_min": "Lowest per-persona cosine.",
    "cos_mean": "Mean per-persona cosine.",
    "cos_max": "Highest per-persona cosine.",
    "cos_std": "Standard deviation of the per-persona cosines.",
}
LAYERS = TableContract(
    "layers",
    "Per layer: raw and mean-centred matrix agreement, per-persona cosine spread.",
    (
        Column("layer", "INTEGER", "0-based decoder block."),
        *(Column(name, "DOUBLE", doc) for name, doc in _SPREAD.items()),
    ),
)

TABLES = (
    recipe.CELLS,
    recipe.VERDICT_COUNTS,
    recipe.VERDICT_BY_PAIR,
    recipe.VERDICT_GRID,
    LAYERS,
    recipe.PER_PERSONA_COS,
)

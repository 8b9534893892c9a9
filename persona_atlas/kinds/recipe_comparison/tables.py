"""Table contracts of a recipe comparison: declared once, read by the sweep, the stored-matrix
comparison, the #201 importer, the figures, docs/kinds.md and the test fixtures."""

from __future__ import annotations

from persona_atlas.kinds.base import Column, TableContract

_PAIR = Column("pair", "VARCHAR", "Recipe pair, ``x vs y``.")
_LAYER = Column("layer", "INTEGER", "0-based decoder block (output of block L).")
_COS = {
    "cos_min": "Lowest per-persona cosine between the two recipes' centroids.",
    "cos_p5": "5th percentile of the per-persona cosines.",
    "cos_mean": "Mean of the per-persona cosines.",
    "cos_max": "Highest per-persona cosine.",
}
_MC_R = Column(
    "mc_r", "DOUBLE", "Pearson r between the two mean-centred persona × persona cosine matrices."
)


def _cos(*names: str) -> tuple[Column, ...]:
    return tuple(Column(n, "DOUBLE", _COS[n]) for n in names)


CELLS = TableContract(
    "cells",
    "One row per recipe pair and layer: every metric and the verdict.",
    (
        _PAIR,
        Column("x", "VARCHAR", "First recipe."),
        Column("y", "VARCHAR", "Second recipe."),
        Column("category", "VARCHAR", "``load-bearing``, ``sanity`` or ``other``."),
        _LAYER,
        *_cos("cos_min", "cos_p5", "cos_mean", "cos_max"),
        Column("raw_pearson", "DOUBLE", "Pearson r between the raw cosine matrices."),
        Column("raw_spearman", "DOUBLE", "Spearman rho between the raw cosine matrices."),
        _MC_R,
        Column(
            "spread_spearman",
            "DOUBLE",
            "Spearman rho between the two recipes' per-persona question spreads.",
        ),
        Column("mantel_p", "DOUBLE", "Mantel permutation p-value of mc_r."),
        Column("verdict", "VARCHAR", "PASS, GREY or KILL under the thresholds."),
    ),
)
#: Numeric cell columns a metric may fill (the rest name the cell or are derived).
CELL_METRIC_COLUMNS = tuple(c.name for c in CELLS.columns if c.type == "DOUBLE")

VERDICT_COUNTS = TableContract(
    "verdict_counts",
    "Cells per verdict.",
    (Column("verdict", "VARCHAR", "PASS, GREY or KILL."), Column("count", "INTEGER", "Cells.")),
)
VERDICT_BY_PAIR = TableContract(
    "verdict_by_pair",
    "Layers per verdict, for each recipe pair.",
    (
        _PAIR,
        Column("category", "VARCHAR", "The pair's category."),
        *(Column(v, "INTEGER", f"Layers where the pair is {v}.") for v in ("PASS", "GREY", "KILL")),
    ),
)
VERDICT_GRID = TableContract(
    "verdict_grid",
    "Verdict of each recipe pair at each layer.",
    (_PAIR, Column("category", "VARCHAR", "The pair's category.")),
    more="``layer_<L>`` (VARCHAR): the pair's verdict at layer L, one column per layer.",
)
PER_PERSONA_COS = TableContract(
    "per_persona_cos",
    "Cosine between each persona's two recipe centroids.",
    (
        _PAIR,
        _LAYER,
        Column("persona", "VARCHAR", "Persona name."),
        Column("cos", "DOUBLE", "Cosine between the persona's centroids under x and y."),
    ),
)
NOISE_FLOOR = TableContract(
    "noise_floor",
    "Same recipe, split-half centroids: the agreement noise allows.",
    (
        Column("recipe", "VARCHAR", "The recipe split in two halves of the questions."),
        _LAYER,
        *_cos("cos_min", "cos_p5", "cos_mean"),
        Column("mc_r", "DOUBLE", "mc_r between the two halves' cosine matrices."),
    ),
)
RSA_PAIRS = TableContract(
    "rsa_pairs",
    "Each persona pair's mean-centred cosine distance under both recipes of the headline "
    "pair, at its best layer.",
    (
        Column("a", "VARCHAR", "First persona."),
        Column("b", "VARCHAR", "Second persona."),
        Column("dist_x", "DOUBLE", "Mean-centred cosine distance under recipe x."),
        Column("dist_y", "DOUBLE", "Mean-centred cosine distance under recipe y."),
        Column("decoupling", "DOUBLE", "How far the pair moves between the two maps."),
    ),
)

# Written by the #201 importer only.
_SOURCE = Column("source", "VARCHAR", "Legacy file the row comes from.")
_SUPERSEDED_BY = Column("superseded_by", "VARCHAR", "Legacy file whose row replaced it.")
VERDICT_DISAGREEMENTS = TableContract(
    "verdict_disagreements",
    "Cells whose stored verdict differs from the one the thresholds give.",
    (
        _SOURCE,
        _PAIR,
        _LAYER,
        Column("stored", "VARCHAR", "Verdict stored in the legacy file."),
        Column("recomputed", "VARCHAR", "Verdict under the thresholds."),
    ),
)
BSTAR_NO_LAST_SENSITIVITY = TableContract(
    "bstar_no_last_sensitivity",
    "The pair with B*_no_last in place of B*, and how much that moves it.",
    (
        _PAIR,
        Column("x", "VARCHAR", "First recipe."),
        Column("y", "VARCHAR", "Second recipe."),
        _LAYER,
        *_cos("cos_min", "cos_p5", "cos_mean", "cos_max"),
        _MC_R,
    ),
    more="``delta_cos_min``, ``delta_mc_r`` (DOUBLE): this pair minus the pair with B*.",
)
SENSITIVITY_DELTAS = ("delta_cos_min", "delta_mc_r")
SUPERSEDED_CELLS = TableContract(
    "superseded_cells",
    "Rows of `cells` replaced by a later file, kept so no number is lost.",
    (*CELLS.columns, _SOURCE, _SUPERSEDED_BY),
)
SUPERSEDED_NOISE_FLOOR = TableContract(
    "superseded_noise_floor",
    "Rows of `noise_floor` replaced by a later file, kept so no number is lost.",
    (*NOISE_FLOOR.columns, _SOURCE, _SUPERSEDED_BY),
)
SUPERSEDED_BSTAR_NO_LAST_SENSITIVITY = TableContract(
    "superseded_bstar_no_last_sensitivity",
    "Rows of `bstar_no_last_sensitivity` replaced by a later file, kept so no number is lost.",
    (*BSTAR_NO_LAST_SENSITIVITY.columns, _SOURCE, _SUPERSEDED_BY),
)
SOURCE_DISAGREEMENTS = TableContract(
    "source_disagreements",
    "Values that differ between a kept row and the row it superseded.",
    (
        Column("table", "VARCHAR", "Table of the row."),
        Column("key", "VARCHAR", "Pair or recipe of the row."),
        _LAYER,
        Column("column", "VARCHAR", "Column whose value differs."),
        Column("kept_source", "VARCHAR", "Legacy file of the kept row."),
        Column("kept", "DOUBLE", "Kept value."),
        Column("superseded_source", "VARCHAR", "Legacy file of the superseded row."),
        Column("superseded", "DOUBLE", "Superseded value."),
        Column("abs_diff", "DOUBLE", "Absolute difference of the two."),
    ),
)
SOURCE_VERDICT_CHANGES = TableContract(
    "source_verdict_changes",
    "Cells whose stored verdict differs between the merged files.",
    (
        _PAIR,
        _LAYER,
        Column("kept_source", "VARCHAR", "Legacy file of the kept row."),
        Column("kept", "VARCHAR", "Kept verdict."),
        Column("superseded_source", "VARCHAR", "Legacy file of the superseded row."),
        Column("superseded", "VARCHAR", "Superseded verdict."),
    ),
)

#: Every table a recipe-comparison result may carry, in page order.
TABLES = (
    CELLS,
    VERDICT_COUNTS,
    VERDICT_BY_PAIR,
    VERDICT_GRID,
    PER_PERSONA_COS,
    NOISE_FLOOR,
    RSA_PAIRS,
    VERDICT_DISAGREEMENTS,
    BSTAR_NO_LAST_SENSITIVITY,
    SUPERSEDED_CELLS,
    SUPERSEDED_NOISE_FLOOR,
    SUPERSEDED_BSTAR_NO_LAST_SENSITIVITY,
    SOURCE_DISAGREEMENTS,
    SOURCE_VERDICT_CHANGES,
)

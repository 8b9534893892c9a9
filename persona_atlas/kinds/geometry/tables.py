"""The tables of a geometry comparison, declared once (producer, figures, docs, tests)."""

from __future__ import annotations

from persona_atlas.kinds.base import Column, TableContract

STATISTICS = TableContract(
    "statistics",
    "Every statistic comparing the two distance matrices (strict upper triangles).",
    (
        Column(
            "name",
            "VARCHAR",
            "Statistic: raw_pearson, raw_spearman, mc_pearson, "
            "mc_spearman, mantel, mantel_stratified, partial_spearman, cluster_rsa, "
            "jackknife. mc_*: both matrices double-centred first (each persona's row "
            "and column mean removed, the grand mean added back).",
        ),
        Column("value", "DOUBLE", "The correlation (jackknife: on all personas)."),
        Column(
            "p",
            "DOUBLE",
            "p-value: two-sided parametric for correlations, one-sided "
            "permutation (b + 1) / (B + 1) for Mantel tests; null for the jackknife.",
        ),
        Column(
            "ci_lo",
            "DOUBLE",
            "Lower end of the 95% interval (jackknife: lowest "
            "leave-one-out value); null where none.",
        ),
        Column(
            "ci_hi",
            "DOUBLE",
            "Upper end of the 95% interval (jackknife: highest "
            "leave-one-out value); null where none.",
        ),
    ),
)
JACKKNIFE = TableContract(
    "jackknife",
    "Leave-one-persona-out: the Mantel correlation with each persona dropped.",
    (
        Column("dropped", "VARCHAR", "Persona left out."),
        Column("value", "DOUBLE", "Correlation of the two distance triangles without it."),
    ),
)
RSA_PAIRS = TableContract(
    "rsa_pairs",
    "Each persona pair's distance in both matrices (similarities converted to 1 − value).",
    (
        Column("a", "VARCHAR", "First persona."),
        Column("b", "VARCHAR", "Second persona."),
        Column("dist_x", "DOUBLE", "Distance in matrix x."),
        Column("dist_y", "DOUBLE", "Distance in matrix y."),
        Column(
            "decoupling",
            "DOUBLE",
            "|rank in x − rank in y| / number of pairs: 0 when "
            "the pair sits at the same rank in both.",
        ),
    ),
)

TABLES = (STATISTICS, JACKKNIFE, RSA_PAIRS)

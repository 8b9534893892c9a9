"""The tables a ``correlations`` result carries (declared once: producer, figure, docs)."""

from __future__ import annotations

from persona_atlas.kinds.base import Column, TableContract

_RHO = Column("rho", "DOUBLE", "Spearman rho (null: undefined, e.g. a constant series).")
_P = Column("p", "DOUBLE", "Two-sided p-value of rho = 0.")
_N = Column("n", "INTEGER", "Cells with every field the correlation needs.")
_PREDICTOR = Column("predictor", "VARCHAR", "The predictor field.")

CORRELATIONS = TableContract(
    "correlations",
    "Per predictor and method: rho against the outcome over all usable cells, with its "
    "bootstrap percentile interval.",
    (
        _PREDICTOR,
        Column(
            "method",
            "VARCHAR",
            "``spearman`` (raw) or ``partial_spearman`` (covariates partialled out).",
        ),
        Column("covariates", "VARCHAR", "Covariates partialled out, comma-separated (raw: empty)."),
        _RHO,
        _P,
        Column("ci_lo", "DOUBLE", "Lower bound of the bootstrap percentile interval."),
        Column("ci_hi", "DOUBLE", "Upper bound of the bootstrap percentile interval."),
        _N,
    ),
)
STRATA = TableContract(
    "strata",
    "Per stratification, stratum and predictor: the raw Spearman rho within the stratum, "
    "with a Fisher z interval (Bonett-Wright standard error).",
    (
        Column("field", "VARCHAR", "The field that defines the strata."),
        Column("stratum", "VARCHAR", "The bin ``[lo, hi)`` or the field's value."),
        _PREDICTOR,
        _RHO,
        _P,
        Column("ci_lo", "DOUBLE", "Lower bound of the Fisher z interval."),
        Column("ci_hi", "DOUBLE", "Upper bound of the Fisher z interval."),
        _N,
    ),
)
LEAVE_GROUP_OUT = TableContract(
    "leave_group_out",
    "Per predictor and group: the raw Spearman rho with that group's cells left out.",
    (
        _PREDICTOR,
        Column("dropped", "VARCHAR", "The group left out."),
        _RHO,
        _P,
        _N,
    ),
)

CELLS = TableContract(
    "cells",
    "The cells that enter at least one correlation: the outcome and at least one predictor "
    "are numbers.",
    (
        Column("label", "VARCHAR", "The cell's name (``label`` fields joined with ``_``)."),
        Column("outcome", "DOUBLE", "The outcome field's value."),
    ),
    more="One DOUBLE column per predictor, then per covariate, named after the field (null: "
    "the source has no number there).",
)

TABLES = (CORRELATIONS, STRATA, LEAVE_GROUP_OUT, CELLS)

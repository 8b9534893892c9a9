"""The tables of a regression result. ``ols_points`` and ``ols_fit`` are what the
``ols_scatter`` figure reads (``persona_atlas/figures/scatter.py``)."""

from __future__ import annotations

from persona_atlas.kinds.base import Column, TableContract

ITEMS = TableContract(
    "items",
    "One row per item: its values, its rate's Wilson interval, the fit's prediction and the "
    "influence of the item on the fit over every item.",
    (
        Column("item", "VARCHAR", "Item name (a persona)."),
        Column("predictor", "DOUBLE", "Predictor value (x)."),
        Column("outcome", "DOUBLE", "Outcome value (y): a rate k / n when trials are given."),
        Column("successes", "INTEGER", "k of the rate (null: the outcome is not a rate)."),
        Column("trials", "INTEGER", "n of the rate (null: the outcome is not a rate)."),
        Column("wilson_low", "DOUBLE", "Lower bound of the rate's Wilson interval."),
        Column("wilson_high", "DOUBLE", "Upper bound of the rate's Wilson interval."),
        Column("held_out", "BOOLEAN", "Left out of the fit (a new point)."),
        Column("fitted", "DOUBLE", "Prediction of the fit (held-out items excluded) at x."),
        Column("residual", "DOUBLE", "outcome − fitted."),
        Column("cooks_d", "DOUBLE", "Cook's distance in the fit over every item."),
        Column("leverage", "DOUBLE", "Leverage (hat-matrix diagonal) in the fit over every item."),
        Column("influential", "BOOLEAN", "Cook's distance above 4 / n."),
        Column("loo_pi_low", "DOUBLE", "Lower bound of the prediction interval of the fit "
               "over every other item (leave-one-out)."),
        Column("loo_pi_high", "DOUBLE", "Upper bound of that leave-one-out interval."),
        Column("loo_covered", "BOOLEAN", "Outcome inside its leave-one-out interval."),
    ),
)  # fmt: skip

PREDICTION_INTERVALS = TableContract(
    "prediction_intervals",
    "One row per held-out item: the fit's prediction at its predictor and the prediction "
    "interval for a new observation there.",
    (
        Column("item", "VARCHAR", "Held-out item."),
        Column("predictor", "DOUBLE", "Its predictor value."),
        Column("observed", "DOUBLE", "Its outcome."),
        Column("predicted", "DOUBLE", "The fit's prediction."),
        Column("pi_low", "DOUBLE", "Lower bound of the prediction interval."),
        Column("pi_high", "DOUBLE", "Upper bound of the prediction interval."),
        Column("pi_half", "DOUBLE", "Half-width of the prediction interval."),
        Column("inside", "BOOLEAN", "Observed outcome inside the interval."),
    ),
)

NEW_POINT_DROPS = TableContract(
    "new_point_drops",
    "One row per fitted item dropped in turn: do the held-out items stay inside the "
    "prediction intervals of the refit without it?",
    (
        Column("dropped", "VARCHAR", "The fitted item left out of the refit."),
        Column("inside", "INTEGER", "Held-out items inside their prediction interval."),
        Column("outside", "INTEGER", "Held-out items outside it."),
        Column("all_inside", "BOOLEAN", "Every held-out item inside."),
    ),
)

OLS_POINTS = TableContract(
    "ols_points",
    "The points of the figure: every item at (predictor, outcome).",
    (
        Column("label", "VARCHAR", "Item name."),
        Column("x", "DOUBLE", "Predictor value."),
        Column("y", "DOUBLE", "Outcome value."),
        Column("held_out", "BOOLEAN", "Left out of the fit."),
    ),
)

OLS_FIT = TableContract(
    "ols_fit",
    "The fit's line and prediction band on an even grid spanning every item's predictor.",
    (
        Column("x", "DOUBLE", "Grid point."),
        Column("fit", "DOUBLE", "Prediction of the fit at x."),
        Column("pi_low", "DOUBLE", "Lower bound of the prediction interval at x."),
        Column("pi_high", "DOUBLE", "Upper bound of the prediction interval at x."),
    ),
)

OTHER_PREDICTORS = TableContract(
    "other_predictors",
    "One row per other candidate predictor: its correlations with the outcome over every item.",
    (
        Column("predictor", "VARCHAR", "Label of the predictor (analysis.other_predictors)."),
        Column("n", "INTEGER", "Items correlated."),
        Column("pearson_r", "DOUBLE", "Pearson r with the outcome."),
        Column("pearson_p", "DOUBLE", "Two-sided p of the Pearson r."),
        Column("spearman_r", "DOUBLE", "Spearman rho with the outcome."),
        Column("spearman_p", "DOUBLE", "Two-sided p of the Spearman rho."),
    ),
)

TABLES = (ITEMS, PREDICTION_INTERVALS, NEW_POINT_DROPS, OTHER_PREDICTORS, OLS_POINTS, OLS_FIT)

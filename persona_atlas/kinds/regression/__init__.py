"""``regression``: OLS of an outcome on a predictor over items (personas), with Pearson and
Spearman correlations, prediction intervals for held-out items, two leave-one-out checks,
Cook's distance, VIF and Wilson intervals for rates.

No verdict: whether a slope or a coverage matters depends on the question, which the
report states; the result carries the numbers.
"""

from __future__ import annotations

from persona_atlas.kinds.base import Kind, Vocabulary
from persona_atlas.kinds.regression.config import RegressionConfig
from persona_atlas.kinds.regression.tables import TABLES

VOCABULARY = Vocabulary.of(
    aliases={"cooks_distance": "cooks_d", "hat_value": "leverage"},
    item_columns=("item", "label", "dropped"),
)

KIND = Kind(
    name="regression",
    doc="Ordinary least squares of an outcome on one predictor over items, the items held "
    "out checked against the fit's prediction intervals; Pearson and Spearman with p and "
    "interval, leave-one-out coverage (standard) and the held-out check per drop, Cook's "
    "distance (4 / n flag), VIF with covariates, Wilson intervals for rates. No verdict. "
    "Metrics: `ols` (slope, intercept, slope_p, r2 of the fit without the held-out items), "
    "`fit_pearson` / `fit_spearman` (those items) and `all_pearson` / `all_spearman` (every "
    "item), each with r, p, n, ci_low, ci_high; `cooks` (threshold, n_influential, max); "
    "`loo_pi_coverage` (covered of n, Wilson interval); `loo_new_points_inside` (passes of "
    "total drops); `vif` and `partial_spearman` (with covariates).",
    config=RegressionConfig,
    run="persona_atlas.kinds.regression.compute:run",
    tables=TABLES,
    figures=("ols_scatter",),
    vocabulary=VOCABULARY,
    modules=(
        "persona_atlas.analysis.regression",
        "persona_atlas.analysis.correlation",
        "persona_atlas.analysis.statistics",
    ),
)

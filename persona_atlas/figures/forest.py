"""Forest plot: each predictor's rho against the outcome with its interval, per method.

Draws the ``correlations`` table as written by the analysis (rho, ci_lo, ci_hi); nothing is
computed here. A row whose rho is null is left out and counted in the subtitle.
"""

from __future__ import annotations

import altair as alt

from persona_atlas.figures import inputs, theme
from persona_atlas.figures.datasets import dataset
from persona_atlas.figures.empty import no_data
from persona_atlas.schema import ResultFile

FOREST_TITLE = "Spearman rho against the outcome, with bootstrap intervals"
COLUMNS = ["predictor", "method", "rho", "ci_lo", "ci_hi", "n"]


def correlation_forest(result: ResultFile, name: str) -> alt.TopLevelMixin:
    rows = inputs.table(result, name, "correlations", COLUMNS)
    shown = [r for r in rows if r["rho"] is not None]
    if not shown:
        return no_data(FOREST_TITLE, "tables.correlations has no defined rho")
    outcome = inputs.optional_metric(result, "outcome", "the outcome")
    level = inputs.optional_metric(result, "bootstrap.alpha")
    resamples = inputs.optional_metric(result, "bootstrap.resamples")
    note = f"outcome: {outcome}"
    if isinstance(level, float) and isinstance(resamples, int):
        note += f"; {100 * (1 - level):g}% percentile intervals from {resamples:,} resamples"
    if len(shown) < len(rows):
        note += f"; {len(rows) - len(shown)} undefined rho not drawn"
    for r in shown:
        r["row"] = f"{r['predictor']} · {r['method']}"
    y = alt.Y("row:N", title=None, sort=None)
    x_scale = alt.Scale(domain=[-1, 1])
    base = alt.Chart(dataset(shown))
    whiskers = base.mark_rule(strokeWidth=2, color=theme.PALETTE[0]).encode(
        x=alt.X("ci_lo:Q", title="Spearman rho", scale=x_scale), x2="ci_hi:Q", y=y
    )
    dots = base.mark_point(filled=True, size=70, color=theme.PALETTE[0]).encode(
        x=alt.X("rho:Q", scale=x_scale),
        y=y,
        tooltip=["predictor:N", "method:N", alt.Tooltip("rho:Q", format=".3f"),
                 alt.Tooltip("ci_lo:Q", format=".3f"), alt.Tooltip("ci_hi:Q", format=".3f"),
                 "n:Q"],
    )  # fmt: skip
    zero = (
        alt.Chart(dataset([{"x": 0.0}]))
        .mark_rule(color=theme.NOTE_COLOUR, strokeDash=theme.THRESHOLD_DASH)
        .encode(x="x:Q")
    )
    height = max(80, 28 * len(shown))
    return alt.layer(zero, whiskers, dots).properties(
        width=theme.WIDTH, height=height, title=theme.title(FOREST_TITLE, note)
    )

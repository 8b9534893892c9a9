"""Which figures a result gets: chart, default file name and caption.

The result's kind (``persona_atlas/kinds/<kind>/``) declares its figures. A chart the kind
always gets is always built, so missing data is an error naming the chart and path; an
optional one (the noise floor, stored cosine matrices, RSA tables) is built only when the
result carries its data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import altair as alt

from persona_atlas.figures import distributions, forest, layers, matrices, scatter, verdicts
from persona_atlas.kinds.regression.tables import OLS_POINTS
from persona_atlas.schema import ResultFile

ChartFn = Callable[..., alt.TopLevelMixin]

CHARTS: dict[str, ChartFn] = {
    "verdict_partition": verdicts.verdict_partition,
    "per_persona_cos": distributions.per_persona_cos,
    "direction_vs_structure": layers.direction_vs_structure,
    "noise_floor": layers.noise_floor,
    "cosine_matrix": matrices.cosine_matrix,
    "ols_scatter": scatter.ols_scatter,
    "rsa_scatter": scatter.rsa_scatter,
    "correlation_forest": forest.correlation_forest,
}

CAPTIONS = {
    "verdict_partition": "Verdict per recipe pair and layer (PASS / GREY / KILL).",
    "per_persona_cos": "Per-persona cosine between recipe centroids, with pass and kill "
    "thresholds.",
    "direction_vs_structure": "Direction (per-persona cos_min) and structure (mean-centred "
    "matrix r) across layers.",
    "noise_floor": "Split-half noise floor of each recipe against the cross-recipe spread.",
    "cosine_matrix": "Persona × persona cosine matrix in hierarchical-clustering order.",
    "ols_scatter": "OLS fit with 95% prediction interval.",
    "rsa_scatter": "Distance vs distance; the most decoupled persona pairs labelled.",
    "correlation_forest": "Each predictor's Spearman rho against the outcome with its "
    "bootstrap percentile interval.",
}

# Charts of result kinds that no registered kind writes yet (their kind will declare them).
PENDING: dict[str, tuple[str, ...]] = {}

# An optional chart is built when the result has its table (an empty table draws the
# "no data" figure); ``cosine_matrix``: one per stored matrix (``matrices.matrix_keys``).
OPTIONAL = {
    "verdict_partition": "cells",
    "noise_floor": "noise_floor",
    "ols_scatter": OLS_POINTS.name,
    "rsa_scatter": "rsa_pairs",
}


@dataclass(frozen=True)
class FigureJob:
    """One figure to draw: file name stem, chart, parameters, default caption."""

    name: str
    chart: str
    caption: str
    params: dict[str, Any] = field(default_factory=dict)

    def build(self, result: ResultFile) -> alt.TopLevelMixin:
        return CHARTS[self.chart](result, self.name, **self.params)


def jobs_for(result: ResultFile) -> list[FigureJob]:
    """Every figure the result gets, in page order."""
    from persona_atlas.kinds import kind_of

    kind = kind_of(result)
    names = list(kind.figures if kind else PENDING.get(result.kind, ()))
    optional = kind.optional_figures if kind else tuple(OPTIONAL)
    for chart in optional:
        if OPTIONAL.get(chart) in result.tables and chart not in names:
            names.append(chart)
    jobs = [FigureJob(n, n, CAPTIONS[n]) for n in names]
    if "cosine_matrix" not in optional:
        return jobs
    for stem, key in matrices.matrix_keys(result):
        jobs.append(
            FigureJob(
                name=f"cosine_matrix_{stem}_{key}",
                chart="cosine_matrix",
                caption=f"Persona × persona cosine matrix, recipe {stem}, "
                f"{key.replace('_', ' ')}, in hierarchical-clustering order.",
                params={"stem": stem, "layer_key": key},
            )
        )
    return jobs

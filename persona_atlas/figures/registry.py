"""Which figures a result gets: chart, default file name and caption, by result ``kind``.

A chart whose data the contract makes mandatory for the kind (``cells`` for a
recipe-comparison) is always built, so missing data is an error naming the chart and path.
Charts over data a result may lack (the noise floor, stored cosine matrices, OLS and RSA
tables) are built only when the result carries that data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import altair as alt

from persona_atlas.figures import distributions, layers, matrices, scatter, verdicts
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
}

# Built for every result of the kind; missing data is an error.
REQUIRED = {
    "recipe-comparison": ["verdict_partition", "per_persona_cos", "direction_vs_structure"],
    "stored-matrix-comparison": ["direction_vs_structure", "per_persona_cos"],
    "regression": ["ols_scatter"],
    "rsa": ["rsa_scatter"],
}

# Built when the result has the table (an empty table draws the "no data" figure).
OPTIONAL = {"noise_floor": "noise_floor", "ols_scatter": "ols_points", "rsa_scatter": "rsa_pairs"}


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
    names = list(REQUIRED.get(result.kind, []))
    for chart, table in OPTIONAL.items():
        if table in result.tables and chart not in names:
            names.append(chart)
    jobs = [FigureJob(n, n, CAPTIONS[n]) for n in names]
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

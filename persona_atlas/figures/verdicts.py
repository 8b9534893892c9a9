"""Verdict partition heatmap: recipe pairs × layers coloured PASS / GREY / KILL."""

from __future__ import annotations

from collections import Counter

import altair as alt

from persona_atlas.figures import inputs, theme
from persona_atlas.figures.datasets import dataset
from persona_atlas.figures.empty import no_data
from persona_atlas.schema import ResultFile

TITLE = "Verdict per recipe pair and layer"


def verdict_partition(result: ResultFile, name: str) -> alt.TopLevelMixin:
    cells = inputs.table(
        result, name, "cells", ["pair", "category", "layer", "cos_min", "mc_r", "verdict"]
    )
    if not cells:
        return no_data(TITLE, "tables.cells has no rows")
    counts = _counts(result, name, cells)
    limits = inputs.thresholds(result, name, required=False)
    rule = (
        f"PASS: cos_min > {limits['pass_cos_min']:g} and mc_r > {limits['pass_mc_r']:g}; "
        f"KILL: cos_min < {limits['kill_cos_min']:g} or mc_r < {limits['kill_mc_r']:g}"
        if limits
        else "PASS: cos_min and mc_r above the pass thresholds, KILL: either below kill"
    )
    labels = {v: f"{v} ({counts.get(v, 0):,})" for v in theme.VERDICTS}
    pairs = list(dict.fromkeys(str(c["pair"]) for c in cells))
    layers = sorted({int(c["layer"]) for c in cells if c["layer"] is not None})
    rows = [
        {**c, "label": labels.get(str(c["verdict"]), "no verdict")}
        for c in cells
        if c["layer"] is not None
    ]
    width = max(theme.WIDTH, 16 * len(layers))
    return (
        alt.Chart(dataset(rows))
        .mark_rect(stroke="white", strokeWidth=0.5)
        .encode(
            x=alt.X("layer:O", sort=layers, title="layer (output of decoder block L)"),
            y=alt.Y("pair:N", sort=pairs, title="recipe pair"),
            color=alt.Color(
                "label:N", scale=theme.verdict_scale(labels), title=f"verdict ({len(rows)} cells)"
            ),
            tooltip=[
                alt.Tooltip("pair:N"),
                alt.Tooltip("category:N"),
                alt.Tooltip("layer:O"),
                alt.Tooltip("verdict:N"),
                alt.Tooltip("cos_min:Q", title="per-persona cos min", format=".3f"),
                alt.Tooltip("mc_r:Q", title="mean-centred matrix r", format=".3f"),
            ],
        )
        .properties(
            width=width,
            height=max(120, 18 * len(pairs)),
            title=theme.title(
                TITLE,
                f"{len(pairs)} pairs × {len(layers)} layers; {rule}",
            ),
        )
    )


def _counts(result: ResultFile, name: str, cells: list[dict]) -> dict[str, int]:
    """Counts from ``tables.verdict_counts`` (what the report quotes), else from the cells."""
    if inputs.has_table(result, "verdict_counts"):
        rows = inputs.table(result, name, "verdict_counts", ["verdict", "count"])
        return {str(r["verdict"]): int(r["count"] or 0) for r in rows}
    return dict(Counter(str(c["verdict"]) for c in cells))

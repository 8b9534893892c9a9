"""Metrics across layers: "direction vs structure" and the noise-floor comparison.

Both draw one panel per metric — per-persona ``cos_min`` (does the *direction* agree?) and
mean-centred matrix ``mc_r`` (does the *structure* agree?) — against layer, over shaded
PASS / GREY / KILL bands at that metric's thresholds.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import altair as alt

from persona_atlas.figures import inputs, theme
from persona_atlas.figures.datasets import dataset
from persona_atlas.figures.empty import no_data
from persona_atlas.kinds.recipe_comparison.tables import NOISE_FLOOR
from persona_atlas.schema import ResultFile

DIRECTION_TITLE = "Direction vs structure across layers"
NOISE_TITLE = "Noise floor: split-half agreement of each recipe with itself"

METRICS = {
    "cos_min": (
        "per-persona cos, minimum over personas (direction)",
        "pass_cos_min",
        "kill_cos_min",
    ),
    "mc_r": ("mean-centred cosine-matrix Pearson r (structure)", "pass_mc_r", "kill_mc_r"),
}


def direction_vs_structure(result: ResultFile, name: str) -> alt.TopLevelMixin:
    """From ``tables.cells`` (recipe-comparison) or ``tables.layers`` (stored matrices)."""
    if result.kind == "recipe-comparison" or not inputs.has_table(result, "layers"):
        rows = inputs.table(result, name, "cells", ["pair", "category", "layer", "cos_min", "mc_r"])
        limits = inputs.thresholds(result, name)
    else:
        layer_rows = inputs.table(result, name, "layers", ["layer", "cos_min", "mc_pearson"])
        limits = inputs.thresholds(result, name, required=False)
        rows = [
            {"pair": result.title, "category": "pair", "layer": r["layer"],
             "cos_min": r["cos_min"], "mc_r": r["mc_pearson"]}
            for r in layer_rows
        ]  # fmt: skip
    rows = [r for r in rows if r["layer"] is not None]
    if not rows:
        return no_data(DIRECTION_TITLE, "no per-layer rows in the result")
    pick = alt.selection_point(
        name="pick_pair", fields=["pair"], on="pointerover", clear="pointerout"
    )
    panels = [_metric_panel(rows, m, limits, pick, i == 0) for i, m in enumerate(METRICS)]
    n_pairs = len({r["pair"] for r in rows})
    note = (
        f"{n_pairs} recipe pair{'' if n_pairs == 1 else 's'}, hover a line to pick out its pair; "
        "shaded PASS / GREY / KILL zones at each metric's thresholds"
    )
    if not limits:
        note += "; no thresholds in this result"
    return alt.vconcat(*panels).properties(title=theme.title(DIRECTION_TITLE, note))


def noise_floor(result: ResultFile, name: str) -> alt.TopLevelMixin:
    """Split-half noise floor per recipe, against the spread of cross-recipe pairs."""
    floor = inputs.table(result, name, "noise_floor", NOISE_FLOOR.names)
    limits = inputs.thresholds(result, name)
    floor = [r for r in floor if r["layer"] is not None]
    if not floor:
        return no_data(NOISE_TITLE, "tables.noise_floor has no rows")
    cells = inputs.table(result, name, "cells", ["layer", "cos_min", "mc_r"])
    panels = [_noise_panel(floor, cells, metric, limits) for metric in METRICS]
    return alt.vconcat(*panels).properties(
        title=theme.title(
            NOISE_TITLE,
            "dashed lines: split-half centroids of one recipe; grey band: min–max over recipe "
            "pairs; shaded PASS / GREY / KILL zones at the thresholds",
        )
    )


def _bands(metric: str, limits: dict[str, float], lo: float, scale: alt.Scale) -> alt.Chart | None:
    """Shaded PASS / GREY / KILL zones for one metric's thresholds."""
    if not limits:
        return None
    _, pass_key, kill_key = METRICS[metric]
    p, k = limits[pass_key], limits[kill_key]
    zones = [
        {"verdict": "PASS", "lo": p, "hi": 1.0},
        {"verdict": "GREY", "lo": k, "hi": p},
        {"verdict": "KILL", "lo": lo, "hi": k},
    ]
    return (
        alt.Chart(dataset(zones))
        .mark_rect(opacity=theme.BAND_OPACITY)
        .encode(
            y=alt.Y("lo:Q", scale=scale),
            y2="hi:Q",
            color=alt.Color("verdict:N", scale=theme.verdict_scale(), legend=None),
            tooltip=[alt.Tooltip("verdict:N", title="zone"), "lo:Q", "hi:Q"],
        )
    )


def _frame(metric: str, limits: dict[str, float], values: list[Any]) -> tuple[list[Any], alt.Scale]:
    """Background layers (bands, threshold rules) and a y scale that shows them all."""
    _, pass_key, kill_key = METRICS[metric]
    finite = [float(v) for v in values if v is not None]
    lo = min([*finite, *([limits[kill_key]] if limits else [])], default=0.0)
    lo = max(-1.0, round(lo - 0.05, 2))
    scale = alt.Scale(domain=[lo, 1.0], nice=False)
    layers: list[Any] = []
    if (bands := _bands(metric, limits, lo, scale)) is not None:
        layers.append(bands)
        layers.append(
            theme.threshold_rules(theme.threshold_rows(limits[pass_key], limits[kill_key]))
        )
    return layers, scale


def _layer_axis(rows: list[dict[str, Any]]) -> alt.X:
    layers = [int(r["layer"]) for r in rows]
    return alt.X(
        "layer:Q",
        title="layer",
        scale=alt.Scale(domain=[min(layers), max(layers)], nice=False, zero=False),
        axis=alt.Axis(tickMinStep=1, format="d"),
    )


def _metric_panel(
    rows: list[dict[str, Any]], metric: str, limits: dict[str, float], pick: Any, owner: bool
) -> alt.LayerChart:
    title, _, _ = METRICS[metric]
    background, scale = _frame(metric, limits, [r[metric] for r in rows])
    lines = (
        alt.Chart(dataset(rows))
        .mark_line(point=alt.OverlayMarkDef(size=18), strokeWidth=1.6)
        .encode(
            x=_layer_axis(rows),
            y=alt.Y(f"{metric}:Q", title=title, scale=scale),
            color=alt.Color(
                "category:N",
                title="pair category",
                legend=alt.Legend() if len({r["category"] for r in rows}) > 1 else None,
            ),
            detail="pair:N",
            opacity=alt.when(pick).then(alt.value(1.0)).otherwise(alt.value(0.15)),
            tooltip=["pair:N", "category:N", "layer:Q", alt.Tooltip(f"{metric}:Q", format=".3f")],
        )
    )
    if owner:  # declared once; the other panel reads the same selection
        lines = lines.add_params(pick)
    return (
        alt.layer(*background, lines)
        .resolve_scale(color="independent")
        .properties(width=theme.WIDTH, height=200)
    )


def _noise_panel(
    floor: list[dict[str, Any]],
    cells: list[dict[str, Any]],
    metric: str,
    limits: dict[str, float],
) -> alt.LayerChart:
    title, _, _ = METRICS[metric]
    spread: dict[int, list[float]] = defaultdict(list)
    for c in cells:
        if c["layer"] is not None and c[metric] is not None:
            spread[int(c["layer"])].append(float(c[metric]))
    band = [
        {"layer": layer, "lo": min(v), "hi": max(v), "pairs": len(v)}
        for layer, v in sorted(spread.items())
    ]
    values = [r[metric] for r in floor] + [b["lo"] for b in band]
    background, scale = _frame(metric, limits, values)
    x = _layer_axis(floor + band)
    layers = [*background]
    if band:
        layers.append(
            alt.Chart(dataset(band))
            .mark_area(color="#999999", opacity=0.35)
            .encode(
                x=x,
                y=alt.Y("lo:Q", scale=scale, title=title),
                y2="hi:Q",
                tooltip=["layer:Q", "pairs:Q", alt.Tooltip("lo:Q", format=".3f"),
                         alt.Tooltip("hi:Q", format=".3f")],
            )
        )  # fmt: skip
    layers.append(
        alt.Chart(dataset(floor))
        .mark_line(point=alt.OverlayMarkDef(size=18), strokeDash=[4, 2])
        .encode(
            x=x,
            y=alt.Y(f"{metric}:Q", scale=scale, title=title),
            color=alt.Color("recipe:N", title="recipe (split halves)"),
            tooltip=["recipe:N", "layer:Q", alt.Tooltip(f"{metric}:Q", format=".3f")],
        )
    )
    return (
        alt.layer(*layers)
        .resolve_scale(color="independent")
        .properties(width=theme.WIDTH, height=200)
    )

"""Metrics across layers: "direction vs structure" and the noise-floor comparison.

Both draw one panel per metric — per-persona ``cos_min`` (does the *direction* agree?) and
mean-centred matrix ``mc_r`` (does the *structure* agree?) — against layer, over shaded
PASS / GREY / KILL bands at that metric's thresholds.
"""

from __future__ import annotations

import math
import statistics
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
MEDIAN_MIN_PAIRS = 3
# 1 − value below this (exact agreement, float32 rounding at ~6e-8) is drawn at this value.
GAP_FLOOR = 1e-7
NOISE_PANEL_WIDTH = 210
NOISE_PANEL_HEIGHT = 80
NOISE_AXIS_EXTENT = 62
NOISE_COLUMNS = {"cos_min": "cos_min (direction)", "mc_r": "mc_r (structure)"}

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
    # One y range for both panels, so how far structure sits above direction reads at a glance.
    both = [r[m] for r in rows for m in METRICS]
    panels = [_metric_panel(rows, m, limits, pick, i == 0, both) for i, m in enumerate(METRICS)]
    n_pairs = len({r["pair"] for r in rows})
    note = (
        f"{n_pairs} recipe pair{'' if n_pairs == 1 else 's'}, hover a line to pick out its pair; "
        "shaded PASS / GREY / KILL zones at each metric's thresholds"
    )
    if not limits:
        note += "; no thresholds in this result"
    notes = [note]
    if n_pairs >= MEDIAN_MIN_PAIRS:
        notes.append("thick black line: median over pairs; both panels share one y scale")
    return alt.vconcat(*panels).properties(title=theme.title(DIRECTION_TITLE, notes))


def noise_floor(result: ResultFile, name: str) -> alt.TopLevelMixin:
    """Split-half noise floor, one row per recipe, against the spread of cross-recipe pairs.

    Drawn as ``1 − value`` on a log axis (labelled in the metric's own units), so 0.98,
    0.999 and 0.99999 sit decades apart; one row per recipe, so recipes that agree with
    themselves equally well are not drawn on top of one another.
    """
    floor = inputs.table(result, name, "noise_floor", NOISE_FLOOR.names)
    limits = inputs.thresholds(result, name)
    floor = [r for r in floor if r["layer"] is not None]
    if not floor:
        return no_data(NOISE_TITLE, "tables.noise_floor has no rows")
    cells = inputs.table(result, name, "cells", ["layer", "cos_min", "mc_r"])
    recipes = list(dict.fromkeys(str(r["recipe"]) for r in floor))
    spreads = {metric: _spread(cells, metric) for metric in METRICS}
    rows = [
        alt.hconcat(
            *(
                _noise_panel(
                    [r for r in floor if str(r["recipe"]) == recipe], spreads[metric],
                    metric, limits, recipe, top=i == 0, bottom=i == len(recipes) - 1,
                )
                for metric in METRICS
            ),
            spacing=12,
        )
        for i, recipe in enumerate(recipes)
    ]  # fmt: skip
    return alt.vconcat(*rows, spacing=6).properties(
        title=theme.title(
            NOISE_TITLE,
            [
                "one row per recipe; log axis of 1 − value, so 0.99 and 0.9999 are two decades apart;",
                "values above 0.9999999 (exactly 1, or float32 rounding) sit on the top edge; line:",
                "the recipe against itself on split halves of the questions; grey band: min–max",
                "over recipe pairs; shaded PASS / GREY / KILL zones at the thresholds",
            ],
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
    rows: list[dict[str, Any]],
    metric: str,
    limits: dict[str, float],
    pick: Any,
    owner: bool,
    domain_values: list[Any],
) -> alt.LayerChart:
    title, _, _ = METRICS[metric]
    background, scale = _frame(metric, limits, domain_values)
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
    median = _median_line(rows, metric, scale)
    return (
        alt.layer(*background, lines, *median)
        .resolve_scale(color="independent")
        .properties(width=theme.WIDTH, height=200)
    )


def _spread(cells: list[dict[str, Any]], metric: str) -> list[dict[str, Any]]:
    """Min–max of the cross-recipe pairs per layer, as ``1 − value`` gaps."""
    spread: dict[int, list[float]] = defaultdict(list)
    for c in cells:
        if c["layer"] is not None and c[metric] is not None:
            spread[int(c["layer"])].append(float(c[metric]))
    return [
        {"layer": layer, "lo": min(v), "hi": max(v), "pairs": len(v),
         "gap_lo": _gap(max(v)), "gap_hi": _gap(min(v))}
        for layer, v in sorted(spread.items())
    ]  # fmt: skip


def _gap(value: float) -> float:
    """``1 − value``, floored so exact agreement still has a place on a log axis."""
    return max(1.0 - float(value), GAP_FLOOR)


def _gap_scale(top: float) -> alt.Scale:
    """Log scale of ``1 − value``, reversed so closer agreement is higher, as on the other
    charts; its domain runs from the floor to the next power of ten above ``top``."""
    ceiling = min(10.0 ** math.ceil(math.log10(max(top, 10 * GAP_FLOOR))), 2.0)  # value ≥ −1
    return alt.Scale(type="log", domain=[GAP_FLOOR, ceiling], reverse=True, nice=False)


def _gap_axis(title: str | None, scale: alt.Scale) -> alt.Axis:
    """Ticks at powers of ten, labelled in the metric's units (0.9, 0.999, 0.99999, ...)."""
    floor_exp = round(math.log10(GAP_FLOOR))
    ceiling_exp = math.floor(math.log10(scale.domain[1]) + 1e-9)
    ticks = [10.0**e for e in range(floor_exp, ceiling_exp + 1)]
    return alt.Axis(
        title=title,
        minExtent=NOISE_AXIS_EXTENT,  # panels side by side line up whatever their labels
        values=ticks[::2] if len(ticks) > 5 else ticks,
        labelExpr=(
            "datum.value >= 1 ? format(1 - datum.value, '.0f') : "
            "format(1 - datum.value, '.' + round(-log(datum.value) / LN10) + 'f')"
        ),
    )


def _gap_bands(metric: str, limits: dict[str, float], scale: alt.Scale) -> list[Any]:
    """PASS / GREY / KILL zones and threshold rules on the ``1 − value`` scale."""
    if not limits:
        return []
    _, pass_key, kill_key = METRICS[metric]
    p, k = limits[pass_key], limits[kill_key]
    zones = [
        {"verdict": "PASS", "lo": GAP_FLOOR, "hi": _gap(p)},
        {"verdict": "GREY", "lo": _gap(p), "hi": _gap(k)},
        {"verdict": "KILL", "lo": _gap(k), "hi": scale.domain[1]},
    ]
    bands = (
        alt.Chart(dataset(zones))
        .mark_rect(opacity=theme.BAND_OPACITY)
        .encode(
            y=alt.Y("lo:Q", scale=scale),
            y2="hi:Q",
            color=alt.Color("verdict:N", scale=theme.verdict_scale(), legend=None),
            tooltip=[alt.Tooltip("verdict:N", title="zone")],
        )
    )
    # The rows keep the thresholds themselves (tooltips, legends); the rule sits at 1 − value.
    rules = theme.threshold_rules(theme.threshold_rows(p, k))
    return [bands, rules.transform_calculate(value="1 - datum.value")]


def _median_line(rows: list[dict[str, Any]], metric: str, scale: alt.Scale) -> list[alt.Chart]:
    """The median over pairs per layer, drawn thick: the panel's level at a glance."""
    by_layer: dict[int, list[float]] = defaultdict(list)
    for r in rows:
        if r[metric] is not None:
            by_layer[int(r["layer"])].append(float(r[metric]))
    if len({r["pair"] for r in rows}) < MEDIAN_MIN_PAIRS:
        return []
    medians = [
        {"layer": layer, "median": statistics.median(v), "pairs": len(v)}
        for layer, v in sorted(by_layer.items())
    ]
    return [
        alt.Chart(dataset(medians))
        .mark_line(color=theme.TEXT_COLOUR, strokeWidth=3.5)
        .encode(
            x=_layer_axis(rows),
            y=alt.Y("median:Q", scale=scale),
            tooltip=["layer:Q", "pairs:Q", alt.Tooltip("median:Q", format=".3f")],
        )
    ]


def _noise_panel(
    floor: list[dict[str, Any]],
    band: list[dict[str, Any]],
    metric: str,
    limits: dict[str, float],
    recipe: str,
    *,
    top: bool,
    bottom: bool,
) -> alt.LayerChart | alt.FacetChart:
    _, _, kill_key = METRICS[metric]
    points = [{**r, "gap": _gap(r[metric])} for r in floor if r[metric] is not None]
    highest = [p["gap"] for p in points] + [b["gap_hi"] for b in band]
    if limits:
        highest.append(_gap(limits[kill_key]))
    scale = _gap_scale(max(highest, default=1.0))
    x = _layer_axis(floor + band)
    if not bottom:
        x = x.axis(labels=False, ticks=False, title=None)
    y_title = f"recipe {recipe}" if metric == "cos_min" else None
    y = alt.Y("gap:Q", scale=scale, axis=_gap_axis(y_title, scale))
    layers = _gap_bands(metric, limits, scale)
    if band:
        layers.append(
            alt.Chart(dataset(band))
            .mark_area(color="#999999", opacity=0.35)
            .encode(
                x=x,
                y=alt.Y("gap_lo:Q", scale=scale, axis=_gap_axis(y_title, scale)),
                y2="gap_hi:Q",
                tooltip=["layer:Q", "pairs:Q", alt.Tooltip("lo:Q", format=".4f"),
                         alt.Tooltip("hi:Q", format=".4f")],
            )
        )  # fmt: skip
    layers.append(
        alt.Chart(dataset(points))
        .mark_line(point=alt.OverlayMarkDef(size=18), color=theme.CATEGORY[0])
        .encode(
            x=x,
            y=y,
            tooltip=["recipe:N", "layer:Q", alt.Tooltip(f"{metric}:Q", format=".7f")],
        )
    )
    panel = alt.layer(*layers).properties(width=NOISE_PANEL_WIDTH, height=NOISE_PANEL_HEIGHT)
    return panel.properties(title=NOISE_COLUMNS[metric]) if top else panel

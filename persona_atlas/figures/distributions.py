"""Per-persona cosine distributions per recipe pair and layer, with the cos thresholds.

A #218-scale result has 21 pairs × 28 layers × 275 personas = 161,700 rows; shipping them
all to the page would make it heavy for no visual gain. Each distribution is summarised in
Python (min, p5, p25, median, p75, p95, max) and the figure says so. Small distributions
(at most :data:`POINTS_UP_TO` personas) also get one dot per persona, with its name on hover.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from typing import Any

import altair as alt
import numpy as np

from persona_atlas.figures import inputs, theme
from persona_atlas.figures.datasets import dataset
from persona_atlas.figures.empty import no_data
from persona_atlas.schema import ResultFile

TITLE = "Per-persona cosine between the two recipes' centroids"
POINTS_UP_TO = 60
QUANTILES = {"min": 0.0, "p5": 0.05, "p25": 0.25, "median": 0.5, "p75": 0.75, "p95": 0.95}


def summarise(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (pair, layer): n and the quantiles of ``cos`` (nulls dropped)."""
    groups: dict[tuple[str, int], list[float]] = defaultdict(list)
    for r in rows:
        if r["cos"] is not None and r["layer"] is not None:
            groups[(str(r["pair"]), int(r["layer"]))].append(float(r["cos"]))
    out = []
    for (pair, layer), values in groups.items():
        v = np.asarray(values)  # [n]
        qs = np.quantile(v, list(QUANTILES.values()))
        summary = {k: round(float(q), 6) for k, q in zip(QUANTILES, qs, strict=True)}
        summary["max"] = round(float(v.max()), 6)
        summary.update(lo=summary["p5"], hi=summary["p95"], mid=summary["median"])
        out.append({"pair": pair, "layer": layer, "n": len(v), **summary})
    return out


def summarise_cells(cells: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The per-cell summaries ``tables.cells`` keeps when the per-persona values are gone."""
    out = []
    for c in cells:
        if c["layer"] is None or c["cos_min"] is None or c["cos_max"] is None:
            continue
        out.append(
            {"pair": str(c["pair"]), "layer": int(c["layer"]), "n": None,
             "min": c["cos_min"], "p5": c["cos_p5"], "mean": c["cos_mean"], "max": c["cos_max"],
             "lo": c["cos_p5"], "hi": c["cos_mean"], "mid": c["cos_mean"]}
        )  # fmt: skip
    return out


def per_persona_cos(result: ResultFile, name: str) -> alt.TopLevelMixin:
    """From ``tables.per_persona_cos``; when a result lacks it (legacy imports kept only
    summaries), from the min / p5 / mean / max columns of ``tables.cells``."""
    limits = inputs.thresholds(result, name, required=result.kind == "recipe-comparison")
    lines = "; dashed: pass (green) and kill (vermillion) cos_min thresholds" if limits else ""
    rows: list[dict[str, Any]] = []
    note: str | list[str]
    if inputs.has_table(result, "per_persona_cos") or not inputs.has_table(result, "cells"):
        rows = inputs.table(result, name, "per_persona_cos", ["pair", "layer", "persona", "cos"])
        summary = summarise(rows)
        fields = [*QUANTILES, "max"]
        if not summary:
            return no_data(TITLE, "tables.per_persona_cos has no rows")
        largest = max(s["n"] for s in summary)
        show_points = largest <= POINTS_UP_TO
        note = (
            f"one dot per persona (n ≤ {largest}); bar p5–p95, line min–max, tick median"
            if show_points
            else f"summarised in Python from {len(rows):,} rows ({largest} personas per "
            "distribution): bar p5–p95, line min–max, tick median"
        ) + lines
    else:
        cols = ["pair", "layer", "cos_min", "cos_p5", "cos_mean", "cos_max"]
        summary = summarise_cells(inputs.table(result, name, "cells", cols))
        fields = ["min", "p5", "mean", "max"]
        show_points = False
        if not summary:
            return no_data(TITLE, "tables.cells has no per-persona cos summaries")
        why = result.nulls.get("tables.per_persona_cos", "the result has no per-persona table")
        note = [
            f"per-persona values not stored ({why.split(';')[0]});",
            "from tables.cells: line min–max, bar p5–mean, tick mean" + lines,
        ]
    pairs = list(dict.fromkeys(s["pair"] for s in summary))
    layers = sorted({s["layer"] for s in summary})
    width = theme.WIDTH if len(pairs) == 1 else max(theme.PANEL_WIDTH, 7 * len(layers))
    dots = [_jittered(r) for r in rows if r["cos"] is not None] if show_points else []
    data = [{**r, "kind": "summary"} for r in summary] + dots
    panel = _panel(layers, fields, limits, has_dots=bool(dots))
    chart = alt.layer(*panel, data=dataset(data)).properties(
        width=width, height=int(theme.PANEL_HEIGHT * 1.4)
    )
    # One facet cell per pair: the panel is specified once, not copied per pair.
    return chart.facet(
        facet=alt.Facet(
            "pair:N", sort=pairs, title=None, header=alt.Header(labelFontWeight="bold")
        ),
        columns=min(4, len(pairs)),
    ).properties(title=theme.title(TITLE if len(pairs) > 1 else f"{TITLE}: {pairs[0]}", note))


def _jittered(row: dict[str, Any]) -> dict[str, Any]:
    """Horizontal jitter from the persona name: deterministic, so the SVG never churns."""
    h = zlib.crc32(str(row["persona"]).encode()) / 0xFFFFFFFF
    x = round(float(row["layer"]) + 0.5 * (h - 0.5), 4)
    return {**row, "x_jitter": x, "kind": "dot"}


def _panel(
    layers: list[int], fields: list[str], limits: dict[str, float], *, has_dots: bool
) -> list[alt.Chart]:
    x_scale = alt.Scale(domain=[min(layers) - 0.5, max(layers) + 0.5], nice=False, zero=False)
    x_axis = alt.Axis(tickMinStep=1, format="d", grid=False)
    x = alt.X("layer:Q", title="layer", scale=x_scale, axis=x_axis)
    y_title = "cos(centroid X, centroid Y) per persona"
    base = alt.Chart().transform_filter(alt.datum.kind == "summary")
    bar_px = max(3, min(12, 150 // len(layers)))
    tooltip = [
        alt.Tooltip("pair:N"),
        alt.Tooltip("layer:Q"),
        alt.Tooltip("n:Q", title="personas"),
        *(alt.Tooltip(f"{k}:Q", format=".3f") for k in fields),
    ]
    marks: list[alt.Chart] = []
    for kind, key in (("pass", "pass_cos_min"), ("kill", "kill_cos_min")):
        if key in limits:
            colour = theme.VERDICT_COLOURS["PASS" if kind == "pass" else "KILL"]
            marks.append(
                base.transform_aggregate(cells="count()", groupby=["pair"])
                .mark_rule(
                    color=colour, strokeDash=theme.THRESHOLD_DASH, strokeWidth=theme.THRESHOLD_WIDTH
                )
                .encode(
                    y=alt.datum(limits[key]), tooltip=alt.value(f"{kind} threshold {limits[key]:g}")
                )
            )
    marks.append(
        base.mark_rule(color=theme.PALETTE[0]).encode(
            x=x, y=alt.Y("min:Q", title=y_title), y2="max:Q", tooltip=tooltip
        )
    )
    marks.append(
        base.mark_bar(color=theme.PALETTE[0], opacity=0.45, size=bar_px).encode(
            x=x, y="lo:Q", y2="hi:Q", tooltip=tooltip
        )
    )
    marks.append(
        base.mark_tick(color="black", thickness=1.5, size=bar_px + 3).encode(
            x=x, y="mid:Q", tooltip=tooltip
        )
    )
    if has_dots:
        marks.append(
            alt.Chart()
            .transform_filter(alt.datum.kind == "dot")
            .mark_circle(size=14, opacity=0.6, color=theme.PALETTE[1])
            .encode(
                x=alt.X("x_jitter:Q", scale=x_scale, axis=x_axis, title="layer"),
                y="cos:Q",
                tooltip=["persona:N", "pair:N", "layer:Q", alt.Tooltip("cos:Q", format=".4f")],
            )
        )
    return marks

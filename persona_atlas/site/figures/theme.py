"""One visual language for every figure: palette, verdict colours, thresholds, fonts.

Colours are the Okabe–Ito set (distinguishable under the common colour-vision deficiencies).
PASS / GREY / KILL use the same three colours on every chart; threshold rules are dashed,
pass thresholds in the PASS colour and kill thresholds in the KILL colour.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from typing import Any

import altair as alt

# Okabe & Ito (2008), "Color Universal Design"; black left out (used for text).
PALETTE = [
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",
]

# Series colours leave out the PASS green and KILL vermillion so a line never reads as a verdict.
CATEGORY = ["#0072B2", "#E69F00", "#CC79A7", "#56B4E9", "#000000", "#F0E442"]

VERDICTS = ["PASS", "GREY", "KILL"]
VERDICT_COLOURS = {"PASS": "#009E73", "GREY": "#BBBBBB", "KILL": "#D55E00"}
NULL_COLOUR = "#FFFFFF"

THRESHOLD_DASH = [6, 4]
THRESHOLD_WIDTH = 1.5
BAND_OPACITY = 0.10

FONT = "Liberation Sans, Helvetica, Arial, sans-serif"
TEXT_COLOUR = "#222222"
NOTE_COLOUR = "#555555"

# Width of a single-panel figure and of one small multiple, in pixels.
WIDTH = 560
PANEL_WIDTH = 170
PANEL_HEIGHT = 120


def config() -> dict[str, Any]:
    """Vega-Lite ``config`` block applied to every figure."""
    return {
        "font": FONT,
        "background": "white",
        "padding": 8,
        "view": {"stroke": "#DDDDDD"},
        "title": {"fontSize": 15, "fontWeight": "bold", "color": TEXT_COLOUR, "anchor": "start"},
        "axis": {
            "labelFontSize": 11,
            "titleFontSize": 12,
            "titleFontWeight": "normal",
            "titleColor": TEXT_COLOUR,
            "labelColor": TEXT_COLOUR,
            "gridColor": "#EEEEEE",
        },
        "legend": {"labelFontSize": 11, "titleFontSize": 12, "titleFontWeight": "normal"},
        "header": {"labelFontSize": 12, "titleFontSize": 12},
        "range": {"category": CATEGORY},
    }


def verdict_scale(labels: dict[str, str] | None = None) -> alt.Scale:
    """Fixed PASS/GREY/KILL colours; ``labels`` maps a verdict to its legend text."""
    domain = [labels.get(v, v) if labels else v for v in VERDICTS]
    return alt.Scale(domain=domain, range=[VERDICT_COLOURS[v] for v in VERDICTS])


def threshold_rows(
    pass_value: float | None, kill_value: float | None, **extra: Any
) -> list[dict[str, Any]]:
    """Rows for :func:`threshold_rules`: one per threshold that is set."""
    rows = []
    for kind, value in (("pass", pass_value), ("kill", kill_value)):
        if value is not None:
            rows.append({"threshold": f"{kind} {value:g}", "kind": kind, "value": value, **extra})
    return rows


def threshold_rules(rows: list[dict[str, Any]], *, axis: str = "y") -> alt.Chart:
    """Dashed rules at the pass (green) and kill (vermillion) thresholds."""
    channel = alt.Y if axis == "y" else alt.X
    return (
        alt.Chart(dataset(rows))
        .mark_rule(strokeDash=THRESHOLD_DASH, strokeWidth=THRESHOLD_WIDTH)
        .encode(
            channel("value:Q"),
            color=alt.Color(
                "kind:N",
                scale=alt.Scale(
                    domain=["pass", "kill"],
                    range=[VERDICT_COLOURS["PASS"], VERDICT_COLOURS["KILL"]],
                ),
                legend=None,
            ),
            tooltip=[alt.Tooltip("threshold:N", title="threshold")],
        )
    )


def title(text: str, subtitle: str | list[str] | None = None) -> alt.TitleParams:
    if subtitle:
        return alt.TitleParams(
            text, subtitle=subtitle, subtitleColor=NOTE_COLOUR, subtitleFontSize=11
        )
    return alt.TitleParams(text)


def dataset(rows: list[dict[str, Any]]) -> alt.NamedData:
    """Data for a chart, by reference: the rows go into the spec's top-level ``datasets``
    when it is rendered (see :func:`persona_atlas.site.figures.render.to_spec`).

    Altair deep-copies and validates inline rows each time a chart is layered or
    concatenated, which dominated build time at #218 scale; a named reference costs nothing,
    and identical rows shared by several panels are stored once.
    """
    text = json.dumps(rows, sort_keys=True, separators=(",", ":"), allow_nan=False)
    name = "data-" + hashlib.sha256(text.encode()).hexdigest()[:20]
    _DATASETS[name] = rows
    _DATASETS.move_to_end(name)
    while len(_DATASETS) > _DATASETS_KEPT:
        _DATASETS.popitem(last=False)
    return alt.NamedData(name=name)


def datasets_for(names: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Rows behind the given :func:`dataset` names."""
    missing = [n for n in names if n not in _DATASETS]
    if missing:
        raise KeyError(f"dataset(s) {missing} not built in this process; rebuild the chart")
    return {n: _DATASETS[n] for n in names}


# Rows of recently built charts, by name; bounded so a long process does not grow.
_DATASETS: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
_DATASETS_KEPT = 512

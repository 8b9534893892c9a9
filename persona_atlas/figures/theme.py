"""One visual language for every figure: palette, verdict colours, thresholds, fonts.

Colours are the Okabe–Ito set (distinguishable under the common colour-vision deficiencies).
PASS / GREY / KILL use the same three colours on every chart; threshold rules are dashed,
pass thresholds in the PASS colour and kill thresholds in the KILL colour.
"""

from __future__ import annotations

from typing import Any

import altair as alt

from persona_atlas.figures.datasets import dataset

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
# Points a chart picks out (OLS observations, the most decoupled RSA pairs): reddish purple,
# for the same reason — vermillion means KILL on every chart.
HIGHLIGHT = "#CC79A7"

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


def threshold_rows(pass_value: float | None, kill_value: float | None) -> list[dict[str, Any]]:
    """Rows for :func:`threshold_rules`: one per threshold that is set."""
    rows = []
    for kind, value in (("pass", pass_value), ("kill", kill_value)):
        if value is not None:
            rows.append({"threshold": f"{kind} {value:g}", "kind": kind, "value": value})
    return rows


def threshold_rules(rows: list[dict[str, Any]]) -> alt.Chart:
    """Dashed horizontal rules at the pass (green) and kill (vermillion) thresholds."""
    return (
        alt.Chart(dataset(rows))
        .mark_rule(strokeDash=THRESHOLD_DASH, strokeWidth=THRESHOLD_WIDTH)
        .encode(
            alt.Y("value:Q"),
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

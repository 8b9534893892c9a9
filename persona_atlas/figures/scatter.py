"""Scatter charts: OLS fit with its 95% prediction band, and RSA distance vs distance.

Neither computes statistics: the fit, the band and the decoupling score come from result
tables written by the analysis (shapes in ``docs/figures.md``). The charts only choose which
points to label and where their labels go: axis domains are fixed here, so each label's
pixel position is known and ``labels.place_labels`` can keep labels apart (a label with no
free spot is left to the point's tooltip, and the subtitle says how many).
"""

from __future__ import annotations

from typing import Any

import altair as alt
import numpy as np

from persona_atlas.figures import inputs, labels, theme
from persona_atlas.figures.datasets import dataset
from persona_atlas.figures.empty import no_data
from persona_atlas.kinds.regression.tables import OLS_FIT, OLS_POINTS
from persona_atlas.schema import ResultFile

OLS_TITLE = "Ordinary least squares fit with 95% prediction interval"
RSA_TITLE = "Representational similarity: distance in one space vs the other"
LABEL_ALL_UP_TO = 25
LABEL_TOP = 10
RSA_LABEL_TOP = 8
RSA_POINTS_UP_TO = 3000
RSA_BINS = 50
LABEL_FONT_SIZE = 10
OLS_HEIGHT = 360
RSA_HEIGHT = 400
DOMAIN_PAD = 0.04  # of the data span, each side, so edge points and their labels fit


def ols_scatter(result: ResultFile, name: str) -> alt.TopLevelMixin:
    # the tables and columns the ``regression`` kind declares (kinds/regression/tables.py)
    # ``held_out`` is optional: results written before the kind declared it lack it
    stored = result.tables.get(OLS_POINTS.name)
    has_held = stored is not None and "held_out" in stored.columns
    wanted = OLS_POINTS.names if has_held else OLS_POINTS.names[:3]
    points = inputs.table(result, name, OLS_POINTS.name, wanted)
    fit = inputs.table(result, name, OLS_FIT.name, OLS_FIT.names)
    points = [p for p in points if p["x"] is not None and p["y"] is not None]
    if not points:
        return no_data(OLS_TITLE, f"tables.{OLS_POINTS.name} has no rows with both x and y")
    x_title = str(inputs.optional_metric(result, "ols.x_title", "x"))
    y_title = str(inputs.optional_metric(result, "ols.y_title", "y"))
    fit = sorted((f for f in fit if f["x"] is not None), key=lambda f: float(f["x"]))  # type: ignore[arg-type]
    chosen = _ols_labels(points, fit)
    xs = [p["x"] for p in points] + [f["x"] for f in fit]
    ys = [p["y"] for p in points]
    ys += [f[k] for f in fit for k in ("fit", "pi_low", "pi_high") if f[k] is not None]
    x_dom, y_dom = _domain(xs), _domain(ys)
    labelled, hidden = _placed(chosen, "x", "y", "label", x_dom, y_dom, OLS_HEIGHT)
    note = (
        f"{len(points)} points, all labelled"
        if len(chosen) == len(points)
        else f"{len(points)} points; the {len(chosen)} farthest from the fit labelled"
    )
    if hidden:
        note += f" ({hidden} of them on hover only: no room for the label)"
    held = [p for p in points if p.get("held_out")]
    if held:
        note += f"; {len(held)} held out of the fit (open circles)"
    alpha = inputs.optional_metric(result, "alpha", 0.05)
    if isinstance(alpha, float) and alpha != 0.05:  # the title says 95%
        note += f"; band: {100 * (1 - alpha):g}% prediction interval"
    r2 = inputs.optional_metric(result, "ols.r2")
    if isinstance(r2, int | float):
        note += f"; R² = {r2:.3f}"
    x_scale, y_scale = _scale(x_dom), _scale(y_dom)
    x = alt.X("x:Q", title=x_title, scale=x_scale)
    y = alt.Y("y:Q", title=y_title, scale=y_scale)
    fit_chart = alt.Chart(dataset(fit))
    band = fit_chart.mark_area(color=theme.PALETTE[0], opacity=0.15).encode(
        x=x, y=alt.Y("pi_low:Q", title=y_title, scale=y_scale), y2="pi_high:Q"
    )
    line = fit_chart.mark_line(color=theme.PALETTE[0], strokeWidth=2).encode(
        x="x:Q", y="fit:Q", tooltip=[alt.Tooltip("x:Q", format=".3g"),
                                     alt.Tooltip("fit:Q", format=".3g"),
                                     alt.Tooltip("pi_low:Q", format=".3g"),
                                     alt.Tooltip("pi_high:Q", format=".3g")]
    )  # fmt: skip
    tips = ["label:N", alt.Tooltip("x:Q", format=".4g"), alt.Tooltip("y:Q", format=".4g")]
    fitted = [p for p in points if not p.get("held_out")]
    dots = (
        alt.Chart(dataset(fitted))
        .mark_circle(size=45, color=theme.HIGHLIGHT, opacity=0.85)
        .encode(x=x, y=y, tooltip=tips)
    )
    new_dots = (
        alt.Chart(dataset(held))
        .mark_point(size=60, color=theme.HIGHLIGHT, strokeWidth=2, filled=False)
        .encode(x="x:Q", y="y:Q", tooltip=tips)
    )
    texts = _label_marks(labelled, "label", x_scale, y_scale, theme.TEXT_COLOUR)
    marks = [dots, new_dots, texts] if held else [dots, texts]
    layers = [band, line, *marks] if fit else marks
    return alt.layer(*layers).properties(
        width=theme.WIDTH, height=OLS_HEIGHT, title=theme.title(OLS_TITLE, note)
    )


def _ols_labels(points: list[dict[str, Any]], fit: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """All points when few; otherwise the largest |y − fit| (fit interpolated on its grid)."""
    if len(points) <= LABEL_ALL_UP_TO or len(fit) < 2:
        return points
    gx = np.array([float(f["x"]) for f in fit])
    gy = np.array([float(f["fit"]) for f in fit])
    px = np.array([float(p["x"]) for p in points])
    py = np.array([float(p["y"]) for p in points])
    gap = np.abs(py - np.interp(px, gx, gy))  # [n_points]
    top = np.argsort(-gap, kind="stable")[:LABEL_TOP]
    return [points[i] for i in sorted(top)]


def rsa_scatter(result: ResultFile, name: str) -> alt.TopLevelMixin:
    rows = inputs.table(result, name, "rsa_pairs", ["a", "b", "dist_x", "dist_y", "decoupling"])
    rows = [r for r in rows if r["dist_x"] is not None and r["dist_y"] is not None]
    if not rows:
        return no_data(RSA_TITLE, "tables.rsa_pairs has no rows with both distances")
    x_title = str(inputs.optional_metric(result, "rsa.x_title", "distance in space X"))
    y_title = str(inputs.optional_metric(result, "rsa.y_title", "distance in space Y"))
    for r in rows:
        r["pair"] = f"{r['a']} – {r['b']}"
    ranked = sorted(
        (r for r in rows if r["decoupling"] is not None),
        key=lambda r: -float(r["decoupling"]),  # type: ignore[arg-type]
    )
    top = ranked[:RSA_LABEL_TOP]
    x_dom = _domain([r["dist_x"] for r in rows])
    y_dom = _domain([r["dist_y"] for r in rows])
    placed, hidden = _placed(top, "dist_x", "dist_y", "pair", x_dom, y_dom, RSA_HEIGHT)
    note = f"{len(rows):,} persona pairs; the {len(top)} most decoupled highlighted"
    note += f", {hidden} of them labelled on hover only (no room)" if hidden else " and labelled"
    rho = inputs.optional_metric(result, "rsa.spearman")
    if isinstance(rho, int | float):
        note += f"; Spearman ρ = {rho:.3f}"
    x_scale, y_scale = _scale(x_dom), _scale(y_dom)
    x = alt.X("dist_x:Q", title=x_title, scale=x_scale)
    y = alt.Y("dist_y:Q", title=y_title, scale=y_scale)
    if len(rows) <= RSA_POINTS_UP_TO:
        cloud = (
            alt.Chart(dataset(rows))
            .mark_circle(size=14, opacity=0.45, color=theme.PALETTE[0])
            .encode(x=x, y=y, tooltip=["pair:N", alt.Tooltip("dist_x:Q", format=".4f"),
                                       alt.Tooltip("dist_y:Q", format=".4f"),
                                       alt.Tooltip("decoupling:Q", format=".3f")])
        )  # fmt: skip
    else:
        cloud = _density(rows, x_title, y_title, x_scale, y_scale)
        note += f"; other pairs shown as a {RSA_BINS}×{RSA_BINS} count grid (binned in Python)"
    marked = alt.Chart(dataset(top))
    hits = marked.mark_circle(size=50, color=theme.HIGHLIGHT).encode(
        x="dist_x:Q", y="dist_y:Q", tooltip=["pair:N", alt.Tooltip("decoupling:Q", format=".3f")]
    )
    text = _label_marks(placed, "pair", x_scale, y_scale, theme.TEXT_COLOUR)
    return (
        alt.layer(cloud, hits, text)
        .resolve_scale(color="independent")
        .properties(width=theme.WIDTH, height=RSA_HEIGHT, title=theme.title(RSA_TITLE, note))
    )


def _domain(values: list[Any]) -> tuple[float, float]:
    """The axis range: the data's span padded on each side (fixed, so pixels are known)."""
    lo, hi = min(float(v) for v in values), max(float(v) for v in values)
    pad = (hi - lo) * DOMAIN_PAD or max(abs(lo) * DOMAIN_PAD, 0.5)
    return lo - pad, hi + pad


def _scale(domain: tuple[float, float]) -> alt.Scale:
    return alt.Scale(domain=list(domain), nice=False, zero=False)


def _placed(
    rows: list[dict[str, Any]],
    x: str,
    y: str,
    text: str,
    x_dom: tuple[float, float],
    y_dom: tuple[float, float],
    height: int,
) -> tuple[list[dict[str, Any]], int]:
    """``rows`` that got a label spot, with its centre as ``label_x`` / ``label_y`` in data
    units, and how many got none (the first rows win: callers pass them most important first
    or in a stable order)."""
    (x0, x1), (y0, y1) = x_dom, y_dom
    width = theme.WIDTH
    pixels = [
        ((float(r[x]) - x0) / (x1 - x0) * width, (y1 - float(r[y])) / (y1 - y0) * height)
        for r in rows
    ]
    spots = labels.place_labels(
        pixels, [str(r[text]) for r in rows], width=width, height=height,
        font_size=LABEL_FONT_SIZE,
    )  # fmt: skip
    out = [
        {**rows[s.index], "label_x": x0 + s.cx / width * (x1 - x0),
         "label_y": y1 - s.cy / height * (y1 - y0)}
        for s in spots
        if s.cx is not None and s.cy is not None
    ]  # fmt: skip
    return out, len(rows) - len(out)


def _label_marks(
    rows: list[dict[str, Any]], text: str, x_scale: alt.Scale, y_scale: alt.Scale, colour: str
) -> alt.Chart:
    return (
        alt.Chart(dataset(rows))
        .mark_text(align="center", baseline="middle", fontSize=LABEL_FONT_SIZE, color=colour)
        .encode(
            x=alt.X("label_x:Q", scale=x_scale),
            y=alt.Y("label_y:Q", scale=y_scale),
            text=f"{text}:N",
        )
    )


def _density(
    rows: list[dict[str, Any]], x_title: str, y_title: str, x_scale: alt.Scale, y_scale: alt.Scale
) -> alt.Chart:
    dx = np.array([float(r["dist_x"]) for r in rows])
    dy = np.array([float(r["dist_y"]) for r in rows])
    counts, xe, ye = np.histogram2d(dx, dy, bins=RSA_BINS)  # [bins, bins]
    cells = [
        {"x0": float(xe[i]), "x1": float(xe[i + 1]), "y0": float(ye[j]), "y1": float(ye[j + 1]),
         "pairs": int(counts[i, j])}
        for i, j in zip(*np.nonzero(counts), strict=True)
    ]  # fmt: skip
    return (
        alt.Chart(dataset(cells))
        .mark_rect()
        .encode(
            x=alt.X("x0:Q", title=x_title, scale=x_scale),
            x2="x1:Q",
            y=alt.Y("y0:Q", title=y_title, scale=y_scale),
            y2="y1:Q",
            color=alt.Color("pairs:Q", scale=alt.Scale(scheme="greys", type="log"), title="pairs"),
            tooltip=["pairs:Q"],
        )
    )

"""Scatter charts: OLS fit with its 95% prediction band, and RSA distance vs distance.

Neither computes statistics: the fit, the band and the decoupling score come from result
tables written by the analysis (shapes in ``docs/figures.md``). The charts only choose which
points to label.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import numpy as np

from persona_atlas.figures import inputs, theme
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
    labelled = _ols_labels(points, fit)
    note = (
        f"{len(points)} points, all labelled"
        if len(labelled) == len(points)
        else f"{len(points)} points; the {len(labelled)} farthest from the fit labelled"
    )
    held = [p for p in points if p.get("held_out")]
    if held:
        note += f"; {len(held)} held out of the fit (open circles)"
    alpha = inputs.optional_metric(result, "alpha", 0.05)
    if isinstance(alpha, float) and alpha != 0.05:  # the title says 95%
        note += f"; band: {100 * (1 - alpha):g}% prediction interval"
    r2 = inputs.optional_metric(result, "ols.r2")
    if isinstance(r2, int | float):
        note += f"; R² = {r2:.3f}"
    x = alt.X("x:Q", title=x_title, scale=alt.Scale(zero=False))
    y = alt.Y("y:Q", title=y_title, scale=alt.Scale(zero=False))
    fit_chart = alt.Chart(dataset(fit))
    band = fit_chart.mark_area(color=theme.PALETTE[0], opacity=0.15).encode(
        x=alt.X("x:Q", title=x_title), y=alt.Y("pi_low:Q", title=y_title), y2="pi_high:Q"
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
    labels = (
        alt.Chart(dataset(labelled))
        .mark_text(align="left", dx=5, dy=-5, fontSize=10, color=theme.TEXT_COLOUR)
        .encode(x="x:Q", y="y:Q", text="label:N")
    )
    marks = [dots, new_dots, labels] if held else [dots, labels]
    layers = [band, line, *marks] if fit else marks
    return alt.layer(*layers).properties(
        width=theme.WIDTH, height=360, title=theme.title(OLS_TITLE, note)
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
    note = f"{len(rows):,} persona pairs; the {len(top)} most decoupled labelled"
    rho = inputs.optional_metric(result, "rsa.spearman")
    if isinstance(rho, int | float):
        note += f"; Spearman ρ = {rho:.3f}"
    x = alt.X("dist_x:Q", title=x_title, scale=alt.Scale(zero=False))
    y = alt.Y("dist_y:Q", title=y_title, scale=alt.Scale(zero=False))
    if len(rows) <= RSA_POINTS_UP_TO:
        cloud = (
            alt.Chart(dataset(rows))
            .mark_circle(size=14, opacity=0.45, color=theme.PALETTE[0])
            .encode(x=x, y=y, tooltip=["pair:N", alt.Tooltip("dist_x:Q", format=".4f"),
                                       alt.Tooltip("dist_y:Q", format=".4f"),
                                       alt.Tooltip("decoupling:Q", format=".3f")])
        )  # fmt: skip
    else:
        cloud = _density(rows, x_title, y_title)
        note += f"; other pairs shown as a {RSA_BINS}×{RSA_BINS} count grid (binned in Python)"
    marked = alt.Chart(dataset(top))
    hits = marked.mark_circle(size=50, color=theme.HIGHLIGHT).encode(
        x="dist_x:Q", y="dist_y:Q", tooltip=["pair:N", alt.Tooltip("decoupling:Q", format=".3f")]
    )
    text = marked.mark_text(align="left", dx=5, dy=-5, fontSize=10).encode(
        x="dist_x:Q", y="dist_y:Q", text="pair:N"
    )
    return (
        alt.layer(cloud, hits, text)
        .resolve_scale(color="independent")
        .properties(width=theme.WIDTH, height=400, title=theme.title(RSA_TITLE, note))
    )


def _density(rows: list[dict[str, Any]], x_title: str, y_title: str) -> alt.Chart:
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
            x=alt.X("x0:Q", title=x_title, scale=alt.Scale(zero=False)),
            x2="x1:Q",
            y=alt.Y("y0:Q", title=y_title, scale=alt.Scale(zero=False)),
            y2="y1:Q",
            color=alt.Color("pairs:Q", scale=alt.Scale(scheme="greys", type="log"), title="pairs"),
            tooltip=["pairs:Q"],
        )
    )

"""Scatter labels are placed apart, dropped to the tooltip when there is no room, and the
same data always gives the same figure (overlap check: test_figure_label_overlap)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from figure_fixtures import build_spec, regression_doc, rsa_doc
from test_figure_label_overlap import overlapping

from persona_atlas.figures import labels, render

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def _points(doc: dict[str, Any], rows: list[list[Any]]) -> dict[str, Any]:
    doc["tables"]["ols_points"]["rows"] = rows
    return doc


def test_three_labels_at_the_same_rate_do_not_collide() -> None:
    # #246: three personas at marker-source rate 0.32, a few hundredths apart on x
    rows = [["medical_doctor", 0.31, 0.32, False], ["software_engineer", 0.46, 0.32, False],
            ["data_scientist", 0.5, 0.32, False], ["librarian", 0.0, 0.5, False]]  # fmt: skip
    spec = build_spec(_points(regression_doc(), rows), "ols_scatter")
    assert "on hover only" not in spec["title"]["subtitle"]
    assert overlapping(render.render_svg(spec).decode()) == []


def test_labels_without_room_go_to_the_tooltip_and_the_subtitle_says_so() -> None:
    rows = [[f"persona_{i}", 0.5, 0.5 + i * 1e-4, False] for i in range(20)]
    rows += [["far", 1.0, 0.0, False]]
    spec = build_spec(_points(regression_doc(), rows), "ols_scatter")
    svg = render.render_svg(spec).decode()
    assert overlapping(svg) == []
    drawn = [t for t in labels_in(svg) if t.startswith("persona_") or t == "far"]
    assert 0 < len(drawn) < len(rows)
    assert f"({len(rows) - len(drawn)} of them on hover only" in spec["title"]["subtitle"]
    tooltips = {p["label"] for d in render.inline_data(spec) for p in d if "label" in p}
    assert tooltips == {r[0] for r in rows}  # every point keeps its name on hover


def labels_in(svg: str) -> list[str]:
    return re.findall(r'aria-roledescription="text mark"[^>]*>([^<]*)</text>', svg)


def test_same_data_same_svg() -> None:
    for doc, chart in ((regression_doc(), "ols_scatter"), (rsa_doc(12), "rsa_scatter")):
        first, second = build_spec(doc, chart), build_spec(doc, chart)
        assert render.canonical(first) == render.canonical(second)
        assert render.render_svg(first) == render.render_svg(second)


def test_place_labels_prefers_the_right_and_stays_in_the_plot() -> None:
    size = 10.0
    right, edge = labels.place_labels(
        [(100.0, 100.0), (395.0, 5.0)], ["abc", "at the corner"], width=400, height=200,
        font_size=size,
    )  # fmt: skip
    assert right.cx is not None and right.cx > 100 and right.cy == 100
    assert edge.cx is not None and edge.cy is not None
    half = labels.text_width("at the corner", size) / 2
    assert edge.cx + half <= 400 and edge.cy - (labels.ASCENT + labels.DESCENT) * size / 2 >= 0


def test_text_width_follows_glyph_widths() -> None:
    assert labels.text_width("iiii", 10) < labels.text_width("mmmm", 10)
    assert labels.text_width("0.32", 10) == pytest.approx((556 * 3 + 278) / 100)
    assert labels.text_width("A", 10, bold=True) > labels.text_width("A", 10)

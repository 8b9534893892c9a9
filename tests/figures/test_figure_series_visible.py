"""Every chart of every committed result, rendered to SVG: no series hidden under another.

A line or point series (one colour within one mark layer) is hidden when each of its marks
lies within ``TOLERANCE_PX`` of a mark of another series in that layer: a reader then sees
one series where the data has several (five recipes drawn at y ≈ 1.0 on a linear axis).
Positions are absolute: ``translate`` transforms are summed down the SVG tree.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

import pytest

from persona_atlas.figures.registry import jobs_for
from persona_atlas.figures.render import to_spec, write_figure
from persona_atlas.schema import load_result

RESULTS = Path(__file__).resolve().parents[2] / "results"
RESULT_FILES = sorted(RESULTS.glob("*/result.json"))

SVG_NS = "{http://www.w3.org/2000/svg}"
# Closer than this, two marks drawn with a 2 px stroke or an 18 px² point cannot be told apart.
TOLERANCE_PX = 1.5
SERIES_MARKS = ("mark-line", "mark-symbol")
_TRANSLATE = re.compile(r"translate\(\s*([-\d.e]+)[ ,]+([-\d.e]+)\s*\)")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")

Point = tuple[float, float]


def _offset(element: ET.Element) -> Point:
    match = _TRANSLATE.search(element.get("transform", ""))
    return (float(match[1]), float(match[2])) if match else (0.0, 0.0)


def _path_points(d: str) -> list[Point]:
    """Vertices of a line path (``M x,y L x,y ...``; Vega writes absolute commands)."""
    numbers = [float(n) for n in _NUMBER.findall(d)]
    return list(zip(numbers[0::2], numbers[1::2], strict=False))


def series_points(svg: str) -> dict[str, dict[str, list[Point]]]:
    """``{mark layer: {series colour: absolute mark positions}}`` for line and point marks."""
    found: dict[str, dict[str, list[Point]]] = defaultdict(lambda: defaultdict(list))

    def walk(element: ET.Element, origin: Point, layer: str | None) -> None:
        dx, dy = _offset(element)
        origin = (origin[0] + dx, origin[1] + dy)
        classes = element.get("class", "").split()
        if element.tag == f"{SVG_NS}g" and classes[:2] and classes[1:2] == ["role-mark"]:
            layer = " ".join(classes) if classes[0] in SERIES_MARKS else None
        if element.tag == f"{SVG_NS}path" and layer and element.get("role") == "graphics-symbol":
            colour = element.get("stroke") or element.get("fill") or "none"
            if layer.startswith("mark-symbol"):
                found[layer][colour].append(origin)
            else:
                found[layer][colour] += [
                    (origin[0] + x, origin[1] + y) for x, y in _path_points(element.get("d", ""))
                ]
        for child in element:
            walk(child, origin, layer)

    walk(ET.fromstring(svg), (0.0, 0.0), None)
    return found


def hidden_series(svg: str) -> list[str]:
    """``layer: colour`` of each series all of whose marks coincide with another series'."""
    hidden = []
    for layer, by_colour in series_points(svg).items():
        if len(by_colour) < 2:
            continue
        for colour, points in by_colour.items():
            others = [p for c, ps in by_colour.items() if c != colour for p in ps]
            if points and all(_covered(p, others) for p in points):
                hidden.append(f"{layer}: {colour}")
    return hidden


def _covered(point: Point, others: list[Point]) -> bool:
    x, y = point
    return any(abs(x - ox) < TOLERANCE_PX and abs(y - oy) < TOLERANCE_PX for ox, oy in others)


def test_detector_flags_coincident_series_and_passes_separate_ones() -> None:
    def svg(second_y: float) -> str:
        line = (
            '<g class="mark-line role-mark m"><path role="graphics-symbol" '
            'd="M0,{y}L10,{y}" stroke="{c}"/></g>'
        )
        return (
            '<svg xmlns="http://www.w3.org/2000/svg"><g transform="translate(5,5)">'
            + line.format(y=0, c="#000")
            + line.format(y=second_y, c="#fff")
            + "</g></svg>"
        )

    assert hidden_series(svg(0.4)) == ["mark-line role-mark m: #000", "mark-line role-mark m: #fff"]
    assert hidden_series(svg(8.0)) == []


@pytest.mark.parametrize("result_path", RESULT_FILES, ids=lambda p: p.parent.name)
def test_no_series_hidden_under_another(result_path: Path, tmp_path: Path) -> None:
    result = load_result(result_path)
    problems = []
    for job in jobs_for(result):
        spec = to_spec(job.build(result))
        write_figure(
            tmp_path, job.name, spec, chart=job.chart, caption=job.caption,
            result_sha256="0" * 64, commit=None,
        )  # fmt: skip
        svg = (tmp_path / f"{job.name}.svg").read_text(encoding="utf-8")
        problems += [f"{job.name} ({job.chart}) {h}" for h in hidden_series(svg)]
    assert not problems, "series drawn on top of one another:\n" + "\n".join(problems)

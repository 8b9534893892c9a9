"""No two text labels of any committed result's figures overlap.

Every chart of every ``results/*/result.json`` is rebuilt and rendered to SVG (into memory,
never into ``results/``). vl-convert's SVG gives each ``<text>`` an explicit position; its
box is estimated from the text's glyph widths and font size, moved through the transforms of its
ancestors (translate, rotate, scale), and compared with every other box. Axis tick labels
are included too: the axis spaces them, so they never trip the check unless they really
collide.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from persona_atlas.figures import render
from persona_atlas.figures.labels import ASCENT, DESCENT, text_width
from persona_atlas.figures.registry import jobs_for
from persona_atlas.schema import load_result

RESULTS = Path(__file__).resolve().parents[2] / "results"
SVG = "{http://www.w3.org/2000/svg}"
# Boxes are shrunk by this many pixels on each side: glyph boxes that merely touch are legible.
SLACK = 1.0

_TRANSFORM = re.compile(r"(translate|rotate|scale)\(([^)]*)\)")


@dataclass(frozen=True)
class Box:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Box) -> bool:
        return (
            min(self.x1, other.x1) - max(self.x0, other.x0) > 2 * SLACK
            and min(self.y1, other.y1) - max(self.y0, other.y0) > 2 * SLACK
        )


def _matrix(transform: str | None) -> np.ndarray:
    m = np.eye(3)
    for op, args in _TRANSFORM.findall(transform or ""):
        v = [float(a) for a in re.split(r"[ ,]+", args.strip()) if a]
        if op == "translate":
            step = np.array([[1, 0, v[0]], [0, 1, v[1] if len(v) > 1 else 0.0], [0, 0, 1]])
        elif op == "scale":
            sy = v[1] if len(v) > 1 else v[0]
            step = np.array([[v[0], 0, 0], [0, sy, 0], [0, 0, 1]])
        else:
            a = math.radians(v[0])
            step = np.array(
                [[math.cos(a), -math.sin(a), 0], [math.sin(a), math.cos(a), 0], [0, 0, 1]]
            )
        m = m @ step
    return m


def _lines(el: ET.Element) -> list[tuple[str, float]]:
    """(text, baseline offset) per line: a ``<text>`` or its ``<tspan>`` lines."""
    spans = el.findall(f"{SVG}tspan")
    if not spans:
        return [("".join(el.itertext()), 0.0)]
    out, dy = [], 0.0
    for span in spans:
        dy += float(span.get("dy", "0"))
        out.append(("".join(span.itertext()), dy))
    return out


def text_boxes(svg: str) -> list[Box]:
    """Estimated bounding box, in page pixels, of every line of text in ``svg``."""
    boxes: list[Box] = []

    def walk(el: ET.Element, m: np.ndarray) -> None:
        if el.get("opacity") == "0" or el.get("display") == "none":
            return  # Vega hides tick labels that would collide (labelOverlap) this way
        m = m @ _matrix(el.get("transform"))
        if el.tag == f"{SVG}text":
            size = float(el.get("font-size", "11").removesuffix("px"))
            anchor = el.get("text-anchor", "start")
            for line, dy in _lines(el):
                if not line.strip():
                    continue
                width = text_width(line, size, bold=el.get("font-weight") == "bold")
                left = {"start": 0.0, "middle": -width / 2, "end": -width}[anchor]
                top, bottom = dy - ASCENT * size, dy + DESCENT * size
                corners = np.array(
                    [
                        [left, top, 1],
                        [left + width, top, 1],
                        [left, bottom, 1],
                        [left + width, bottom, 1],
                    ]
                ).T
                xs, ys, _ = m @ corners
                boxes.append(Box(line, xs.min(), ys.min(), xs.max(), ys.max()))
            return
        for child in el:
            walk(child, m)

    walk(ET.fromstring(svg), np.eye(3))
    return boxes


def overlapping(svg: str) -> list[tuple[str, str]]:
    boxes = text_boxes(svg)
    return [(a.text, b.text) for i, a in enumerate(boxes) for b in boxes[i + 1 :] if a.overlaps(b)]


def _figures() -> list[tuple[str, str]]:
    return [
        (path.parent.name, job.name)
        for path in sorted(RESULTS.glob("*/result.json"))
        for job in jobs_for(load_result(path))
    ]


def _svg(slug: str, name: str) -> str:
    result = load_result(RESULTS / slug / "result.json")
    job = next(j for j in jobs_for(result) if j.name == name)
    return render.render_svg(render.to_spec(job.build(result))).decode("utf-8")


@pytest.mark.parametrize(("slug", "name"), _figures())
def test_no_two_labels_overlap(slug: str, name: str) -> None:
    clashes = overlapping(_svg(slug, name))
    assert not clashes, f"{slug}/{name}: {len(clashes)} overlapping labels, e.g. {clashes[:3]}"


def test_the_check_sees_overlapping_labels() -> None:
    head = '<svg xmlns="http://www.w3.org/2000/svg"><g transform="translate(10,10)">'
    same = '<text transform="translate(50,50)" font-size="10px">label one</text>'
    apart = '<text transform="translate(50,80)" font-size="10px">label two</text>'
    rotated = (
        '<text transform="translate(60,60) rotate(-90)" font-size="10px">a long axis title</text>'
    )
    assert overlapping(head + same + same + "</g></svg>") == [("label one", "label one")]
    assert overlapping(head + same + apart + "</g></svg>") == []
    assert overlapping(head + same + rotated + "</g></svg>") == [("label one", "a long axis title")]

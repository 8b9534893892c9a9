"""Point labels that do not collide: text widths and a greedy, deterministic placement.

Vega-Lite places a text mark at a fixed offset from its point, so labels of nearby points
overlap. Here each label's box is estimated in pixels (Helvetica advance widths, which
Liberation Sans and Arial share) and the label tries candidate positions around its point
in a fixed order, taking the first whose box stays inside the plot and clear of the boxes
already placed and of the labelled points; a label with no free position is dropped (the
point keeps its tooltip). Same input, same placement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# Helvetica advance widths in 1/1000 em; any other character (–, ρ, ×, ...) counts 556.
_WIDTHS: dict[str, int] = {
    **dict.fromkeys(" !,./:;I[\\]ft", 278),
    **dict.fromkeys("ijl", 222),
    **dict.fromkeys("'", 191),
    **dict.fromkeys("()-r`", 333),
    **dict.fromkeys("*", 389),
    **dict.fromkeys("^", 469),
    **dict.fromkeys("Jcksvxyz", 500),
    **dict.fromkeys("+<=>~", 584),
    **dict.fromkeys("FTZ", 611),
    **dict.fromkeys("ABEKPSVXY&", 667),
    **dict.fromkeys("CDHNRUw", 722),
    **dict.fromkeys("GOQ", 778),
    **dict.fromkeys("Mm", 833),
    **dict.fromkeys("%", 889),
    **dict.fromkeys("W", 944),
    **dict.fromkeys("—@", 1000),
}
_DEFAULT_WIDTH = 556
BOLD_FACTOR = 1.08
ASCENT, DESCENT = 0.75, 0.22  # of the font size, above and below the baseline
GAP = 4.0  # pixels between a point and its label
POINT_RADIUS = 4.0


def text_width(text: str, font_size: float, *, bold: bool = False) -> float:
    """Estimated rendered width of ``text`` in pixels."""
    em = sum(_WIDTHS.get(ch, _DEFAULT_WIDTH) for ch in text) / 1000
    return em * font_size * (BOLD_FACTOR if bold else 1.0)


@dataclass(frozen=True)
class Placed:
    """A label's centre in pixels (origin top left of the plot), or None when dropped."""

    index: int
    cx: float | None
    cy: float | None


Rect = tuple[float, float, float, float]  # x0, y0, x1, y1


def _candidates(px: float, py: float, w: float, h: float) -> list[tuple[float, float]]:
    """Label centres around a point: right, left, above, below, diagonals, one line further."""
    dx, dy = w / 2 + GAP + POINT_RADIUS / 2, h / 2 + GAP
    near = [(dx, 0.0), (-dx, 0.0), (0.0, -dy), (0.0, dy)]
    near += [(dx, -dy), (-dx, -dy), (dx, dy), (-dx, dy)]
    stacked = [(dx, -2 * dy), (-dx, -2 * dy), (dx, 2 * dy), (-dx, 2 * dy)]
    return [(px + ox, py + oy) for ox, oy in near + stacked]


def _hits(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_labels(
    points: Sequence[tuple[float, float]],
    texts: Sequence[str],
    *,
    width: float,
    height: float,
    font_size: float,
    obstacles: Sequence[tuple[float, float]] = (),
) -> list[Placed]:
    """Place ``texts[i]`` next to ``points[i]`` (pixels) in order; earlier labels win.

    ``obstacles`` are other drawn points a label should not cover (the labelled points
    themselves always count).
    """
    h = (ASCENT + DESCENT) * font_size
    r = POINT_RADIUS
    dots: list[Rect] = [(x - r, y - r, x + r, y + r) for x, y in [*points, *obstacles]]
    taken: list[Rect] = []
    placed: list[Placed] = []
    for i, ((px, py), text) in enumerate(zip(points, texts, strict=True)):
        w = text_width(text, font_size)
        spot = None
        for cx, cy in _candidates(px, py, w, h):
            box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
            inside = box[0] >= 0 and box[1] >= 0 and box[2] <= width and box[3] <= height
            if inside and not any(_hits(box, o) for o in taken + dots):
                spot = (cx, cy, box)
                break
        if spot is None:
            placed.append(Placed(i, None, None))
            continue
        taken.append(spot[2])
        placed.append(Placed(i, spot[0], spot[1]))
    return placed

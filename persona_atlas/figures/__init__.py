"""Figures: Altair charts fed only from result.json, rendered to Vega-Lite, SVG and PNG.

``build_figures(result_dir)`` draws every figure a result gets (see :mod:`.registry`) into
``result_dir/figures/``; ``figure_is_stale`` and ``data_hash`` serve the staleness check;
``write_vendor_assets`` and ``embed_html`` put the interactive view on a page.

Names are imported lazily: ``embed_html`` and the staleness helpers must not pay for
importing altair when a page only needs a snippet.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from persona_atlas.figures.build import build_figures, figure_is_stale, report_captions
    from persona_atlas.figures.embed import embed_html, write_vendor_assets
    from persona_atlas.figures.registry import CHARTS, FigureJob, jobs_for
    from persona_atlas.figures.render import data_hash

_HOME = {
    "build_figures": "build",
    "figure_is_stale": "build",
    "report_captions": "build",
    "embed_html": "embed",
    "write_vendor_assets": "embed",
    "CHARTS": "registry",
    "FigureJob": "registry",
    "jobs_for": "registry",
    "data_hash": "render",
}

__all__ = [
    "CHARTS",
    "FigureJob",
    "build_figures",
    "data_hash",
    "embed_html",
    "figure_is_stale",
    "jobs_for",
    "report_captions",
    "write_vendor_assets",
]


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOME[name]}"), name)

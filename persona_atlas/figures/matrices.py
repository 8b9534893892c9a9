"""Persona × persona cosine-matrix heatmap, rows in hierarchical-clustering order.

Reads ``metrics.cosine_matrices.<stem>.layer_<L> = {personas: [...], matrix: [[...]]}``.
Order: average-linkage clustering on cosine distance (1 − cos) with optimal leaf ordering,
so blocks of similar personas sit together. Matrices larger than :data:`MAX_CELLS_PER_SIDE`
are drawn block-averaged (the figure says so) to keep the page light.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import numpy as np

from persona_atlas.errors import InputFileError
from persona_atlas.figures import inputs, theme
from persona_atlas.figures.datasets import dataset
from persona_atlas.figures.empty import no_data
from persona_atlas.schema import ResultFile

MAX_CELLS_PER_SIDE = 50


def matrix_keys(result: ResultFile) -> list[tuple[str, str]]:
    """(stem, layer key) for every stored matrix, e.g. ``("A", "layer_20")``."""
    block = inputs.optional_metric(result, "cosine_matrices", {})
    if not isinstance(block, dict):
        return []
    return [
        (stem, key) for stem, layers in block.items() if isinstance(layers, dict) for key in layers
    ]


def cluster_order(matrix: np.ndarray) -> np.ndarray:
    """Leaf order of average-linkage clustering on 1 − cos (optimal leaf ordering)."""
    from scipy.cluster.hierarchy import leaves_list, linkage
    from scipy.spatial.distance import squareform

    n = matrix.shape[0]
    if n < 3:
        return np.arange(n)
    dist = np.clip(1.0 - (matrix + matrix.T) / 2.0, 0.0, None)  # [n, n] symmetric
    np.fill_diagonal(dist, 0.0)
    tree = linkage(squareform(dist, checks=False), method="average", optimal_ordering=True)
    return leaves_list(tree)


def cosine_matrix(result: ResultFile, name: str, *, stem: str, layer_key: str) -> alt.TopLevelMixin:
    path = f"cosine_matrices.{stem}.{layer_key}"
    entry = inputs.metric(result, name, path)
    personas, matrix = _read(entry, name, path)
    title = (
        f"Cosine similarity between persona centroids: recipe {stem}, {layer_key.replace('_', ' ')}"
    )
    if not personas:
        return no_data(title, f"metrics.{path} has no personas")
    order = cluster_order(matrix)
    matrix = matrix[np.ix_(order, order)]  # [n, n] in cluster order
    names = [personas[i] for i in order]
    n = len(names)
    block = int(np.ceil(n / MAX_CELLS_PER_SIDE))
    if block > 1:
        rows, note = _block_average(matrix, names, block)
    else:
        rows = [
            {"row": names[i], "col": names[j], "i": i, "j": j, "cos": round(float(matrix[i, j]), 5)}
            for i in range(n)
            for j in range(n)
        ]
        note = f"{n} personas in hierarchical-clustering order (average linkage on 1 − cos)"
    off = matrix[~np.eye(n, dtype=bool)]
    lo = float(off.min()) if off.size else 0.0
    side = min(theme.WIDTH, max(240, 8 * len({r["row"] for r in rows})))
    axis = alt.Axis(labels=block == 1 and n <= 40, ticks=False, labelFontSize=10)
    return (
        alt.Chart(dataset(rows))
        .mark_rect()
        .encode(
            x=alt.X("col:N", sort=alt.SortField("j"), title="persona", axis=axis),
            y=alt.Y("row:N", sort=alt.SortField("i"), title="persona", axis=axis),
            color=alt.Color(
                "cos:Q",
                title="cos",
                scale=alt.Scale(scheme="viridis", domain=[round(lo, 3), 1.0], clamp=True),
            ),
            tooltip=["row:N", "col:N", alt.Tooltip("cos:Q", format=".4f")],
        )
        .properties(width=side, height=side, title=theme.title(title, note))
    )


def _read(entry: Any, name: str, path: str) -> tuple[list[str], np.ndarray]:
    if not isinstance(entry, dict) or "personas" not in entry or "matrix" not in entry:
        raise InputFileError(
            f"figure {name!r}: `metrics.{path}` must be {{personas: [...], matrix: [[...]]}}",
            hint="see docs/data-contracts.md (cosine_matrices)",
        )
    personas = [str(p) for p in entry["personas"]]
    matrix = np.asarray(entry["matrix"], dtype=float)
    if personas and matrix.shape != (len(personas), len(personas)):
        raise InputFileError(
            f"figure {name!r}: `metrics.{path}.matrix` has shape {matrix.shape}, "
            f"expected {len(personas)}×{len(personas)} (one row per persona)",
        )
    return personas, matrix


def _block_average(
    matrix: np.ndarray, names: list[str], block: int
) -> tuple[list[dict[str, Any]], str]:
    n = matrix.shape[0]
    starts = list(range(0, n, block))
    rows = []
    for bi, a in enumerate(starts):
        for bj, b in enumerate(starts):
            cell = matrix[a : a + block, b : b + block]  # [≤block, ≤block]
            rows.append(
                {
                    "row": f"{names[a]} … ({min(block, n - a)})",
                    "col": f"{names[b]} … ({min(block, n - b)})",
                    "i": bi,
                    "j": bj,
                    "cos": round(float(cell.mean()), 5),
                }
            )
    note = (
        f"{n} personas in hierarchical-clustering order, drawn as {len(starts)}×{len(starts)} "
        f"blocks: each cell is the mean cos over up to {block}×{block} persona pairs"
    )
    return rows, note

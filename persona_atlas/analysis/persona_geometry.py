"""The headline pair's persona geometry: cosine matrices and a distance-vs-distance RSA.

A recipe-comparison reports, per cell, *whether* two recipes agree on the persona map (mc_r).
This module keeps *what* the map looks like for one cell a reader cares about — the headline
pair (the first load-bearing pair) at the layer where its mc_r peaks: both recipes' persona ×
persona cosine matrices (for the clustered heatmaps) and, per persona pair, the two
mean-centred distances with a decoupling score (for the RSA scatter), so a reader can see
which personas the recipes place differently. Above ``MAX_PERSONAS`` the tables would
dominate result.json (37,675 pairs at 275 personas), so they are left out with a reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats as sps

from persona_atlas.analysis.centroid_store import CentroidStore
from persona_atlas.analysis.metrics import CentroidView
from persona_atlas.analysis.sameness import DIGITS, same_float
from persona_atlas.analysis.verdicts import pair_label
from persona_atlas.config import RECIPES, PairConfig
from persona_atlas.kinds.recipe_comparison.tables import RSA_PAIRS
from persona_atlas.schema import Table

MAX_PERSONAS = 100


@dataclass
class Geometry:
    """What the geometry adds to a recipe-comparison result."""

    metrics: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)
    nulls: dict[str, str] = field(default_factory=dict)


def headline_pair(pairs: list[PairConfig]) -> PairConfig:
    """The first load-bearing pair, else the first pair."""
    return next((p for p in pairs if p.category == "load-bearing"), pairs[0])


def best_layer(cells: list[dict[str, Any]], pair: PairConfig) -> int | None:
    """The layer where the pair's mc_r is highest (None when mc_r is undefined everywhere):
    the lowest of the layers whose mc_r is the same as the highest (``same_float``), like
    ``verdicts.pair_summaries``, so that values tied up to rounding pick one layer."""
    scored = [
        (c["mc_r"], c["layer"])
        for c in cells
        if (c["x"], c["y"]) == (pair.x, pair.y)
        and isinstance(c["mc_r"], float)
        and math.isfinite(c["mc_r"])
    ]
    if not scored:
        return None
    top = max(value for value, _ in scored)
    return min(layer for value, layer in scored if same_float(value, top))


def _rounded(matrix: np.ndarray) -> list[list[float]]:
    return np.round(matrix.astype(np.float64), DIGITS).tolist()


def _rsa_rows(
    personas: list[str], dist_x: np.ndarray, dist_y: np.ndarray
) -> tuple[list[list[Any]], float]:
    """One row per persona pair: distances and |rank difference| / number of pairs."""
    iu = np.triu_indices(len(personas), k=1)
    dx, dy = dist_x[iu], dist_y[iu]  # [n_pairs]
    rx, ry = sps.rankdata(dx), sps.rankdata(dy)
    decoupling = np.abs(rx - ry) / len(dx)  # 0: same rank in both spaces, → 1: opposite ends
    rows = [
        [personas[i], personas[j], round(float(a), DIGITS), round(float(b), DIGITS),
         round(float(d), DIGITS)]
        for i, j, a, b, d in zip(*iu, dx, dy, decoupling, strict=True)
    ]  # fmt: skip
    return rows, float(sps.spearmanr(dx, dy)[0])


def headline_geometry(
    store: CentroidStore, pairs: list[PairConfig], cells: list[dict[str, Any]]
) -> Geometry:
    """Cosine matrices and RSA pairs of the headline pair at its best mc_r layer."""
    out = Geometry()
    pair = headline_pair(pairs)
    label = pair_label(pair.x, pair.y)
    layer = best_layer(cells, pair)
    n = len(store.personas)
    why = None
    if layer is None:
        why = f"mc_r of the headline pair {label} is undefined at every layer"
    elif n > MAX_PERSONAS:
        why = f"{n} personas: above {MAX_PERSONAS} the matrices and pair table are left out"
    if why:
        for path in ("metrics.cosine_matrices", "metrics.rsa", "tables.rsa_pairs"):
            out.nulls[path] = why
        return out
    assert layer is not None
    li = store.layers.index(layer)
    views = {
        r: CentroidView(
            store.layer(r, "centroid", li), f"recipe {r}, layer {layer}", store.personas
        )
        for r in (pair.x, pair.y)
    }
    key = f"layer_{layer}"
    out.metrics["cosine_matrices"] = {
        RECIPES[r]: {key: {"personas": list(store.personas), "matrix": _rounded(v.cos_raw)}}
        for r, v in views.items()
    }
    rows, rho = _rsa_rows(
        list(store.personas), 1.0 - views[pair.x].cos_mc, 1.0 - views[pair.y].cos_mc
    )
    out.tables["rsa_pairs"] = RSA_PAIRS.table(
        rows,
        f"{label}, layer {layer}: each persona pair's mean-centred cosine distance "
        "under both recipes; decoupling = |rank difference| / number of pairs.",
    )
    out.metrics["rsa"] = {
        "pair": label,
        "layer": layer,
        "spearman": rho,
        "x_title": f"distance under recipe {pair.x} (1 − mean-centred cos)",
        "y_title": f"distance under recipe {pair.y} (1 − mean-centred cos)",
        "n_pairs": len(rows),
    }
    return out

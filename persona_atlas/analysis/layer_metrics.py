"""One layer of the recipe-comparison sweep: every pair metric, Mantel null and noise floor.

Layers are independent; each is computed from the memory-mapped centroids of that layer
only, so memory stays flat however many layers a run has. The permutation plan (the same
seeded permutations for every cell, with their gather indices) is built once per sweep and
dropped when it ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from persona_atlas.analysis import metrics as m
from persona_atlas.analysis.centroid_store import CentroidStore
from persona_atlas.analysis.permutation import PermutationPlan, float32_dot_error

#: Permutations per gather: 4 × 37,675 rows of 32 bytes ≈ 4.8 MB stays in cache for the product.
CHUNK = 4


@dataclass(frozen=True)
class LayerJob:
    """Everything that defines the per-layer computation."""

    recipes: tuple[str, ...]
    pairs: tuple[tuple[str, str], ...]
    chosen: tuple[str, ...]
    permutations: int
    seed: int
    mantel_method: str


@dataclass
class LayerResult:
    """Per-pair metrics (no verdict, no spread), per-persona vectors and noise-floor rows."""

    layer: int
    cells: list[dict[str, float]] = field(default_factory=list)
    vectors: list[np.ndarray] = field(default_factory=list)
    noise: list[list[Any]] = field(default_factory=list)


def make_plan(n: int, job: LayerJob) -> PermutationPlan | None:
    """The sweep's permutations (index chunks cached: ≈ 300 MB at 275 personas × 1,000)."""
    if "mantel_p" not in job.chosen or job.permutations == 0:
        return None
    return PermutationPlan(n, job.permutations, seed=job.seed, chunk=CHUNK, cache=True)


def compute_layer(
    store: CentroidStore, plan: PermutationPlan | None, job: LayerJob, li: int
) -> LayerResult:
    """All pair metrics, Mantel p-values and noise-floor rows at axis position ``li``."""
    layer = store.layers[li]
    out = LayerResult(layer=layer)

    def view(recipe: str, tensor: str) -> m.CentroidView:
        where = f"{store.recipes[recipe].path}: recipe {recipe}, {tensor}, layer {layer}"
        return m.CentroidView(store.layer(recipe, tensor, li), where, store.personas)

    views = {r: view(r, "centroid") for r in job.recipes}
    mc_key = "mc_rank_z" if job.mantel_method == "spearman" else "mc_z"
    null, error = None, 0.0
    moving = list(dict.fromkeys(y for _, y in job.pairs))
    fixed = list(dict.fromkeys(x for x, _ in job.pairs))
    if plan is not None:  # the null's products in float32; p_value settles the close calls
        mov = np.stack([getattr(views[r], mc_key) for r in moving], axis=1)  # [n_pairs, km]
        fix = np.stack([getattr(views[r], mc_key) for r in fixed], axis=1)  # [n_pairs, kf]
        null = plan.null(mov.astype(np.float32), fix.astype(np.float32))  # [B, kf, km]
        error = float32_dot_error(mov.shape[0])
    for x, y in job.pairs:
        vx, vy = views[x], views[y]
        cell: dict[str, float] = {}
        for name in job.chosen:
            metric = m.METRICS[name]
            if name == "per_persona_cos":
                vec = m.per_persona_cos(vx, vy)  # [P]
                cell.update(m.cos_summary(vec))
                out.vectors.append(vec)
            elif metric.compute is not None:
                cell.update(metric.compute(vx, vy))
        if null is not None and plan is not None:
            zx, zy = getattr(vx, mc_key), getattr(vy, mc_key)
            dist = null[:, fixed.index(x), moving.index(y)]
            cell["mantel_p"] = plan.p_value(m.correlation(zx, zy), dist, zy, zx, error)
        out.cells.append(cell)
    if "noise_floor" in job.chosen:
        for r in job.recipes:
            nf = m.noise_floor(view(r, "half_a"), view(r, "half_b"))
            out.noise.append([r, layer, nf["cos_min"], nf["cos_p5"], nf["cos_mean"], nf["mc_r"]])
    return out


def run_layers(store: CentroidStore, job: LayerJob) -> Iterator[LayerResult]:
    """Yield one result per layer, in layer order (the permutation plan is shared)."""
    plan = make_plan(len(store.personas), job)
    for li in range(len(store.layers)):
        yield compute_layer(store, plan, job, li)

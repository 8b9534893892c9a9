"""One layer of the recipe-comparison sweep, runnable in-process or in a worker process.

Layers are independent, so a big sweep runs them in a small pool of spawned processes, each
with single-threaded BLAS: every core stays busy in the gathers as well as the GEMMs, with
no oversubscription. Each process opens the memory-mapped centroids once and keeps its
permutation plan (the same seeded permutations everywhere) across the layers it is given.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from persona_atlas.analysis import metrics as m
from persona_atlas.analysis.centroid_store import CentroidStore
from persona_atlas.analysis.permutation import PermutationPlan, permutation_p
from persona_atlas.errors import AtlasError

#: Permutations per gather: 4 × 37,675 rows of 32 bytes ≈ 4.8 MB stays in cache for the product.
CHUNK = 4
_BLAS_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


@dataclass(frozen=True)
class LayerJob:
    """Everything a worker needs (picklable)."""

    out_dir: str
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
    pid: int = 0
    peak_rss_kb: int = 0
    error: tuple[str, str, str | None] | None = None


_STATE: dict[Any, Any] = {}


def _store(job: LayerJob) -> CentroidStore:
    key = ("store", job.out_dir, job.recipes)
    if key not in _STATE:
        _STATE[key] = CentroidStore(job.out_dir, recipes=list(job.recipes))
    store: CentroidStore = _STATE[key]
    return store


def _plan(n: int, job: LayerJob) -> PermutationPlan | None:
    if "mantel_p" not in job.chosen or job.permutations == 0:
        return None
    key = ("plan", n, job.permutations, job.seed)
    if key not in _STATE:
        _STATE[key] = PermutationPlan(n, job.permutations, seed=job.seed, chunk=CHUNK, cache=True)
    plan: PermutationPlan = _STATE[key]
    return plan


def compute_layer(job: LayerJob, li: int) -> LayerResult:
    """All pair metrics, Mantel p-values and noise-floor rows at axis position ``li``."""
    store = _store(job)
    layer = store.layers[li]
    out = LayerResult(layer=layer, pid=os.getpid())

    def view(recipe: str, tensor: str) -> m.CentroidView:
        where = f"{store.recipes[recipe].path}: recipe {recipe}, {tensor}, layer {layer}"
        return m.CentroidView(store.layer(recipe, tensor, li), where, store.personas)

    views = {r: view(r, "centroid") for r in job.recipes}
    mc_key = "mc_rank_z" if job.mantel_method == "spearman" else "mc_z"
    null = None
    plan = _plan(len(store.personas), job)
    moving = list(dict.fromkeys(y for _, y in job.pairs))
    fixed = list(dict.fromkeys(x for x, _ in job.pairs))
    if plan is not None:
        mov = np.stack([getattr(views[r], mc_key) for r in moving], axis=1)  # [n_pairs, km]
        fix = np.stack([getattr(views[r], mc_key) for r in fixed], axis=1)  # [n_pairs, kf]
        null = plan.null(mov, fix)  # [B, kf, km]
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
        if null is not None:
            obs = m.correlation(getattr(vx, mc_key), getattr(vy, mc_key))
            dist = null[:, fixed.index(x), moving.index(y)]
            cell["mantel_p"] = float(permutation_p(obs, dist))
        out.cells.append(cell)
    if "noise_floor" in job.chosen:
        for r in job.recipes:
            nf = m.noise_floor(view(r, "half_a"), view(r, "half_b"))
            out.noise.append([r, layer, nf["cos_min"], nf["cos_p5"], nf["cos_mean"], nf["mc_r"]])
    out.peak_rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return out


def _guarded(args: tuple[LayerJob, int]) -> LayerResult:
    """Worker entry: user errors come back as values (AtlasError hints survive pickling)."""
    job, li = args
    try:
        return compute_layer(job, li)
    except AtlasError as exc:
        return LayerResult(layer=-1, error=(type(exc).__name__, exc.message, exc.hint))


@contextmanager
def _single_threaded_blas_env() -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in _BLAS_ENV}
    os.environ.update(dict.fromkeys(_BLAS_ENV, "1"))
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def run_layers(job: LayerJob, n_layers: int, workers: int) -> Iterator[LayerResult]:
    """Yield one result per layer, in layer order (a pool of ``workers`` processes if > 1)."""
    if workers <= 1:
        for li in range(n_layers):
            yield compute_layer(job, li)
        return
    ctx = multiprocessing.get_context("spawn")
    with _single_threaded_blas_env():
        pool = ctx.Pool(processes=workers)
    try:
        for res in pool.imap(_guarded, [(job, li) for li in range(n_layers)]):
            if res.error is not None:
                import persona_atlas.errors as errors

                kind, message, hint = res.error
                raise getattr(errors, kind, AtlasError)(message, hint=hint)
            yield res
    finally:
        pool.terminate()
        pool.join()

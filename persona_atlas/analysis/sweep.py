"""``recipe-comparison``: every metric, noise floor, Mantel p and verdict for pairs × layers.

Layer-major: at each layer every recipe is normalised and its cosine matrices built once
(``CentroidView``), then all pairs read them; the Mantel nulls of all cells at a layer come
from one batched gather against the same seeded permutations (``PermutationPlan``). Layers
are independent (``layer_metrics``), so memory stays flat in the number of layers. The
per-question spread is streamed from the per-question arrays before the sweep; verdicts and
the spread correlation are filled in here as layer results arrive. Last, the headline pair's
persona geometry (cosine matrices, RSA pairs) at its best layer (``persona_geometry``).
"""

from __future__ import annotations

from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits
from tqdm import tqdm

from persona_atlas.analysis import metrics as m
from persona_atlas.analysis.centroid_store import CentroidStore
from persona_atlas.analysis.comparison import comparison_output
from persona_atlas.analysis.layer_metrics import LayerJob, run_layers
from persona_atlas.analysis.output import AnalysisOutput
from persona_atlas.analysis.persona_geometry import headline_geometry
from persona_atlas.analysis.spread import QuestionSpread, question_spread
from persona_atlas.analysis.verdicts import pair_label, verdict
from persona_atlas.config import RECIPES
from persona_atlas.errors import ConfigError, InputFileError
from persona_atlas.kinds.recipe_comparison import tables as contract
from persona_atlas.kinds.recipe_comparison.config import PairConfig, RecipeComparisonConfig
from persona_atlas.kinds.recipe_comparison.tables import CELL_METRIC_COLUMNS
from persona_atlas.schema import Scalar


def selected_metrics(names: list[str] | None) -> list[str]:
    """Validated metric names (all registered ones when ``names`` is None)."""
    if names is None:
        return list(m.METRICS)
    unknown = [n for n in names if n not in m.METRICS]
    if unknown:
        raise ConfigError(
            f"analysis.metrics: unknown metric {unknown[0]!r}",
            hint=f"registered metrics: {', '.join(m.METRICS)}",
        )
    return list(names)


def resolve_pairs(pairs: list[PairConfig], available: list[str]) -> list[PairConfig]:
    if not pairs:
        return [PairConfig(x=x, y=y) for x, y in combinations(available, 2)]
    for p in pairs:
        if p.x == p.y:
            raise ConfigError(f"analysis.pairs: pair {p.x} vs {p.y} compares a recipe with itself")
    return pairs


def _spreads(store: CentroidStore, recipes: list[str], progress: bool) -> dict[str, QuestionSpread]:
    found = {}
    for r in recipes:
        path = store.out_dir / "per_question" / f"{RECIPES[r]}.safetensors"
        if path.exists():
            found[r] = question_spread(path, r, store.personas, progress=progress)
    questions = {tuple(s.questions) for s in found.values()}
    if len(questions) > 1:
        raise InputFileError(f"{store.out_dir / 'per_question'}: recipes list different questions")
    return found


def _spread_spearman(spreads: dict[str, QuestionSpread], x: str, y: str, layer: int) -> float | str:
    """Spearman across questions of the two recipes' spread, or why it is missing."""
    from scipy.stats import spearmanr

    for r in (x, y):
        if r not in spreads:
            return f"recipe {r} has no per-question arrays"
        if layer not in spreads[r].layers:
            return f"layer {layer} is not in recipe {r}'s per-question arrays"
    sx, sy = spreads[x], spreads[y]
    a, b = sx.spread[:, sx.layers.index(layer)], sy.spread[:, sy.layers.index(layer)]
    ok = np.isfinite(a) & np.isfinite(b)
    if ok.sum() < 3:
        return "fewer than 3 questions answered by at least two personas"
    return float(spearmanr(a[ok], b[ok])[0])


def run(config: RecipeComparisonConfig, *, progress: bool = False) -> AnalysisOutput:
    """Compare recipe pairs at every extracted layer (analysis ``recipe-comparison``)."""
    if config.centroids is None:
        raise ConfigError(
            "analysis.centroids: recipe-comparison needs the extraction output folder",
            hint="set analysis.centroids, or give the config an extract section (its out_dir)",
        )
    chosen = selected_metrics(config.metrics)
    probe = CentroidStore(config.centroids) if not config.pairs else None
    pairs = resolve_pairs(config.pairs, list(probe.recipes) if probe else [])
    needed = [r for r in RECIPES if any(r in (p.x, p.y) for p in pairs)]
    store = probe if probe is not None else CentroidStore(config.centroids, recipes=needed)
    personas, n = store.personas, len(store.personas)
    if n < 3:
        raise InputFileError(f"{config.centroids}: {n} personas; matrix metrics need at least 3")

    spreads = _spreads(store, needed, progress) if "spread_spearman" in chosen else {}
    job = LayerJob(
        recipes=tuple(needed),
        pairs=tuple((p.x, p.y) for p in pairs),
        chosen=tuple(chosen),
        permutations=config.mantel_permutations,
        seed=config.seed,
        mantel_method=config.mantel_method,
    )
    n_layers = len(store.layers)

    cells: list[dict[str, Any]] = []
    per_persona: list[list[Scalar]] = []
    noise: list[list[Scalar]] = []
    # One BLAS thread: the gathers dominate and are single-threaded anyway, multi-threaded
    # OpenBLAS collapses on a busy machine, and results do not depend on the core count.
    with threadpool_limits(1):
        layers = run_layers(store, job)
        results = list(tqdm(layers, total=n_layers, desc="layers", disable=not progress))
    for res in results:
        noise += res.noise
        vectors = iter(res.vectors)
        for pair, metrics in zip(pairs, res.cells, strict=True):
            cell: dict[str, Any] = {
                "pair": pair_label(pair.x, pair.y), "x": pair.x, "y": pair.y,
                "category": pair.category, "layer": res.layer, "_why": {},
                **dict.fromkeys(CELL_METRIC_COLUMNS), **metrics,
            }  # fmt: skip
            if "per_persona_cos" in chosen:
                vec = next(vectors)
                per_persona += [
                    [cell["pair"], res.layer, p, float(c)] for p, c in zip(personas, vec)
                ]
            if "spread_spearman" in chosen and spreads:  # none at all: the generic reason
                got = _spread_spearman(spreads, pair.x, pair.y, res.layer)
                if isinstance(got, str):
                    cell["_why"]["spread_spearman"] = got
                else:
                    cell["spread_spearman"] = got
            cell["verdict"] = verdict(cell["cos_min"], cell["mc_r"], config.thresholds)
            cells.append(cell)
    out = _assemble(config, store, chosen, cells, per_persona, noise, spreads)
    if "mc_r" in chosen:
        geometry = headline_geometry(store, pairs, cells)
        out.metrics.update(geometry.metrics)
        out.tables.update(geometry.tables)
        out.nulls.update(geometry.nulls)
    return out


def _assemble(
    config: RecipeComparisonConfig,
    store: CentroidStore,
    chosen: list[str],
    cells: list[dict[str, Any]],
    per_persona: list[list[Scalar]],
    noise: list[list[Scalar]],
    spreads: dict[str, QuestionSpread],
) -> AnalysisOutput:
    skipped = "not computed: metric not selected in analysis.metrics"
    tables = {}
    if per_persona:
        tables["per_persona_cos"] = contract.PER_PERSONA_COS.table(per_persona)
    metrics: dict[str, Any] = {
        "layers": store.layers,
        "recipes": list(store.recipes),
        "hidden_size": next(iter(store.recipes.values())).hidden,
        "metrics_computed": chosen,
    }
    if noise:
        tables["noise_floor"] = contract.NOISE_FLOOR.table(noise)
        at = contract.NOISE_FLOOR.names
        arr = np.array(
            [[r[at.index("cos_min")], r[at.index("mc_r")]] for r in noise], dtype=np.float64
        )
        metrics["noise_floor"] = {
            "cos_min": {"min": float(arr[:, 0].min()), "max": float(arr[:, 0].max())},
            "mc_r": {"min": float(arr[:, 1].min()), "max": float(arr[:, 1].max())},
        }
    if "mantel_p" in chosen:
        metrics["mantel"] = {
            "statistic": "mc_r",
            "method": config.mantel_method,
            "permutations": config.mantel_permutations,
            "seed": config.seed,
            "note": "the same seeded permutations are used for every cell",
        }
    n_questions = store.n_questions
    if n_questions is None and spreads:
        n_questions = len(next(iter(spreads.values())).questions)
    why_null = {
        **dict.fromkeys(
            (c for c in CELL_METRIC_COLUMNS if c not in ("spread_spearman", "mantel_p")), skipped
        ),
        "spread_spearman": "no per-question arrays (extract.per_question: false)",
        "mantel_p": skipped
        if "mantel_p" not in chosen
        else "Mantel test disabled (analysis.mantel_permutations = 0)",
        "verdict": "the verdict needs both per_persona_cos and mc_r",
        "n_questions": "no run.json or per-question arrays next to the centroids",
    }
    counts = {
        "n_personas": len(store.personas),
        "n_questions": n_questions,
        "n_layers": len(store.layers),
    }
    out = comparison_output(
        cells,
        thresholds=config.thresholds,
        null_reasons=why_null,
        counts=counts,
        tables=tables,
        metrics=metrics,
    )
    files: list[Path] = [*store.input_files(), *(s.path for s in spreads.values())]
    out.inputs = [str(f) for f in files]
    return out

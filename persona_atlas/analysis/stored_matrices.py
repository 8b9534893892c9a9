"""``stored-matrix-comparison``: re-derive a recipe comparison from stored cosine matrices.

Input: the group's pilot file (``extraction_method_comparison_results.json``): per layer
``layer_<L>`` the two recipes' N×N cosine matrices (raw and mean-centred) and the
per-persona cosine vector, plus the statistics the original script derived from them.
Every statistic is recomputed here from the matrices with the registry's formulas
(``metrics.matrix_agreement`` on the condensed matrices (``upper_triangle``), ``metrics.cos_stats`` on the
per-persona vector); ``metrics.stored_check`` records the largest disagreement with the
stored values (the correctness check of issue #4, item 5). This module only reads, checks
and assembles. Persona order of the matrix rows is the key order of ``per_persona_cosine``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from persona_atlas.analysis import verdicts
from persona_atlas.analysis.comparison import comparison_output
from persona_atlas.analysis.metrics import cos_stats, matrix_agreement
from persona_atlas.analysis.output import AnalysisOutput
from persona_atlas.analysis.permutation import upper_triangle
from persona_atlas.analysis.statistics import mantel
from persona_atlas.config import RECIPES
from persona_atlas.errors import ConfigError, InputFileError
from persona_atlas.files import read_json
from persona_atlas.kinds.recipe_comparison import tables as contract
from persona_atlas.kinds.recipe_comparison.config import PairConfig
from persona_atlas.kinds.stored_matrix_comparison.config import StoredMatrixConfig
from persona_atlas.kinds.stored_matrix_comparison.tables import LAYERS
from persona_atlas.schema import Scalar

MATRICES = (
    "cosine_matrix_a",
    "cosine_matrix_b",
    "cosine_matrix_a_mean_centered",
    "cosine_matrix_b_mean_centered",
)
#: Largest |recomputed − stored| accepted as agreement.
TOLERANCE = 1e-6


def _matrix(src: Path, layer_key: str, name: str, value: Any, n: int) -> np.ndarray:
    where = f"{src}: {layer_key}.{name}"
    try:
        m = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputFileError(f"{where}: not a numeric matrix") from None
    if m.shape != (n, n):
        raise InputFileError(
            f"{where}: shape {m.shape}, expected ({n}, {n}) (one row per persona)",
            hint="every matrix must cover the personas listed in per_persona_cosine",
        )
    bad = np.argwhere(~np.isfinite(m))
    if bad.size:
        i, j = bad[0]
        raise InputFileError(f"{where}[{i}][{j}]: non-finite value")
    return m


def _layers(src: Path, data: Any) -> list[tuple[int, dict[str, Any]]]:
    if not isinstance(data, dict):
        raise InputFileError(f"{src}: expected a JSON object with layer_<L> keys")
    found = []
    for key, entry in data.items():
        if key.startswith("layer_") and key[6:].isdigit():
            if not isinstance(entry, dict):
                raise InputFileError(f"{src}: {key} must be an object")
            missing = [k for k in (*MATRICES, "per_persona_cosine") if k not in entry]
            if missing:
                raise InputFileError(f"{src}: {key} lacks {', '.join(missing)}")
            found.append((int(key[6:]), entry))
    if not found:
        raise InputFileError(f"{src}: no layer_<L> entries found")
    return sorted(found, key=lambda t: t[0])


def _layer_stats(
    a: np.ndarray, b: np.ndarray, am: np.ndarray, bm: np.ndarray, cos: np.ndarray
) -> dict[str, float]:
    """The registry's formulas on one layer: raw and mean-centred matrix agreement, and the
    per-persona cosine statistics (``LAYER_COLUMNS`` plus ``cos_p5``)."""
    raw = matrix_agreement(upper_triangle(a), upper_triangle(b))
    mc = matrix_agreement(upper_triangle(am), upper_triangle(bm))
    return {
        **{f"raw_{k}": v for k, v in raw.items()},
        **{f"mc_{k}": v for k, v in mc.items()},
        **cos_stats(cos),
    }


def _stored_diffs(entry: dict[str, Any], computed: dict[str, float]) -> list[float]:
    """|recomputed − stored| for every stored statistic we recompute."""
    pairs = [
        ("raw_matrix_comparison", "pearson_r", "raw_pearson"),
        ("raw_matrix_comparison", "spearman_r", "raw_spearman"),
        ("raw_matrix_comparison", "mean_abs_diff", "raw_mean_abs_diff"),
        ("mean_centered_matrix_comparison", "pearson_r", "mc_pearson"),
        ("mean_centered_matrix_comparison", "spearman_r", "mc_spearman"),
        ("mean_centered_matrix_comparison", "mean_abs_diff", "mc_mean_abs_diff"),
        ("per_persona_cosine_stats", "mean", "cos_mean"),
        ("per_persona_cosine_stats", "std", "cos_std"),
        ("per_persona_cosine_stats", "min", "cos_min"),
        ("per_persona_cosine_stats", "max", "cos_max"),
    ]
    out = []
    for group, key, mine in pairs:
        stored = entry.get(group, {}).get(key)
        if isinstance(stored, int | float):
            out.append(abs(computed[mine] - float(stored)))
    return out


def run(config: StoredMatrixConfig, *, progress: bool = False) -> AnalysisOutput:
    """Recompute every statistic of the pilot file named by ``analysis.source``."""
    if config.source is None:
        raise ConfigError(
            "analysis.source: stored-matrix-comparison needs the stored-matrix JSON file",
            hint="set analysis.source to e.g. results/issue-200/inputs/<file>.json",
        )
    src = Path(config.source)
    data = read_json(src)
    pair = config.pairs[0] if config.pairs else PairConfig(x="A", y="B", category="load-bearing")
    label = verdicts.pair_label(pair.x, pair.y)
    layers = _layers(src, data)
    personas = list(layers[0][1]["per_persona_cosine"])
    n = len(personas)
    if n < 3:
        raise InputFileError(f"{src}: {n} personas; matrix statistics need at least 3")

    layer_rows: list[list[Scalar]] = []
    persona_rows: list[list[Scalar]] = []
    cells: list[dict[str, Scalar]] = []
    diffs: list[float] = []
    layer_stats: list[dict[str, float]] = []
    heatmaps: dict[str, dict[str, Any]] = {RECIPES[pair.x]: {}, RECIPES[pair.y]: {}}
    for layer, entry in layers:
        key = f"layer_{layer}"
        per = entry["per_persona_cosine"]
        if list(per) != personas:
            raise InputFileError(
                f"{src}: {key}.per_persona_cosine lists other personas than layer_{layers[0][0]}"
            )
        cos = np.array([float(per[p]) for p in personas])  # [N]
        if not np.all(np.isfinite(cos)):
            raise InputFileError(f"{src}: {key}.per_persona_cosine has a non-finite value")
        a, b, am, bm = (_matrix(src, key, name, entry[name], n) for name in MATRICES)
        s = _layer_stats(a, b, am, bm, cos)
        diffs += _stored_diffs(entry, s)
        layer_stats.append(s)
        mantel_p = None
        if config.mantel_permutations:
            mantel_p = mantel(
                am, bm, permutations=config.mantel_permutations,
                method=config.mantel_method, seed=config.seed,
            ).p  # fmt: skip
        layer_rows.append([layer, *(s[c] for c in LAYER_COLUMNS[1:])])
        persona_rows += [[label, layer, p, float(c)] for p, c in zip(personas, cos, strict=True)]
        cells.append({
            "pair": label, "x": pair.x, "y": pair.y, "category": pair.category, "layer": layer,
            "cos_min": s["cos_min"], "cos_p5": s["cos_p5"],
            "cos_mean": s["cos_mean"], "cos_max": s["cos_max"],
            "raw_pearson": s["raw_pearson"], "raw_spearman": s["raw_spearman"],
            "mc_r": s["mc_pearson"], "spread_spearman": None, "mantel_p": mantel_p,
            "verdict": verdicts.verdict(s["cos_min"], s["mc_pearson"], config.thresholds),
        })  # fmt: skip
        heatmaps[RECIPES[pair.x]][key] = {"personas": personas, "matrix": a.tolist()}
        heatmaps[RECIPES[pair.y]][key] = {"personas": personas, "matrix": b.tolist()}

    layer_table = LAYERS.table(layer_rows)
    extra_ranges = {
        c: {"min": min(s[c] for s in layer_stats), "max": max(s[c] for s in layer_stats)}
        for c in ("raw_mean_abs_diff", "mc_pearson", "mc_spearman", "mc_mean_abs_diff", "cos_std")
    }
    max_diff = max(diffs) if diffs else None
    out = comparison_output(
        cells,
        thresholds=config.thresholds,
        null_reasons={
            "spread_spearman": "the stored file has no per-question arrays",
            "mantel_p": "Mantel test disabled (analysis.mantel_permutations = 0)",
            "n_questions": "the stored file does not record the number of questions",
        },
        counts={"n_personas": n, "n_questions": None, "n_layers": len(layers)},
        tables={
            "layers": layer_table,
            "per_persona_cos": contract.PER_PERSONA_COS.table(persona_rows),
        },
        metrics={
            "layers": [layer for layer, _ in layers],
            "mantel": {
                "statistic": "mc_r",
                "method": config.mantel_method,
                "permutations": config.mantel_permutations,
                "seed": config.seed,
            },
            "stored_check": {
                "n_values": len(diffs),
                "max_abs_diff": max_diff,
                "tolerance": TOLERANCE,
                "agrees": max_diff is not None and max_diff <= TOLERANCE,
            },
            "cosine_matrices": heatmaps,
        },
    )
    out.metrics["ranges"].update(extra_ranges)
    if max_diff is None:
        out.nulls["metrics.stored_check.max_abs_diff"] = "the file stores no derived statistics"
    out.inputs = [str(src)]
    return out


LAYER_COLUMNS = LAYERS.names

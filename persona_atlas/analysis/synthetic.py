"""Synthetic extraction outputs in the contract layout, for tests, benchmarks and demos.

Centroids share a large per-layer mean (as real residual streams do: raw cosines near 1),
plus a low-rank persona structure common to all recipes, plus a recipe-specific distortion;
split halves are the centroid plus small question noise. Written with
``safetensors.numpy`` exactly as docs/data-contracts.md specifies.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from safetensors.numpy import save_file

from persona_atlas.analysis.centroid_store import CENTROID_FORMAT
from persona_atlas.config import RECIPES


def _meta(recipe: str, personas: list[str], layers: list[int]) -> dict[str, str]:
    return {
        "format": CENTROID_FORMAT,
        "version": "1",
        "recipe": recipe,
        "personas": json.dumps(personas),
        "layers": json.dumps(layers),
        "model": "synthetic",
    }


def write_synthetic_extraction(
    out_dir: str | Path,
    *,
    recipes: list[str],
    n_personas: int,
    layers: list[int],
    hidden: int,
    seed: int = 0,
    rank: int = 8,
    recipe_noise: float = 0.5,
    half_noise: float = 0.05,
    n_questions: int | None = None,
    per_question_recipes: list[str] | None = None,
) -> list[Path]:
    """Write ``centroids/<stem>.safetensors`` (and optional ``per_question/``) under out_dir.

    ``per_question_recipes`` with ``n_questions`` also writes fp16 per-question arrays for
    those recipes (persona vector + question effect + noise). Returns the files written.
    """
    rng = np.random.default_rng(seed)
    out = Path(out_dir)
    (out / "centroids").mkdir(parents=True, exist_ok=True)
    personas = [f"persona_{i:03d}" for i in range(n_personas)]
    p, n_layers = n_personas, len(layers)
    mean = rng.standard_normal((n_layers, hidden), dtype=np.float32) * 4  # [L, H]
    factors = rng.standard_normal((p, rank), dtype=np.float32)  # [P, r]
    basis = rng.standard_normal((n_layers, rank, hidden), dtype=np.float32)  # [L, r, H]
    shared = np.einsum("pr,lrh->plh", factors, basis)  # [P, L, H]
    written = []
    for recipe in recipes:
        distortion = rng.standard_normal((p, n_layers, hidden), dtype=np.float32) * recipe_noise
        centroid = (mean[None] + shared + distortion).astype(np.float32)  # [P, L, H]
        tensors = {
            "centroid": centroid,
            "half_a": centroid + rng.standard_normal(centroid.shape, dtype=np.float32) * half_noise,
            "half_b": centroid + rng.standard_normal(centroid.shape, dtype=np.float32) * half_noise,
            "count": np.full(p, n_questions or 0, dtype=np.int64),
        }
        path = out / "centroids" / f"{RECIPES[recipe]}.safetensors"
        save_file(tensors, str(path), metadata=_meta(recipe, personas, layers))
        written.append(path)
        if per_question_recipes and recipe in per_question_recipes and n_questions:
            (out / "per_question").mkdir(exist_ok=True)
            qfx = rng.standard_normal((n_questions, n_layers, hidden), dtype=np.float32)
            vectors = np.empty((p, n_questions, n_layers, hidden), dtype=np.float16)
            for i in range(p):  # one persona at a time keeps memory flat
                noise = rng.standard_normal((n_questions, n_layers, hidden), dtype=np.float32)
                vectors[i] = centroid[i][None] + 2 * qfx + noise
            meta = _meta(recipe, personas, layers)
            meta["questions"] = json.dumps([f"q{j:03d}" for j in range(n_questions)])
            qpath = out / "per_question" / f"{RECIPES[recipe]}.safetensors"
            valid = np.ones((p, n_questions), dtype=np.uint8)
            save_file({"vectors": vectors, "valid": valid}, str(qpath), metadata=meta)
            written.append(qpath)
    return written

"""Per-question persona spread from the per-question arrays (DESIGN §4).

For question q at layer L: unit-normalise each persona's vector u_p, take the mean unit
vector m = mean_p u_p; spread = mean_p |u_p − m|² = 1 − |m|² (since |u_p| = 1). Only the
running sum of unit vectors is needed, so the [P, Q, L, H] fp16 array is streamed one
persona at a time from its memory map: one float64 [Q, L, H] block and the float64 sum in
memory, never the whole array. Only answering personas count (``valid`` = 1; an excluded
slot is ignored whatever it holds); a question with fewer than two of them has no spread
(NaN).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from tqdm import tqdm

from persona_atlas.analysis.centroid_store import map_tensors, persona_difference
from persona_atlas.errors import InputFileError


@dataclass
class QuestionSpread:
    """Spread per question and layer for one recipe."""

    recipe: str
    path: Path
    questions: list[str]
    layers: list[int]
    spread: NDArray[np.float64]
    """[Q, L]; NaN where fewer than two personas answered the question."""


def question_spread(
    path: Path,
    recipe: str,
    personas: list[str],
    *,
    progress: bool = False,
) -> QuestionSpread:
    """Stream ``per_question/<stem>.safetensors`` and return the per-question spread."""
    views, meta = map_tensors(path)
    if "vectors" not in views or "valid" not in views:
        raise InputFileError(f"{path}: recipe {recipe}: needs tensors 'vectors' and 'valid'")
    vectors, valid = views["vectors"], np.asarray(views["valid"]).astype(bool)  # [P,Q,L,H], [P,Q]
    try:
        file_personas = json.loads(meta["personas"])
        questions = [str(q) for q in json.loads(meta["questions"])]
        layers = [int(x) for x in json.loads(meta["layers"])]
    except (KeyError, json.JSONDecodeError):
        raise InputFileError(f"{path}: metadata needs personas, questions and layers") from None
    if file_personas != personas:
        raise InputFileError(
            f"{path}: recipe {recipe}: per-question personas differ from the centroid files "
            f"({persona_difference(file_personas, personas, 'the per-question file', 'the centroids')})",
            hint="per-question arrays and centroids must come from the same extraction run",
        )
    p, q, n_layers = len(personas), len(questions), len(layers)
    if vectors.ndim != 4 or vectors.shape[:3] != (p, q, n_layers) or valid.shape != (p, q):
        raise InputFileError(
            f"{path}: recipe {recipe}: vectors {list(vectors.shape)} / valid {list(valid.shape)} "
            f"do not match {p} personas × {q} questions × {n_layers} layers"
        )
    if vectors.dtype not in (np.float16, np.float32):
        raise InputFileError(
            f"{path}: recipe {recipe}: vectors are {vectors.dtype}, expected float16 "
            "or float32 (docs/data-contracts.md)"
        )
    # float64 sums: 1 − |m|² cancels when personas agree, and a float32 running sum would
    # leave ~1e-7 of |m|² (different for every summation order) in the spread
    total = np.zeros(vectors.shape[1:], dtype=np.float64)  # [Q, L, H]
    block = np.empty_like(total)  # one persona's vectors, reused
    for i in tqdm(range(p), desc=f"spread {recipe}", disable=not progress, leave=False):
        np.copyto(block, vectors[i])
        if not valid[i].all():  # empty responses take no part, whatever the file holds there
            block[~valid[i]] = 0.0
        norms = np.sqrt(np.einsum("qlh,qlh->ql", block, block))  # [Q, L]
        ok = valid[i][:, None]  # [Q, 1]
        bad = ok & ~(np.isfinite(norms) & (norms > 0))
        if bad.any():
            qi, li = np.argwhere(bad)[0]
            kind = "zero-norm vector" if norms[qi, li] == 0 else "NaN or infinite values"
            raise InputFileError(
                f"{path}: recipe {recipe}, persona {personas[i]!r}, question {questions[qi]!r}, "
                f"layer {layers[li]}: {kind}"
            )
        scale = np.where(ok, 1.0 / np.where(norms > 0, norms, 1.0), 0.0)
        block *= scale[:, :, None]
        total += block
    answered = valid.sum(axis=0).astype(np.float64)  # [Q]
    mean_sq = np.einsum("qlh,qlh->ql", total, total, dtype=np.float64)  # [Q, L]
    with np.errstate(invalid="ignore", divide="ignore"):
        spread = 1.0 - mean_sq / answered[:, None] ** 2
    spread[answered < 2] = np.nan
    return QuestionSpread(recipe, path, questions, layers, spread)

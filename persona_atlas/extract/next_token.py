"""Output-space geometry at recipe A's position (the generation point).

The capture pass already runs every block up to the final norm; the LM head is applied to
the last prompt token of each question only, so no extra forward pass is needed. Per
persona the next-token log-probabilities ``[Q, V]`` are kept in its part; the merge turns
them into a persona × persona Jensen–Shannon divergence matrix (natural log, so within
[0, ln 2], averaged over questions) and writes it, with the recipe-A centroid cosine
matrix at each layer, as small JSON files that the ``geometry`` kind reads.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from persona_atlas.errors import ConfigError
from persona_atlas.files import atomic_write_text

LOGPROBS_KEY = "next_token.logprobs"  # a part's [Q, V] fp32 log-probabilities
GEOMETRY_DIR = "geometry"
JS_FILE = "js_matrix.json"


def head_modules(model: Any) -> tuple[Any, Any]:
    """The final norm and the LM head of a causal LM (Llama / Qwen2 / Gemma layout)."""
    decoder = model.get_decoder() if hasattr(model, "get_decoder") else None
    norm = getattr(decoder, "norm", None)
    head = model.get_output_embeddings() if hasattr(model, "get_output_embeddings") else None
    if norm is None or head is None:
        raise ConfigError(
            f"extract.next_token_js: cannot find the final norm and LM head of "
            f"{type(model).__name__}",
            hint="turn next_token_js off for this model",
        )
    return norm, head


def js_divergence_matrix(logprobs: np.ndarray) -> np.ndarray:
    """``[P, Q, V]`` log-probabilities → ``[P, P]`` JS divergence (nats), mean over Q."""
    lp = np.asarray(logprobs, np.float64)
    p = np.exp(lp)
    n = lp.shape[0]
    out = np.zeros((n, n))

    def kl(k: int, log_m: np.ndarray) -> np.ndarray:  # KL(p_k ‖ m) per question; 0·log 0 = 0
        return np.where(p[k] > 0, p[k] * (lp[k] - log_m), 0.0).sum(-1)

    for i in range(n):
        for j in range(i + 1, n):
            # m = 0 only where p_i = p_j = 0: those terms are dropped by ``kl``
            with np.errstate(divide="ignore", invalid="ignore"):
                log_m = np.log(0.5 * (p[i] + p[j]))
                js = 0.5 * (kl(i, log_m) + kl(j, log_m))  # [Q]
            out[i, j] = out[j, i] = float(np.clip(js, 0.0, math.log(2)).mean())
    return out


def cosine_matrix(centroids: np.ndarray) -> np.ndarray:
    """``[P, H]`` centroids → ``[P, P]`` cosine similarity (float64)."""
    x = np.asarray(centroids, np.float64)
    x = x / np.linalg.norm(x, axis=1, keepdims=True)
    return np.clip(x @ x.T, -1.0, 1.0)


def _write(path: Path, labels: Sequence[str], matrix: np.ndarray, doc: dict[str, Any]) -> Path:
    body = {**doc, "labels": list(labels), "matrix": [[float(v) for v in r] for r in matrix]}
    atomic_write_text(path, json.dumps(body, indent=1) + "\n")
    return path


def write_geometry(
    out_dir: Path,
    labels: Sequence[str],
    logprobs: np.ndarray,
    a_centroids: np.ndarray,
    layers: Sequence[int],
) -> list[Path]:
    """``geometry/js_matrix.json`` and ``geometry/cosine_layer_<L>.json`` under ``out_dir``.

    ``logprobs`` is ``[P, Q, V]``, ``a_centroids`` the recipe-A centroids ``[P, L, H]``.
    """
    folder = out_dir / GEOMETRY_DIR
    written = [
        _write(
            folder / JS_FILE,
            labels,
            js_divergence_matrix(logprobs),
            {
                "measure": "distance",
                "description": "Jensen-Shannon divergence (nats) between the personas' "
                "next-token distributions at the last prompt token, mean over questions",
                "n_questions": int(logprobs.shape[1]),
            },
        )
    ]
    for k, layer in enumerate(layers):
        written.append(
            _write(
                folder / f"cosine_layer_{layer}.json",
                labels,
                cosine_matrix(a_centroids[:, k]),
                {
                    "measure": "similarity",
                    "description": f"cosine similarity of recipe-A centroids at layer {layer}",
                    "layer": int(layer),
                },
            )
        )
    return written

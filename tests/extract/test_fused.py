"""Capture during greedy decoding equals the separate pass over prompt + response ids."""

from __future__ import annotations

import numpy as np

from persona_atlas.config import GenerationConfig
from persona_atlas.extract.capture import Capture
from persona_atlas.extract.fused import FusedHF
from persona_atlas.extract.recipes import plan_persona
from tests.extract.conftest import QUESTIONS

RECIPES = ["A", "B", "B*", "B*_no_last", "C2", "C3"]
SYSTEM = "You are a careful librarian."


def _separate(lm, responses):
    works = plan_persona(lm.tokenizer, SYSTEM, QUESTIONS, RECIPES, responses)
    capture = Capture(lm.model, lm.blocks, [0, 3])
    return capture.pooled(works, budget=1, pad_id=0, side="right", device="cpu")


def test_fused_reads_equal_separate_pass(tiny_lm):
    fused = FusedHF(tiny_lm, GenerationConfig(max_new_tokens=7, batch_size=4), [0, 3])
    responses, reads = fused.run(SYSTEM, QUESTIONS, RECIPES)
    assert all(0 < len(r) <= 7 for r in responses)
    reference = sorted(_separate(tiny_lm, responses), key=lambda x: (x[0].recipe, x[0].question))
    assert [r for r, _ in reads] == [r for r, _ in reference]  # same recipes, same positions
    for (_, a), (_, b) in zip(reads, reference):
        assert a.shape == (2, 64)
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-4)


def test_responses_that_stop_at_once_are_empty_and_skip_b(tiny_lm, monkeypatch):
    fused = FusedHF(tiny_lm, GenerationConfig(max_new_tokens=5, batch_size=8), [3])
    fused.stops = set(range(len(tiny_lm.tokenizer)))  # every token ends the response
    responses, reads = fused.run(SYSTEM, QUESTIONS, RECIPES)
    assert responses == [[] for _ in QUESTIONS]
    assert {r.recipe for r, _ in reads} == {"A", "C2", "C3"}

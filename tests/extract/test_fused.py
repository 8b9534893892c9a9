"""Capture during greedy decoding equals the separate pass over prompt + response ids."""

from __future__ import annotations

import numpy as np

from persona_atlas.config import GenerationConfig
from persona_atlas.extract import fused as fused_module
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


def _assert_equals_separate(lm, responses, reads):
    reference = sorted(_separate(lm, responses), key=lambda x: (x[0].recipe, x[0].question))
    assert [r for r, _ in reads] == [r for r, _ in reference]  # same recipes, same positions
    for (_, a), (_, b) in zip(reads, reference):
        assert a.dtype == np.float32 and a.shape == (2, 64)
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-4)


def test_fused_reads_equal_separate_pass(tiny_lm):
    fused = FusedHF(tiny_lm, GenerationConfig(max_new_tokens=7, batch_size=4), [0, 3])
    responses, reads = fused.run(SYSTEM, QUESTIONS, RECIPES)
    assert all(0 < len(r) <= 7 for r in responses)
    _assert_equals_separate(tiny_lm, responses, reads)


def test_rows_that_stop_at_different_steps_pool_only_their_response(tiny_lm):
    """B sums a row's decode steps only until its stop token, while other rows go on."""
    cfg = GenerationConfig(max_new_tokens=7, batch_size=8)
    free, _ = FusedHF(tiny_lm, cfg, [0, 3]).run(SYSTEM, QUESTIONS, RECIPES)
    fused = FusedHF(tiny_lm, cfg, [0, 3])
    fused.stops |= {free[0][2], free[3][5]}  # two rows now stop early, at different steps
    responses, reads = fused.run(SYSTEM, QUESTIONS, RECIPES)
    lengths = [len(r) for r in responses]
    assert lengths[0] <= 2 and lengths[3] <= 5 and max(lengths) == 7
    assert len(set(lengths)) > 2
    _assert_equals_separate(tiny_lm, responses, reads)


def test_generation_batches_respect_the_token_budget(tiny_lm, monkeypatch):
    shapes: list[tuple[int, int, int]] = []
    real = fused_module.greedy_generate

    def recording(lm, batch, max_new_tokens, pad_id, stops):
        shapes.append((*batch.input_ids.shape, max_new_tokens))
        return real(lm, batch, max_new_tokens, pad_id, stops)

    monkeypatch.setattr(fused_module, "greedy_generate", recording)
    cfg = GenerationConfig(max_new_tokens=7, batch_size=3)
    budget = 160  # prompts are 44..71 tokens: two or three rows of (prompt + 8) fit
    responses, reads = FusedHF(tiny_lm, cfg, [0, 3]).run(SYSTEM, QUESTIONS, RECIPES, budget)
    assert sum(rows for rows, _, _ in shapes) == len(QUESTIONS)
    for rows, width, steps in shapes:
        assert steps == cfg.max_new_tokens + 1
        assert rows <= cfg.batch_size and rows * (width + steps) <= budget
    assert len(shapes) > 2 and max(rows for rows, _, _ in shapes) > 1
    widths = [width for _, width, _ in shapes]
    assert widths == sorted(widths, reverse=True)  # length-sorted, longest first
    _assert_equals_separate(tiny_lm, responses, reads)
    # the budget changes how prompts are grouped, not what comes out
    shapes.clear()
    unbounded, _ = FusedHF(tiny_lm, cfg, [0, 3]).run(SYSTEM, QUESTIONS, RECIPES)
    assert unbounded == responses and [r for r, _, _ in shapes] == [3, 3]


def test_responses_that_stop_at_once_are_empty_and_skip_b(tiny_lm, monkeypatch):
    fused = FusedHF(tiny_lm, GenerationConfig(max_new_tokens=5, batch_size=8), [3])
    fused.stops = set(range(len(tiny_lm.tokenizer)))  # every token ends the response
    responses, reads = fused.run(SYSTEM, QUESTIONS, RECIPES)
    assert responses == [[] for _ in QUESTIONS]
    assert {r.recipe for r, _ in reads} == {"A", "C2", "C3"}


def test_b_alone_needs_no_prompt_reads(tiny_lm):
    fused = FusedHF(tiny_lm, GenerationConfig(max_new_tokens=4, batch_size=8), [0, 3])
    responses, reads = fused.run(SYSTEM, QUESTIONS, ["B"])
    assert [r.recipe for r, _ in reads] == ["B"] * len(QUESTIONS)
    works = plan_persona(tiny_lm.tokenizer, SYSTEM, QUESTIONS, ["B"], responses)
    capture = Capture(tiny_lm.model, tiny_lm.blocks, [0, 3])
    reference = capture.pooled(works, budget=1, pad_id=0, side="right", device="cpu")
    for (ra, a), (rb, b) in zip(reads, reference):
        assert ra == rb
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-4)

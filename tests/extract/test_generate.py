"""Greedy responses for recipe B: batched generate = one at a time; ids cut at the stop."""

from __future__ import annotations

from persona_atlas.config import GenerationConfig
from persona_atlas.extract import template
from persona_atlas.extract.generate import HFGenerator
from persona_atlas.extract.greedy import cut_at_stop, stop_ids
from tests.extract.conftest import QUESTIONS


def test_cut_at_stop():
    assert cut_at_stop([5, 6, 2, 7, 2], {2}) == [5, 6]
    assert cut_at_stop([2, 5], {2}) == []
    assert cut_at_stop([5, 6], {2}) == [5, 6]


def test_stop_ids_include_the_end_of_turn(tiny_lm):
    assert tiny_lm.tokenizer.convert_tokens_to_ids("<|im_end|>") in stop_ids(tiny_lm)


def test_batched_greedy_equals_one_at_a_time(tiny_lm):
    prompts = [
        template.layout(tiny_lm.tokenizer, "You are a pirate.", q, need_close=False).ids
        for q in QUESTIONS
    ]
    batched = HFGenerator(tiny_lm, GenerationConfig(max_new_tokens=6, batch_size=8))
    single = HFGenerator(tiny_lm, GenerationConfig(max_new_tokens=6, batch_size=1))
    out = batched.generate(prompts)
    assert out == single.generate(prompts)
    assert all(len(ids) <= 6 for ids in out) and any(out)
    stops = stop_ids(tiny_lm)
    assert not any(t in stops for ids in out for t in ids)


def test_generate_batches_respect_the_token_budget(tiny_lm, monkeypatch):
    from persona_atlas.extract import generate

    shapes: list[tuple[int, int]] = []
    real = generate.greedy_generate

    def recording(lm, batch, max_new_tokens, pad_id, stops):
        shapes.append(tuple(batch.input_ids.shape))
        return real(lm, batch, max_new_tokens, pad_id, stops)

    monkeypatch.setattr(generate, "greedy_generate", recording)
    prompts = [
        template.layout(tiny_lm.tokenizer, "You are a pirate.", q, need_close=False).ids
        for q in QUESTIONS
    ]
    gen = HFGenerator(tiny_lm, GenerationConfig(max_new_tokens=6, batch_size=4))
    out = gen.generate(prompts, budget=150)
    assert sum(rows for rows, _ in shapes) == len(prompts) and len(shapes) > 2
    assert all(rows <= 4 and rows * (width + 7) <= 150 for rows, width in shapes)
    shapes.clear()
    assert gen.generate(prompts) == out and [rows for rows, _ in shapes] == [4, 2]

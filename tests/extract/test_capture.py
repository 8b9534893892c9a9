"""Hooks on the requested blocks: the layer convention, early stop, batch = one at a time."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from persona_atlas.errors import ConfigError
from persona_atlas.extract.capture import Capture
from persona_atlas.extract.recipes import plan_persona
from tests.extract.conftest import PERSONAS, QUESTIONS

ALL = ["A", "B", "B*", "B*_no_last", "C1", "C2", "C3"]


def _one(lm, ids):
    t = torch.tensor([ids])
    return t, torch.ones_like(t), torch.arange(len(ids))[None]


def test_layer_l_is_hidden_states_l_plus_1(tiny_lm):
    ids = tiny_lm.tokenizer("Why is the sky blue?")["input_ids"]
    x, mask, pos = _one(tiny_lm, ids)
    with torch.no_grad():
        ref = tiny_lm.model(x, output_hidden_states=True).hidden_states  # 5 = embeddings + 4
    got = Capture(tiny_lm.model, tiny_lm.blocks, [0, 1, 2, 3]).hidden(x, mask, pos)
    for layer in range(3):
        torch.testing.assert_close(got[layer], ref[layer + 1], rtol=0, atol=1e-5)
    # the last block is captured before the final norm; HF's last entry is after it
    assert not torch.allclose(got[3], ref[4], atol=1e-3)
    torch.testing.assert_close(tiny_lm.model.model.norm(got[3]), ref[4], rtol=0, atol=1e-5)


def test_forward_stops_after_the_deepest_requested_block(tiny_lm):
    calls: list[str] = []
    hooks = [
        tiny_lm.blocks[i].register_forward_hook(lambda *_, i=i: calls.append(f"block{i}"))
        for i in range(4)
    ]
    hooks.append(tiny_lm.model.lm_head.register_forward_hook(lambda *_: calls.append("lm_head")))
    try:
        ids = tiny_lm.tokenizer("Hello there")["input_ids"]
        out = Capture(tiny_lm.model, tiny_lm.blocks, [1, 0]).hidden(*_one(tiny_lm, ids))
    finally:
        for h in hooks:
            h.remove()
    assert calls == ["block0", "block1"]
    assert [o.shape for o in out] == [(1, len(ids), 64)] * 2


def test_layer_beyond_the_model_is_a_config_error(tiny_lm):
    with pytest.raises(ConfigError, match="layer 4 requested but the model has 4 blocks"):
        Capture(tiny_lm.model, tiny_lm.blocks, [0, 4])


@pytest.mark.parametrize("side", ["left", "right"])
def test_batched_equals_one_at_a_time(tiny_lm, side):
    capture = Capture(tiny_lm.model, tiny_lm.blocks, [0, 2, 3])
    responses = [[40 + i] * (i % 3 + 1) for i in range(len(QUESTIONS))]
    works = []
    for system in list(PERSONAS.values())[:3]:
        works += plan_persona(tiny_lm.tokenizer, system, QUESTIONS, ALL, responses)
    lengths = {len(w.ids) for w in works}
    assert len(lengths) > 3  # padding really happens

    def run(budget):
        return capture.pooled(
            works, budget=budget, pad_id=tiny_lm.tokenizer.pad_token_id, side=side, device="cpu"
        )

    single, batched = run(1), run(10_000)
    assert [r for r, _ in single] == [r for r, _ in batched]
    for (_, a), (_, b) in zip(single, batched):
        assert a.dtype == np.float32 and a.shape == (3, 64)
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-4)  # fp32 reduction order


def test_pooled_means_are_the_right_positions(tiny_lm):
    """B* is exactly the mean of the prompt positions of the same pass; A is the last one."""
    capture = Capture(tiny_lm.model, tiny_lm.blocks, [2])
    works = plan_persona(tiny_lm.tokenizer, "You are a chef.", QUESTIONS[:1], ALL, [[41, 42]])
    got = {
        r.recipe: v
        for r, v in capture.pooled(works, budget=4096, pad_id=0, side="right", device="cpu")
    }
    ids = works[0].ids
    (h,) = capture.hidden(*_one(tiny_lm, ids))  # [1, T, 64]
    h = h[0].numpy()
    n = len(ids) - 2
    np.testing.assert_allclose(got["A"][0], h[n - 1], atol=1e-5)
    np.testing.assert_allclose(got["B"][0], h[n:].mean(0), atol=1e-5)
    np.testing.assert_allclose(got["B*"][0], h[:n].mean(0), atol=1e-5)
    np.testing.assert_allclose(got["B*_no_last"][0], h[: n - 1].mean(0), atol=1e-5)

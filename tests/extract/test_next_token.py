"""Next-token JS geometry at recipe A: the head at the last prompt token, the JS matrix."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch

from persona_atlas.extract import runner
from persona_atlas.extract.capture import Capture
from persona_atlas.extract.next_token import cosine_matrix, js_divergence_matrix
from persona_atlas.extract.recipes import plan_persona
from persona_atlas.files import sha256_file
from tests.extract.conftest import PERSONAS, QUESTIONS


def _direct_js(p: np.ndarray, q: np.ndarray) -> float:
    m = 0.5 * (p + q)
    return float(0.5 * (p * np.log(p / m)).sum() + 0.5 * (q * np.log(q / m)).sum())


def test_logprobs_are_the_full_forward_at_the_last_prompt_token(tiny_lm):
    capture = Capture(tiny_lm.model, tiny_lm.blocks, [0, 2], next_token=True)
    works = plan_persona(tiny_lm.tokenizer, "You are a chef.", QUESTIONS, ["A"], None)
    pad_id = tiny_lm.tokenizer.pad_token_id
    capture.pooled(works, budget=64, pad_id=pad_id, side="right", device="cpu")
    assert sorted(capture.next_token_logprobs) == list(range(len(QUESTIONS)))
    for q, work in enumerate(works):
        with torch.inference_mode():
            logits = tiny_lm.model(torch.tensor([work.ids])).logits[0, -1].double()
        want = torch.log_softmax(logits, -1).numpy()
        np.testing.assert_allclose(capture.next_token_logprobs[q], want, atol=1e-5)


def test_lm_head_never_runs_on_every_position(tiny_lm):
    rows = []
    hook = tiny_lm.model.lm_head.register_forward_hook(lambda _m, i, _o: rows.append(i[0].shape))
    try:
        capture = Capture(tiny_lm.model, tiny_lm.blocks, [1], next_token=True)
        works = plan_persona(tiny_lm.tokenizer, "You are a chef.", QUESTIONS[:2], ["A"], None)
        pad = tiny_lm.tokenizer.pad_token_id
        capture.pooled(works, budget=512, pad_id=pad, side="left", device="cpu")
    finally:
        hook.remove()
    assert rows == [torch.Size([2, tiny_lm.hidden_size])]  # one row per question, once


def test_js_matrix_equals_direct_computation_and_is_bounded():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(4, 3, 7)) * 3
    logits[3] = logits[0]  # an identical persona: JS exactly 0
    lp = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    js = js_divergence_matrix(lp)
    p = np.exp(lp)
    for i in range(4):
        for j in range(4):
            want = np.mean([_direct_js(p[i, q], p[j, q]) for q in range(3)])
            assert js[i, j] == pytest.approx(want, abs=1e-12)
    assert np.array_equal(js, js.T) and np.all(np.diag(js) == 0)
    assert js[0, 3] == pytest.approx(0, abs=1e-15)
    assert js.min() >= 0 and js.max() <= math.log(2)


def test_disjoint_supports_reach_ln2():
    with np.errstate(divide="ignore"):  # zero probabilities: 0 log 0 = 0
        lp = np.log(np.array([[[1.0, 0.0]], [[0.0, 1.0]]]))
    js = js_divergence_matrix(lp)
    assert js[0, 1] == pytest.approx(math.log(2))


def test_cosine_matrix():
    x = np.array([[1.0, 0.0], [0.0, 2.0], [3.0, 3.0]])
    got = cosine_matrix(x)
    assert got[0, 1] == pytest.approx(0) and got[0, 2] == pytest.approx(math.sqrt(0.5))
    assert np.allclose(np.diag(got), 1)


def test_extract_writes_the_geometry_files_with_their_hashes(experiment):
    cfg = experiment(recipes=["A"], next_token_js=True)
    run = runner.run_extract(cfg)
    out = cfg.parent / "out"
    refs = {r.path.split("/")[-1]: r for r in run.outputs}
    for name in ("js_matrix.json", "cosine_layer_0.json", "cosine_layer_3.json"):
        assert refs[name].sha256 == sha256_file(out / "geometry" / name)
    doc = json.loads((out / "geometry" / "js_matrix.json").read_text())
    js = np.array(doc["matrix"])
    assert doc["labels"] == list(PERSONAS) and doc["measure"] == "distance"
    assert np.array_equal(js, js.T) and np.all(np.diag(js) == 0)
    assert js.min() >= 0 and js.max() <= math.log(2) and js[0, 1] > 0
    cos = json.loads((out / "geometry" / "cosine_layer_2.json").read_text())
    assert cos["measure"] == "similarity" and np.allclose(np.diag(cos["matrix"]), 1)


def test_needs_recipe_a(experiment):
    from persona_atlas.config import load_config
    from persona_atlas.errors import ConfigError

    cfg = load_config(experiment(recipes=["C1"], next_token_js=True)).extract
    assert cfg is not None
    with pytest.raises(ConfigError, match="needs recipe A"):
        runner.next_token_js(cfg)

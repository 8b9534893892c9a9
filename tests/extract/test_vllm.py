"""The vLLM backend without vLLM: a fake ``vllm`` module records what it is asked for.

Checks which backend ``make_generator`` picks, that vLLM gets token-id prompts, greedy
sampling, the token limit and the stop ids, and that its token ids reach the capture as is.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import types
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest
import torch

from persona_atlas.config import ExtractConfig, GenerationConfig
from persona_atlas.errors import MissingDependencyError
from persona_atlas.extract import template
from persona_atlas.extract.capture import Capture
from persona_atlas.extract.fused import FusedHF
from persona_atlas.extract.generate import (
    HFGenerator,
    VLLMGenerator,
    make_generator,
    weights_folder,
)
from persona_atlas.extract.greedy import stop_ids
from persona_atlas.extract.persona import run_persona
from persona_atlas.extract.runinfo import Clock
from persona_atlas.extract.runner import run_extract
from tests.extract.conftest import QUESTIONS

SYSTEM = "You are a pirate who sails the seven seas."


class FakeLLM:
    """Stands in for ``vllm.LLM``: answers prompt i with ``script(i)``, records every call."""

    made: ClassVar[list[FakeLLM]] = []
    script = staticmethod(lambda i, eos: [40 + i, 41 + i, eos, 99])

    def __init__(self, **kwargs):
        self.kwargs, self.calls = kwargs, []
        FakeLLM.made.append(self)

    def generate(self, prompts, params, use_tqdm=True):
        self.calls.append({"prompts": prompts, "params": params, "use_tqdm": use_tqdm})
        eos = params.kwargs["stop_token_ids"][0]
        return [
            types.SimpleNamespace(outputs=[types.SimpleNamespace(token_ids=self.script(i, eos))])
            for i in range(len(prompts))
        ]


class FakeSamplingParams:
    def __init__(self, **kwargs):
        self.kwargs = kwargs


@pytest.fixture
def fake_vllm(monkeypatch):
    module = types.ModuleType("vllm")
    module.LLM, module.SamplingParams = FakeLLM, FakeSamplingParams
    monkeypatch.setitem(sys.modules, "vllm", module)
    monkeypatch.setattr(FakeLLM, "made", [])
    return module


@pytest.fixture
def no_vllm(monkeypatch):
    monkeypatch.setitem(sys.modules, "vllm", None)  # `import vllm` raises ImportError


def _cuda(monkeypatch, present: bool) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: present)


def test_auto_picks_vllm_when_installed_and_cuda_is_present(tiny_lm, fake_vllm, monkeypatch):
    _cuda(monkeypatch, True)
    cfg = GenerationConfig(max_new_tokens=9, vllm_gpu_memory_utilization=0.3)
    gen = make_generator(tiny_lm, cfg, "bfloat16", 7, layers=[0, 3])
    assert isinstance(gen, VLLMGenerator) and gen.name == "vllm"
    (llm,) = FakeLLM.made
    assert llm.kwargs == {
        "model": str(tiny_lm.path),  # the folder the capture model loaded
        "dtype": "bfloat16",
        "seed": 7,
        "gpu_memory_utilization": 0.3,
    }


def test_auto_falls_back_to_hf_without_cuda_or_without_vllm(tiny_lm, fake_vllm, monkeypatch):
    _cuda(monkeypatch, False)
    assert isinstance(make_generator(tiny_lm, GenerationConfig(), "float32", 0, [3]), FusedHF)
    no_fused = GenerationConfig(capture_during_generation=False)
    assert isinstance(make_generator(tiny_lm, no_fused, "float32", 0, [3]), HFGenerator)
    assert isinstance(make_generator(tiny_lm, GenerationConfig(), "float32", 0), HFGenerator)
    _cuda(monkeypatch, True)
    monkeypatch.setitem(sys.modules, "vllm", None)
    assert isinstance(make_generator(tiny_lm, GenerationConfig(), "float32", 0, [3]), FusedHF)
    assert FakeLLM.made == []


def test_configured_backend_is_honoured(tiny_lm, fake_vllm, monkeypatch):
    _cuda(monkeypatch, True)  # auto would pick vLLM; hf was asked for
    hf = GenerationConfig(backend="hf")
    assert isinstance(make_generator(tiny_lm, hf, "float32", 0, [3]), FusedHF)
    _cuda(monkeypatch, False)  # vLLM was asked for: no second-guessing (it has a CPU build)
    vllm = GenerationConfig(backend="vllm")
    assert isinstance(make_generator(tiny_lm, vllm, "float32", 0, [3]), VLLMGenerator)
    assert len(FakeLLM.made) == 1


def test_vllm_requested_but_missing_says_what_to_install(tiny_lm, no_vllm):
    with pytest.raises(MissingDependencyError, match="needs vllm") as err:
        make_generator(tiny_lm, GenerationConfig(backend="vllm"), "float32", 0, [3])
    assert "pip install 'persona-atlas[vllm]'" in str(err.value)


def test_vllm_gets_token_ids_greedy_and_the_stop_ids(tiny_lm, fake_vllm):
    gen = VLLMGenerator(tiny_lm, GenerationConfig(max_new_tokens=5), "float32", 0)
    lay = [template.layout(tiny_lm.tokenizer, SYSTEM, q, need_close=False) for q in QUESTIONS]
    prompts = [x.ids for x in lay]
    out = gen.generate(prompts, budget=10)  # vLLM schedules its own batches
    (call,) = FakeLLM.made[0].calls
    assert call["prompts"] == [{"prompt_token_ids": p} for p in prompts]  # no text, no re-tokenise
    assert call["params"].kwargs == {
        "temperature": 0.0,
        "repetition_penalty": 1.0,  # greedy applies penalties too: the same argmax as HF
        "presence_penalty": 0.0,
        "frequency_penalty": 0.0,
        "max_tokens": 5,
        "stop_token_ids": sorted(stop_ids(tiny_lm)),
        "detokenize": False,
    }
    assert call["use_tqdm"] is False
    assert out == [[40 + i, 41 + i] for i in range(len(QUESTIONS))]  # cut at the stop


def test_hub_ids_resolve_to_the_cached_snapshot_vllm_loads(tiny_lm, fake_vllm, monkeypatch):
    import huggingface_hub

    asked = {}

    def snapshot(repo_id, **kw):
        asked.update(repo_id=repo_id, **kw)
        return "/cache/models--org--name/snapshots/abc123"

    monkeypatch.setattr(huggingface_hub, "snapshot_download", snapshot)
    hub_lm = dataclasses.replace(tiny_lm, path="org/name", revision="abc123")
    assert weights_folder(hub_lm) == "/cache/models--org--name/snapshots/abc123"
    assert asked == {"repo_id": "org/name", "revision": "abc123", "local_files_only": True}
    assert weights_folder(tiny_lm) == tiny_lm.path  # a folder is used as is


def test_vllm_token_ids_go_into_the_capture_unchanged(tiny_lm, fake_vllm, monkeypatch, tmp_path):
    eos = tiny_lm.tokenizer.eos_token_id
    monkeypatch.setattr(
        FakeLLM, "script", staticmethod(lambda i, _: [eos] if i == 1 else [50 + i, 60, 70, eos, 9])
    )
    cfg = ExtractConfig(
        model=str(tiny_lm.path),
        personas=tmp_path / "p.yaml",
        questions=tmp_path / "q.yaml",
        recipes=["A", "B", "B*"],
        layers=[0, 3],
        out_dir=tmp_path,
        generation=GenerationConfig(backend="vllm", max_new_tokens=4),
    )
    gen = make_generator(tiny_lm, cfg.generation, "float32", 0, cfg.layers)
    capture = Capture(tiny_lm.model, tiny_lm.blocks, cfg.layers)
    questions = {f"q{i}": q for i, q in enumerate(QUESTIONS[:3])}
    result = run_persona(
        tiny_lm,
        capture,
        gen,
        cfg,
        name="p",
        index=0,
        system=SYSTEM,
        questions=questions,
        clock=Clock(),
    )
    assert [r["token_ids"] for r in result.responses] == [[50, 60, 70], [], [52, 60, 70]]
    assert result.valid["B"].tolist() == [True, False, True]  # the empty one is excluded
    prompt = template.layout(tiny_lm.tokenizer, SYSTEM, QUESTIONS[2], need_close=False).ids
    ids = torch.tensor([[*prompt, 52, 60, 70]])
    hs = capture.hidden(ids, torch.ones_like(ids), torch.arange(ids.shape[1])[None])
    expected = np.stack([h[0, len(prompt) :].mean(0).numpy() for h in hs])  # [L, H]
    np.testing.assert_allclose(result.vectors["B"][2], expected, rtol=1e-5, atol=1e-5)


def test_run_records_the_vllm_backend(experiment, fake_vllm, tmp_path):
    cfg = experiment(generation={"backend": "vllm", "max_new_tokens": 4})
    run = run_extract(cfg, progress=False)
    assert run is not None and run.generation.backend == "vllm"
    lines = (tmp_path / "out" / "responses.jsonl").read_text().splitlines()
    assert json.loads(lines[0])["token_ids"] == [40, 41]
    assert Path(FakeLLM.made[0].kwargs["model"]).is_dir()

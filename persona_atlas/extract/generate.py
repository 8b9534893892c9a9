"""Greedy responses for recipe B: vLLM on GPU machines, transformers ``generate`` otherwise.

Both return token ids, which go straight into the capture pass: no decode/re-tokenise drift.
A response stops before its first stop token (EOS / end of turn); a response that stops at
once is empty and is excluded from B, B* and B*_no_last alike. The greedy decoding the
transformers backends share is `persona_atlas.extract.greedy`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from persona_atlas.config import GenerationConfig
from persona_atlas.extract.batching import pad
from persona_atlas.extract.deps import available, require
from persona_atlas.extract.fused import FusedHF
from persona_atlas.extract.greedy import cut_at_stop, generation_batches, greedy_generate, stop_ids
from persona_atlas.extract.models import LoadedModel


class Generator(Protocol):
    name: str

    def generate(
        self, prompts: Sequence[Sequence[int]], budget: int | None = None
    ) -> list[list[int]]: ...


class HFGenerator:
    """Batched greedy ``generate`` with left padding (decoder-only models need it)."""

    name = "hf"

    def __init__(self, lm: LoadedModel, cfg: GenerationConfig) -> None:
        self.lm, self.cfg, self.stops = lm, cfg, stop_ids(lm)

    def generate(
        self, prompts: Sequence[Sequence[int]], budget: int | None = None
    ) -> list[list[int]]:
        """Responses in prompt order; batches as ``generation_batches`` plans them."""
        torch = require("torch")
        out: dict[int, list[int]] = {}
        pad_id = self.lm.tokenizer.pad_token_id
        steps = self.cfg.max_new_tokens + 1  # the fused path's rule, so one budget means one thing
        for chunk in generation_batches(prompts, self.cfg, budget, steps):
            batch = pad([prompts[i] for i in chunk], pad_id, "left", self.lm.device)
            with torch.inference_mode():
                gen = greedy_generate(self.lm, batch, self.cfg.max_new_tokens, pad_id, self.stops)
            new = gen[:, batch.input_ids.shape[1] :].tolist()
            for i, ids in zip(chunk, new):
                out[i] = cut_at_stop(ids, self.stops)
        return [out[i] for i in range(len(prompts))]


def weights_folder(lm: LoadedModel) -> str:
    """The local folder the capture model's weights came from, for vLLM to load too.

    A hub id is resolved in the local Hugging Face cache at the revision transformers loaded:
    given the bare id, vLLM could download, or pick up a newer revision than the capture model.
    """
    if Path(lm.path).is_dir():
        return lm.path
    hub = require("huggingface_hub")
    return str(hub.snapshot_download(lm.path, revision=lm.revision, local_files_only=True))


class VLLMGenerator:
    """vLLM, greedy (``temperature=0``), on the weights folder the capture model loaded.

    Prompts go in as token ids and token ids come back (no detokenising), stopping at the
    same stop ids as the transformers backend.
    """

    name = "vllm"

    def __init__(self, lm: LoadedModel, cfg: GenerationConfig, dtype: str, seed: int) -> None:
        vllm = require("vllm")
        self.stops = stop_ids(lm)
        self.llm = vllm.LLM(
            model=weights_folder(lm),
            dtype=dtype,
            seed=seed,
            gpu_memory_utilization=cfg.vllm_gpu_memory_utilization,
        )
        self.params = vllm.SamplingParams(
            temperature=0.0,
            repetition_penalty=1.0,  # explicit: greedy decoding still applies a penalty
            presence_penalty=0.0,
            frequency_penalty=0.0,
            max_tokens=cfg.max_new_tokens,
            stop_token_ids=sorted(self.stops),  # the same ids as HF, whatever vLLM reads
            detokenize=False,
        )

    def generate(
        self, prompts: Sequence[Sequence[int]], budget: int | None = None
    ) -> list[list[int]]:
        """Responses in prompt order; vLLM schedules its own batches (``budget`` unused)."""
        outs = self.llm.generate(
            [{"prompt_token_ids": list(p)} for p in prompts], self.params, use_tqdm=False
        )
        return [cut_at_stop(o.outputs[0].token_ids, self.stops) for o in outs]


def make_generator(
    lm: LoadedModel,
    cfg: GenerationConfig,
    dtype: str,
    seed: int,
    layers: Sequence[int] | None = None,
) -> Any:
    """``auto`` picks vLLM when it is installed and a GPU is present. With ``layers`` and
    ``capture_during_generation``, the transformers backend also captures (``FusedHF``)."""
    torch = require("torch")
    backend = cfg.backend
    if backend == "auto":
        backend = "vllm" if available("vllm") and torch.cuda.is_available() else "hf"
    if backend == "vllm":
        return VLLMGenerator(lm, cfg, dtype, seed)
    if layers is not None and cfg.capture_during_generation:
        return FusedHF(lm, cfg, layers)
    return HFGenerator(lm, cfg)


def decode(lm: LoadedModel, ids: Sequence[int]) -> str:
    return str(lm.tokenizer.decode(list(ids), skip_special_tokens=True))

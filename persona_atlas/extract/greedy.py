"""Greedy decoding on the transformers backends, shared by `HFGenerator` and `FusedHF`.

Pure argmax decoding whatever the model's generation config says, batches planned by token
budget, and responses cut before their first stop token: one definition of recipe B's
responses for the separate and the fused capture alike.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from persona_atlas.config import GenerationConfig
from persona_atlas.extract.batching import plan_batches
from persona_atlas.extract.deps import require
from persona_atlas.extract.models import LoadedModel


def generation_batches(
    prompts: Sequence[Sequence[int]], cfg: GenerationConfig, budget: int | None, steps: int
) -> list[list[int]]:
    """Prompt indices per ``generate`` call, longest prompts first.

    At most ``cfg.batch_size`` rows, and with a ``budget`` at most ``rows × (longest prompt
    + steps) ≤ budget`` tokens: the width the KV cache (and the fused capture) grows to.
    """
    lengths = [len(p) + steps for p in prompts]
    return plan_batches(lengths, budget or sys.maxsize, cfg.batch_size)  # no budget: rows only


def stop_ids(lm: LoadedModel) -> set[int]:
    ids: set[int] = set()
    for source in (getattr(lm.model, "generation_config", None), lm.model.config):
        eos = getattr(source, "eos_token_id", None)
        ids.update([eos] if isinstance(eos, int) else (eos or []))
    if lm.tokenizer.eos_token_id is not None:
        ids.add(lm.tokenizer.eos_token_id)
    return ids


def cut_at_stop(ids: Sequence[int], stops: set[int]) -> list[int]:
    out = []
    for t in ids:
        if t in stops:
            break
        out.append(int(t))
    return out


@contextmanager
def plain_generation_config(model: Any) -> Iterator[None]:
    """The library's default generation settings in place of the model's, for one call.

    ``generate`` fills every setting a call leaves unset from ``model.generation_config``, so
    a model that ships ``repetition_penalty: 1.05`` (Qwen2.5-Instruct), ``no_repeat_ngram_size``
    or ``suppress_tokens`` would bend "greedy" through a logits processor. With the defaults
    no processor applies; the model's own config is put back afterwards.
    """
    require("transformers")
    from transformers import GenerationConfig as HFGenerationConfig

    saved = model.generation_config
    model.generation_config = HFGenerationConfig()
    try:
        yield
    finally:
        model.generation_config = saved


def greedy_generate(
    lm: LoadedModel, batch: Any, max_new_tokens: int, pad_id: int, stops: set[int]
) -> Any:
    """Pure greedy ``generate`` (argmax at every step) on a left-padded batch: ``[B, T + new]``.

    The model's generation config is not consulted (no sampling, penalty, n-gram ban, token
    suppression or minimum length), so recipe B's responses are the same argmax decoding as
    vLLM's (``temperature=0``, ``repetition_penalty=1``) on every backend.
    """
    with plain_generation_config(lm.model):
        return lm.model.generate(
            input_ids=batch.input_ids,
            attention_mask=batch.attention_mask,
            max_new_tokens=max_new_tokens,
            do_sample=False,
            num_beams=1,
            pad_token_id=pad_id,
            eos_token_id=sorted(stops),
        )

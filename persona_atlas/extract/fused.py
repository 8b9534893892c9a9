"""Recipe B's generation and the question recipes' capture in one go (transformers backend).

Greedy decoding with a KV cache *is* a causal forward pass over prompt + response ids, run
incrementally: the prefill computes every prompt position (A, B*, B*_no_last, C2/C3), and
decode step s feeds response token s−1, so its block outputs are that token's hidden states
(B). Hooks record the requested layers along the way, which saves the second pass over
prompt + response that a separate capture needs. One extra decode step makes the last
response token's states available. ``--smoke`` checks the result against the separate,
one-sequence-at-a-time pass (the reference definition).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from persona_atlas.config import GenerationConfig
from persona_atlas.extract.batching import pad
from persona_atlas.extract.deps import require
from persona_atlas.extract.generate import cut_at_stop, greedy_generate, stop_ids
from persona_atlas.extract.models import LoadedModel
from persona_atlas.extract.recipes import Read, prompt_layouts


class FusedHF:
    """Batched greedy ``generate`` that pools the question recipes on the way."""

    name = "hf"

    def __init__(self, lm: LoadedModel, cfg: GenerationConfig, layers: Sequence[int]) -> None:
        self.lm, self.cfg, self.layers = lm, cfg, list(layers)
        self.stops = stop_ids(lm)

    def run(
        self, system: str, questions: Sequence[str], recipes: Sequence[str]
    ) -> tuple[list[list[int]], list[tuple[Read, np.ndarray]]]:
        """Responses (token ids) and the pooled reads of every recipe except C1."""
        lays = prompt_layouts(self.lm.tokenizer, system, questions, recipes)
        order = sorted(range(len(lays)), key=lambda i: (-len(lays[i].ids), i))
        responses: dict[int, list[int]] = {}
        reads: list[tuple[Read, np.ndarray]] = []
        for start in range(0, len(order), self.cfg.batch_size):
            chunk = order[start : start + self.cfg.batch_size]
            prompts = [lays[i].ids for i in chunk]
            prefill, steps, new, offsets = self._generate(prompts)
            for b, qi in enumerate(chunk):
                resp = cut_at_stop(new[b][: self.cfg.max_new_tokens], self.stops)
                responses[qi] = resp
                off = offsets[b]  # left padding
                close = lays[qi].close if qi == 0 else None
                reads += self._pool(b, qi, off, len(prompts[b]), resp, close, prefill, steps)
        reads.sort(key=lambda x: (x[0].recipe, x[0].question))
        wanted = set(recipes)
        return [responses[i] for i in range(len(lays))], [x for x in reads if x[0].recipe in wanted]

    def _generate(
        self, prompts: list[list[int]]
    ) -> tuple[list[Any], list[Any], list[list[int]], list[int]]:
        """Run generate with hooks; block outputs of the prefill and of each decode step."""
        torch = require("torch")
        lm = self.lm
        pad_id = lm.tokenizer.pad_token_id
        batch = pad(prompts, pad_id, "left", lm.device)
        calls: dict[int, list[Any]] = {layer: [] for layer in self.layers}

        def hook(layer: int) -> Any:
            def record(_m: Any, _i: Any, output: Any) -> None:
                out = output[0] if isinstance(output, tuple) else output
                calls[layer].append(out.float())  # [B, T, H] prefill, then [B, 1, H] per step

            return record

        handles = [lm.blocks[layer].register_forward_hook(hook(layer)) for layer in self.layers]
        try:
            with torch.inference_mode():
                # +1 step feeds the last response token through the blocks too
                gen = greedy_generate(lm, batch, self.cfg.max_new_tokens + 1, pad_id, self.stops)
        finally:
            for h in handles:
                h.remove()
        prefill = [calls[layer][0] for layer in self.layers]  # L × [B, T, H]
        steps = [  # L × [B, S, H]; S = 0 when every response ended at once
            torch.cat(calls[layer][1:], 1) if len(calls[layer]) > 1 else prefill[i][:, :0]
            for i, layer in enumerate(self.layers)
        ]
        return prefill, steps, gen[:, batch.input_ids.shape[1] :].tolist(), batch.offsets

    def _pool(
        self,
        b: int,
        qi: int,
        off: int,
        n: int,
        resp: list[int],
        close: int | None,
        prefill: list[Any],
        steps: list[Any],
    ) -> list[tuple[Read, np.ndarray]]:
        torch = require("torch")
        spans: dict[str, tuple[int, int]] = {"A": (n - 1, n)}
        if resp:  # empty responses are excluded from B, B* and B*_no_last alike
            spans |= {"B*": (0, n), "B*_no_last": (0, n - 1)}
        if close is not None:
            spans |= {"C2": (close, close + 1), "C3": (close + 1, close + 2)}
        out = []
        for recipe, (lo, hi) in spans.items():
            vec = torch.stack([h[b, off + lo : off + hi].mean(0) for h in prefill])  # [L, H]
            out.append(
                (Read(recipe, 0 if close is not None and recipe[0] == "C" else qi, lo, hi), vec)
            )
        if resp:
            r = len(resp)
            assert steps[0].shape[1] >= r, "generate stopped before feeding the response"
            vec = torch.stack([h[b, :r].mean(0) for h in steps])  # [L, H]
            out.append((Read("B", qi, n, n + r), vec))
        return [(read, v.cpu().numpy()) for read, v in out]

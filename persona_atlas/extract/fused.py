"""Recipe B's generation and the question recipes' capture in one go (transformers backend).

Greedy decoding with a KV cache *is* a causal forward pass over prompt + response ids, run
incrementally: the prefill computes every prompt position (A, B*, B*_no_last, C2/C3), and
decode step s feeds response token s−1, so its block outputs are that token's hidden states
(B). Hooks record the requested layers along the way, which saves the second pass over
prompt + response that a separate capture needs. One extra decode step makes the last
response token's states available. ``--smoke`` checks the result against the separate,
one-sequence-at-a-time pass (the reference definition).

Nothing per position is kept: the prefill hook pools the prompt reads at once (one batched
matmul per layer), and the decode hooks add each step's states into a per-row fp32 sum while
the row's response lasts. Decoding needs logits, so here every block and the LM head run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from persona_atlas.config import GenerationConfig
from persona_atlas.extract.batching import pad
from persona_atlas.extract.deps import require
from persona_atlas.extract.greedy import (
    cut_at_stop,
    generation_batches,
    greedy_generate,
    stop_ids,
)
from persona_atlas.extract.models import LoadedModel
from persona_atlas.extract.recipes import Read, prompt_layouts
from persona_atlas.extract.template import PromptLayout


@dataclass
class Generated:
    """One ``generate`` call's output, already pooled on the device."""

    new: list[list[int]]  # [B][≤ max_new_tokens + 1] generated ids, uncut
    prompt_reads: Any  # [B, K, L, H] fp32: row b's k-th prompt read (zeros past its reads)
    response_sum: Any  # [B, L, H] fp32: sum of the states of row b's response tokens
    response_len: list[int]  # [B] tokens in that sum


def prompt_reads(qi: int, lay: PromptLayout, wanted: set[str]) -> list[Read]:
    """What the prefill gives for question ``qi``; B* and B*_no_last are dropped later if the
    response is empty. C2/C3 are read from question 0 only (question-independent)."""
    n = len(lay.ids)
    spans = {"A": (n - 1, n), "B*": (0, n), "B*_no_last": (0, n - 1)}
    if qi == 0 and lay.close is not None:
        spans |= {"C2": (lay.close, lay.close + 1), "C3": (lay.close + 1, lay.close + 2)}
    return [
        Read(r, 0 if r[0] == "C" else qi, lo, hi) for r, (lo, hi) in spans.items() if r in wanted
    ]


class FusedHF:
    """Batched greedy ``generate`` that pools the question recipes on the way."""

    name = "hf"

    def __init__(self, lm: LoadedModel, cfg: GenerationConfig, layers: Sequence[int]) -> None:
        self.lm, self.cfg, self.layers = lm, cfg, list(layers)
        self.stops = stop_ids(lm)

    def run(
        self,
        system: str,
        questions: Sequence[str],
        recipes: Sequence[str],
        budget: int | None = None,
    ) -> tuple[list[list[int]], list[tuple[Read, np.ndarray]]]:
        """Responses (token ids) and the pooled reads of every recipe except C1.

        Batches hold at most ``generation.batch_size`` prompts and, with a ``budget``,
        ``rows × (longest prompt + max_new_tokens + 1) ≤ budget`` tokens.
        """
        wanted = set(recipes)
        lays = prompt_layouts(self.lm.tokenizer, system, questions, recipes)
        prompts = [lay.ids for lay in lays]
        steps = self.cfg.max_new_tokens + 1  # +1: the last response token is fed too
        responses: dict[int, list[int]] = {}
        reads: list[tuple[Read, np.ndarray]] = []
        for chunk in generation_batches(prompts, self.cfg, budget, steps):
            plan = [prompt_reads(qi, lays[qi], wanted) for qi in chunk]
            out = self._generate([prompts[qi] for qi in chunk], plan)
            pooled = out.prompt_reads.cpu().numpy()  # [B, K, L, H]
            summed = out.response_sum.cpu().numpy()  # [B, L, H]
            for b, qi in enumerate(chunk):
                resp = cut_at_stop(out.new[b][: self.cfg.max_new_tokens], self.stops)
                responses[qi] = resp
                for k, read in enumerate(plan[b]):
                    if resp or read.recipe not in ("B*", "B*_no_last"):  # empty: no B family
                        reads.append((read, pooled[b, k]))
                if resp and "B" in wanted:
                    assert out.response_len[b] == len(resp), "fed tokens ≠ the response"
                    n = len(prompts[qi])
                    reads.append((Read("B", qi, n, n + len(resp)), summed[b] / len(resp)))
        reads.sort(key=lambda x: (x[0].recipe, x[0].question))
        return [responses[i] for i in range(len(lays))], reads

    def _generate(self, prompts: list[list[int]], plan: list[list[Read]]) -> Generated:
        """Run ``generate`` with hooks that pool the prefill and sum the response states."""
        torch = require("torch")
        lm, n_layers = self.lm, len(self.layers)
        pad_id = lm.tokenizer.pad_token_id
        batch = pad(prompts, pad_id, "left", lm.device)
        rows, width = batch.input_ids.shape
        dev = batch.input_ids.device
        weights = torch.zeros((rows, max(map(len, plan)), width), device=dev)  # [B, K, T]
        for b, row_reads in enumerate(plan):
            off = batch.offsets[b]
            for k, read in enumerate(row_reads):
                weights[b, k, off + read.start : off + read.stop] = 1.0 / (read.stop - read.start)
        pooled = torch.zeros((rows, weights.shape[1], n_layers, lm.hidden_size), device=dev)
        summed = torch.zeros((rows, n_layers, lm.hidden_size), device=dev)  # [B, L, H]
        alive = torch.ones(rows, dtype=torch.bool, device=dev)  # response not stopped yet
        fed = torch.zeros(rows, dtype=torch.long, device=dev)
        stops = torch.tensor(sorted(self.stops), dtype=torch.long, device=dev)
        step = [-1]  # forward calls so far: 0 = prefill, s ≥ 1 feeds response token s−1

        def on_input(_m: Any, args: Any, kwargs: Any) -> None:
            step[0] += 1
            if step[0] > 0:  # decode step: the ids fed are last step's tokens, [B, 1]
                ids = args[0] if args else kwargs["input"]
                alive.logical_and_(~torch.isin(ids[:, -1], stops))
                fed.add_(alive)

        def on_block(i: int) -> Any:
            def record(_m: Any, _i: Any, output: Any) -> None:
                h = output[0] if isinstance(output, tuple) else output  # [B, T, H] / [B, 1, H]
                if step[0] == 0:
                    pooled[:, :, i] = torch.bmm(weights, h.float())  # [B, K, H]
                else:
                    summed[:, i] += torch.where(alive[:, None], h[:, -1].float(), 0.0)

            return record

        handles = [
            lm.model.get_input_embeddings().register_forward_pre_hook(on_input, with_kwargs=True)
        ]
        handles += [
            lm.blocks[layer].register_forward_hook(on_block(i))
            for i, layer in enumerate(self.layers)
        ]
        try:
            with torch.inference_mode():
                gen = greedy_generate(lm, batch, self.cfg.max_new_tokens + 1, pad_id, self.stops)
        finally:
            for h in handles:
                h.remove()
        return Generated(gen[:, width:].tolist(), pooled, summed, fed.tolist())

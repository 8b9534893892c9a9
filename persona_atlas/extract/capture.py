"""Forward hooks on the requested decoder blocks only, stopping after the deepest one.

Layer L is the output of decoder block L (HF ``hidden_states[L + 1]``; for the last block,
before the final norm, because the hook sits on the block). A hook on the deepest requested
block raises ``_StopForward`` so later blocks and the LM head never run. Pooling happens on
the device as one matmul per layer; only the pooled ``[reads, L, H]`` fp32 rows leave it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from persona_atlas.extract.batching import pad, plan_batches
from persona_atlas.extract.deps import require
from persona_atlas.extract.recipes import Read, Work


class _StopForward(Exception):
    """Raised by the deepest hook: everything needed has been captured."""


class Capture:
    """Captures block outputs for ``layers`` of a model whose blocks are ``blocks``."""

    def __init__(
        self, model: Any, blocks: Any, layers: Sequence[int], next_token: bool = False
    ) -> None:
        if max(layers) >= len(blocks):
            from persona_atlas.errors import ConfigError

            raise ConfigError(
                f"extract.layers: layer {max(layers)} requested but the model has "
                f"{len(blocks)} blocks (0..{len(blocks) - 1})"
            )
        self.model, self.blocks, self.layers = model, blocks, list(layers)
        self._out: dict[int | str, Any] = {}
        # next_token: run on to the final norm (not the LM head) and apply the head to
        # recipe A's position only; its log-probabilities land in ``next_token_logprobs``
        self.head = None
        if next_token:
            from persona_atlas.extract.next_token import head_modules

            self.head = head_modules(model)
        self.next_token_logprobs: dict[int, np.ndarray] = {}  # question → [V] fp32
        self.normed: Any = None

    def _hook(self, layer: int | str, last: bool) -> Any:
        def hook(_module: Any, _inputs: Any, output: Any) -> None:
            self._out[layer] = output[0] if isinstance(output, tuple) else output  # [B, T, H]
            if last:
                raise _StopForward

        return hook

    def hidden(self, input_ids: Any, attention_mask: Any, position_ids: Any) -> list[Any]:
        """Block outputs ``[B, T, H]`` for each requested layer, in ``layers`` order."""
        torch = require("torch")
        deepest = max(self.layers) if self.head is None else None
        handles = [
            self.blocks[layer].register_forward_hook(self._hook(layer, layer == deepest))
            for layer in self.layers
        ]
        if self.head is not None:
            handles.append(self.head[0].register_forward_hook(self._hook("norm", True)))
        self._out = {}
        try:
            with torch.inference_mode():
                self.model(
                    input_ids=input_ids,
                    attention_mask=attention_mask,
                    position_ids=position_ids,
                    use_cache=False,
                )
        except _StopForward:
            pass
        finally:
            for h in handles:
                h.remove()
        out, self._out = self._out, {}
        self.normed = out.get("norm")  # [B, T, H] after the final norm, with ``head``
        return [out[layer] for layer in self.layers]

    def pooled(
        self,
        works: Sequence[Work],
        *,
        budget: int,
        pad_id: int,
        side: Literal["left", "right"],
        device: Any,
    ) -> list[tuple[Read, np.ndarray]]:
        """Every read of ``works`` pooled to an fp32 ``[L, H]`` array, in a fixed order."""
        torch = require("torch")
        results: dict[tuple[int, int], np.ndarray] = {}
        self.next_token_logprobs = {}
        for batch in plan_batches([len(w.ids) for w in works], budget):
            padded = pad([works[i].ids for i in batch], pad_id, side, device)
            hs = self.hidden(padded.input_ids, padded.attention_mask, padded.position_ids)
            width = padded.input_ids.shape[1]
            keys = [(i, k) for i in batch for k in range(len(works[i].reads))]
            weights = torch.zeros((len(keys), len(batch), width), device=device)  # [R, B, T]
            for r, (i, k) in enumerate(keys):
                read, off = works[i].reads[k], padded.offsets[batch.index(i)]
                weights[r, batch.index(i), off + read.start : off + read.stop] = 1.0 / (
                    read.stop - read.start
                )
            flat = weights.flatten(1)  # [R, B*T]
            pooled = torch.stack([flat @ h.float().flatten(0, 1) for h in hs], 1)  # [R, L, H]
            arr = pooled.cpu().numpy()
            if self.head is not None:
                self._next_token(works, batch, padded.offsets)
            for r, key in enumerate(keys):
                results[key] = arr[r]
        return [(works[i].reads[k], results[(i, k)]) for i, k in sorted(results)]

    def _next_token(self, works: Sequence[Work], batch: Sequence[int], offsets: Any) -> None:
        """Log-softmax of the LM head at each recipe-A read of this batch (float64)."""
        torch = require("torch")
        rows, cols, questions = [], [], []
        for b, i in enumerate(batch):
            for read in works[i].reads:
                if read.recipe == "A":
                    rows.append(b)
                    cols.append(offsets[b] + read.start)
                    questions.append(read.question)
        if not rows:
            return
        with torch.inference_mode():
            logits = self.head[1](self.normed[rows, cols])  # type: ignore[index]
            logp = torch.log_softmax(logits.double(), dim=-1).float().cpu().numpy()
        for q, row in zip(questions, logp):
            self.next_token_logprobs[q] = row

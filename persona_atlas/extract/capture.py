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

    def __init__(self, model: Any, blocks: Any, layers: Sequence[int]) -> None:
        if max(layers) >= len(blocks):
            from persona_atlas.errors import ConfigError

            raise ConfigError(
                f"extract.layers: layer {max(layers)} requested but the model has "
                f"{len(blocks)} blocks (0..{len(blocks) - 1})"
            )
        self.model, self.blocks, self.layers = model, blocks, list(layers)
        self._out: dict[int, Any] = {}

    def _hook(self, layer: int, last: bool) -> Any:
        def hook(_module: Any, _inputs: Any, output: Any) -> None:
            self._out[layer] = output[0] if isinstance(output, tuple) else output  # [B, T, H]
            if last:
                raise _StopForward

        return hook

    def hidden(self, input_ids: Any, attention_mask: Any, position_ids: Any) -> list[Any]:
        """Block outputs ``[B, T, H]`` for each requested layer, in ``layers`` order."""
        torch = require("torch")
        deepest = max(self.layers)
        handles = [
            self.blocks[layer].register_forward_hook(self._hook(layer, layer == deepest))
            for layer in self.layers
        ]
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
            for r, key in enumerate(keys):
                results[key] = arr[r]
        return [(works[i].reads[k], results[(i, k)]) for i, k in sorted(results)]

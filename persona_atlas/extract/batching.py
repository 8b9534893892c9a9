"""Token-budget batches with length sorting, and explicit padding.

Sequences are sorted longest first and packed while ``rows × longest ≤ budget`` (and, when
given, ``rows ≤ max_rows``), so padding stays small. Padding may go left or right; the
attention mask hides the pads and explicit position ids (``cumsum(mask) - 1``) give every
real token the position it has unpadded, so a batched pass reads the same hidden states as
a one-at-a-time pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from persona_atlas.extract.deps import require


def plan_batches(
    lengths: Sequence[int], budget: int, max_rows: int | None = None
) -> list[list[int]]:
    """Indices grouped into batches of at most ``budget`` padded tokens (longest first).

    ``max_rows`` also caps the rows per batch. A sequence longer than the budget runs alone.
    """
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    batches: list[list[int]] = []
    for i in order:
        rows = len(batches[-1]) + 1 if batches else 0
        fits = batches and lengths[batches[-1][0]] * rows <= budget  # first member is longest
        if fits and (max_rows is None or rows <= max_rows):
            batches[-1].append(i)
        else:
            batches.append([i])
    return batches


@dataclass
class Padded:
    """A padded batch on a device."""

    input_ids: Any  # [B, T] long
    attention_mask: Any  # [B, T] long, 1 = real token
    position_ids: Any  # [B, T] long, real tokens 0..n-1
    offsets: list[int]  # where row b's first real token sits


def pad(
    seqs: Sequence[Sequence[int]],
    pad_id: int,
    side: Literal["left", "right"],
    device: Any,
) -> Padded:
    torch = require("torch")
    width = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), width), pad_id, dtype=torch.long)  # [B, T]
    mask = torch.zeros((len(seqs), width), dtype=torch.long)  # [B, T]
    offsets = []
    for b, s in enumerate(seqs):
        off = width - len(s) if side == "left" else 0
        ids[b, off : off + len(s)] = torch.tensor(s, dtype=torch.long)
        mask[b, off : off + len(s)] = 1
        offsets.append(off)
    positions = (mask.cumsum(-1) - 1).clamp(min=0)  # [B, T]
    return Padded(ids.to(device), mask.to(device), positions.to(device), offsets)

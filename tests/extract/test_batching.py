"""Token-budget batching and explicit padding."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from persona_atlas.extract.batching import pad, plan_batches


@given(
    st.lists(st.integers(1, 300), min_size=1, max_size=60),
    st.integers(1, 2000),
    st.none() | st.integers(1, 8),
)
def test_batches_cover_everything_once_within_budget(lengths, budget, max_rows):
    batches = plan_batches(lengths, budget, max_rows)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for b in batches:
        width = max(lengths[i] for i in b)
        assert len(b) == 1 or width * len(b) <= budget
        assert max_rows is None or len(b) <= max_rows
        assert lengths[b[0]] == width  # longest first: the batch width is its first member
    # length-sorted: batches never interleave
    firsts = [lengths[b[0]] for b in batches]
    assert firsts == sorted(firsts, reverse=True)


def test_budget_packs_greedily():
    assert plan_batches([10, 50, 20, 50, 30], 100) == [[1, 3], [4, 2, 0]]
    assert plan_batches([300, 5], 100) == [[0], [1]]  # too long for the budget: alone
    assert plan_batches([10, 50, 20, 50, 30], 100, max_rows=2) == [[1, 3], [4, 2], [0]]


@pytest.mark.parametrize("side", ["left", "right"])
def test_pad_positions_and_masks(side):
    p = pad([[7, 8, 9], [5]], pad_id=0, side=side, device="cpu")
    if side == "right":
        assert p.input_ids.tolist() == [[7, 8, 9], [5, 0, 0]]
        assert p.position_ids.tolist() == [[0, 1, 2], [0, 0, 0]]
        assert p.offsets == [0, 0]
    else:
        assert p.input_ids.tolist() == [[7, 8, 9], [0, 0, 5]]
        assert p.position_ids.tolist() == [[0, 1, 2], [0, 0, 0]]
        assert p.offsets == [0, 2]
    assert p.attention_mask.sum(1).tolist() == [3, 1]
    assert p.input_ids.dtype == torch.long

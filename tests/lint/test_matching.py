"""The value index agrees with a linear scan, and ranges need a collection's min and max.

`ValueIndex.candidate_ids` and `ValueIndex.collections` are what `lookup.Lookup` scopes; these
tests check them unscoped (scoping: test_scope.py).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from persona_atlas.lint.matching import (
    Candidate,
    ValueIndex,
    collections_of,
    naive_matches,
)
from persona_atlas.lint.numbers import Claim, find_tokens, parse_claim


def claim(text: str) -> Claim:
    (tok,) = find_tokens(" " + text + " ")
    return parse_claim(tok)


def supporting(index: ValueIndex, c: Claim) -> list[str]:
    """Paths of every stored value that supports the claim, in document order."""
    return [index.leaves[i][0] for i in sorted(set(index.candidate_ids(c)))]


def ranges(index: ValueIndex, low: Claim, high: Claim) -> list[str]:
    """Collections whose min rounds to ``low`` and max to ``high``."""
    found = index.collections().items()
    return [name for name, (lo, hi) in found if low.accepts(lo) and high.accepts(hi)]


DOC = {
    "metrics": {
        "n_personas": 275,
        "ranges": {"cos_min": {"min": -0.1022, "max": 0.9304}},
        "pass_pct": 38.3,
        "rate": 0.6367,
        "flag": True,
    },
    "tables": {
        "cells": {
            "columns": ["layer", "cos_min", "kill_pct"],
            "rows": [[0, 0.7044, 12.5], [27, -0.0103, 50.0]],
        }
    },
    "layers": [0, 7, 14, 21, 27],
}


def test_matches_name_their_paths() -> None:
    index = ValueIndex.of({"": DOC, "run.": {"seed": 42}})
    assert supporting(index, claim("0.64")) == ["metrics.rate"]
    assert supporting(index, claim("63.7%")) == ["metrics.rate"]
    assert supporting(index, claim("38.3%")) == ["metrics.pass_pct"]
    assert supporting(index, claim("12.5%")) == ["tables.cells.rows[0][2]"]
    assert supporting(index, claim("42")) == ["run.seed"]
    assert supporting(index, claim("−0.010")) == ["tables.cells.rows[1][1]"]
    assert supporting(index, claim("0.010")) == []
    assert supporting(index, claim("1")) == []  # booleans are not numbers


def test_nearest_candidates_are_distinct_and_closest() -> None:
    index = ValueIndex.of({"": DOC})
    near = index.nearest(claim("0.65"))
    assert [c.path for c in near] == [
        "metrics.rate",
        "tables.cells.rows[0][1]",
        "metrics.ranges.cos_min.max",
    ]
    assert near[0].show() == "metrics.rate = 0.6367"


def test_range_needs_min_and_max_of_one_collection() -> None:
    index = ValueIndex.of({"": DOC})
    ok = ranges(index, claim("−0.10"), claim("0.93"))
    assert ok == ["metrics.ranges.cos_min.{min,max}"]
    assert ranges(index, claim("0.01"), claim("0.70")) == []
    assert ranges(index, claim("0"), claim("27")) == [
        "tables.cells.rows[*][0] (range)",
        "layers[*] (range)",
    ]
    near = index.range_nearest(claim("0.01"), claim("0.70"))
    assert near[0].path == "tables.cells.rows[*][1] (range)"
    assert near[0].show() == "tables.cells.rows[*][1] (range) = [-0.0103 … 0.7044]"


def test_collections_include_trajectories_and_families() -> None:
    leaves = [
        ("m.a__b__layer0.r", 0.49),
        ("m.a__b__layer1.r", 0.48),
        ("m.a__b__layer2.r", 0.90),
        ("m.a__b__layer3.r", 0.89),
    ]
    found = collections_of(leaves)
    assert found["m.a__b__layer#.r (range)"] == (0.48, 0.90)
    assert found["m.a__b__layer#.r (first → last)"] == (0.49, 0.89)
    assert found["m.*.r (range)"] == (0.48, 0.90)


def test_collections_are_built_for_the_names_asked_for() -> None:
    index = ValueIndex([("m.a__c1.r", 0.2), ("m.a__c2.r", 0.8)])
    named = index.collections(frozenset({"a", "c1", "c2"}))
    assert named["m.a__c1.r (range)"] == (0.2, 0.2)  # recipe names keep their digits
    assert "m.a__c#.r (range)" not in named
    plain = index.collections()
    assert plain["m.a__c#.r (range)"] == (0.2, 0.8)  # not the first call's answer
    assert index.collections(frozenset({"a", "c1", "c2"})) is named  # and each is built once
    near = index.range_nearest(claim("0.2"), claim("0.8"))
    assert Candidate("m.a__c#.r (range)", 0.2, 0.8) in near


values = st.lists(
    st.floats(min_value=-100, max_value=100, allow_nan=False, allow_subnormal=False), max_size=40
)


@settings(max_examples=150, deadline=None)
@given(
    values,
    st.floats(min_value=-100, max_value=100, allow_nan=False),
    st.integers(0, 4),
    st.booleans(),
)
def test_index_equals_linear_scan(vals: list[float], x: float, decimals: int, pct: bool) -> None:
    leaves = [(f"v[{i}]", v) for i, v in enumerate(vals)]
    index = ValueIndex(leaves)
    text = f"{x:.{decimals}f}" + ("%" if pct else "")
    c = claim(text)
    fast = {index.leaves[i] for i in index.candidate_ids(c)}
    slow = {(m.path, m.value) for m in naive_matches(leaves, c)}
    assert fast == slow


@pytest.mark.parametrize("text", ["0.64", "64%", "63.67%", "6.367e-1"])
def test_equivalent_writings_match_the_same_value(text: str) -> None:
    index = ValueIndex([("x", 0.6367)])
    assert supporting(index, claim(text)) == ["x"]


@pytest.mark.parametrize("name", ["issue_218_run_result.json", "phase_minus1_cosine_matrix.json"])
def test_leaf_paths_are_jsonpath_paths(name: str) -> None:
    import json

    from persona_atlas import jsonpath
    from persona_atlas.lint.matching import numeric_leaves
    from tests.lint.lintkit import REPO

    doc = json.loads((REPO / "tests" / "fixtures" / "reference" / name).read_text())
    doc["odd key"] = {"a b": [1.5, {"x-y": 2}], "flag": True}
    expected = [
        (p, float(v))
        for p, v in jsonpath.flatten(doc)
        if isinstance(v, int | float) and not isinstance(v, bool)
    ]
    assert numeric_leaves(doc) == expected
    for path, value in expected[:50] + expected[-5:]:
        assert jsonpath.resolve(doc, path) == value

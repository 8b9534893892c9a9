"""Recipe-comparison verdict rules at their edges (DESIGN §4).

PASS iff cos_min > pass_cos_min and mc_r > pass_mc_r; KILL iff cos_min < kill_cos_min or
mc_r < kill_mc_r; GREY otherwise. Every threshold is tested with a value exactly on it and
one float step either side, with the defaults and with other thresholds; the category
booleans with exactly one load-bearing KILL; the headline when load-bearing cells disagree.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from persona_atlas.analysis.comparison import comparison_output
from persona_atlas.analysis.verdicts import (
    CELL_COLUMNS,
    by_category,
    cells_connection,
    headline,
    verdict,
)
from persona_atlas.config import Thresholds

DEFAULT = Thresholds()
OTHER = Thresholds(pass_cos_min=0.8, pass_mc_r=0.6, kill_cos_min=0.5, kill_mc_r=0.3)
SAFE_COS, SAFE_MC = 0.99, 0.99  # comfortably PASS on both metrics under DEFAULT and OTHER


def up(x: float) -> float:
    return math.nextafter(x, math.inf)


def down(x: float) -> float:
    return math.nextafter(x, -math.inf)


@pytest.mark.parametrize("th", [DEFAULT, OTHER], ids=["default", "other"])
def test_pass_needs_both_metrics_strictly_above(th: Thresholds):
    assert verdict(SAFE_COS, SAFE_MC, th) == "PASS"
    assert verdict(th.pass_cos_min, SAFE_MC, th) == "GREY"
    assert verdict(up(th.pass_cos_min), SAFE_MC, th) == "PASS"
    assert verdict(SAFE_COS, th.pass_mc_r, th) == "GREY"
    assert verdict(SAFE_COS, up(th.pass_mc_r), th) == "PASS"
    assert verdict(th.pass_cos_min, th.pass_mc_r, th) == "GREY"
    assert verdict(up(th.pass_cos_min), up(th.pass_mc_r), th) == "PASS"


@pytest.mark.parametrize("th", [DEFAULT, OTHER], ids=["default", "other"])
def test_kill_needs_one_metric_strictly_below(th: Thresholds):
    assert verdict(th.kill_cos_min, SAFE_MC, th) == "GREY"
    assert verdict(down(th.kill_cos_min), SAFE_MC, th) == "KILL"
    assert verdict(SAFE_COS, th.kill_mc_r, th) == "GREY"
    assert verdict(SAFE_COS, down(th.kill_mc_r), th) == "KILL"
    assert verdict(th.kill_cos_min, th.kill_mc_r, th) == "GREY"
    # one metric below its KILL threshold kills even when the other would PASS
    assert verdict(down(th.kill_cos_min), up(th.pass_mc_r), th) == "KILL"
    assert verdict(up(th.pass_cos_min), down(th.kill_mc_r), th) == "KILL"


def test_thresholds_are_parameters_not_constants():
    # 0.9 / 0.8 is GREY under the defaults and PASS under OTHER; 0.6 / 0.6 GREY vs KILL
    assert (verdict(0.9, 0.8, DEFAULT), verdict(0.9, 0.8, OTHER)) == ("GREY", "PASS")
    assert (verdict(0.6, 0.6, OTHER), verdict(0.6, 0.6, DEFAULT)) == ("GREY", "KILL")
    equal = Thresholds(pass_cos_min=0.9, pass_mc_r=0.9, kill_cos_min=0.9, kill_mc_r=0.9)
    assert [verdict(c, 0.95, equal) for c in (down(0.9), 0.9, up(0.9))] == ["KILL", "GREY", "PASS"]


@pytest.mark.parametrize(
    ("cos_min", "mc_r"), [(None, 0.99), (0.99, None), (math.nan, 0.99), (0.99, math.inf)]
)
def test_missing_or_undefined_metric_has_no_verdict(cos_min, mc_r):
    assert verdict(cos_min, mc_r, DEFAULT) is None


def cell(pair: str, category: str, layer: int, cos_min: float, mc_r: float) -> dict[str, Any]:
    x, y = pair.split("-")
    values: dict[str, Any] = dict.fromkeys(CELL_COLUMNS, 0.5)
    values.update(pair=f"{x} vs {y}", x=x, y=y, category=category, layer=layer,
                  cos_min=cos_min, mc_r=mc_r, verdict=verdict(cos_min, mc_r, DEFAULT))  # fmt: skip
    return values


def summarise(cells: list[dict[str, Any]]) -> tuple[dict[str, Any], str | None]:
    con = cells_connection([[c[k] for k in CELL_COLUMNS] for c in cells])
    try:
        return by_category(con), headline(con)
    finally:
        con.close()


PASS, GREY, KILL = (0.99, 0.99), (0.9, 0.8), (0.8, 0.99)


def test_exactly_one_load_bearing_kill():
    cells = [
        cell("A-B", "load-bearing", 0, *PASS),
        cell("A-B", "load-bearing", 1, *KILL),
        cell("A-C1", "load-bearing", 0, *PASS),
        cell("B-C1", "sanity", 0, *PASS),
    ]
    categories, head = summarise(cells)
    assert categories["load-bearing"] == {"PASS": 2, "GREY": 0, "KILL": 1, "cells": 3}
    assert categories["any_load_bearing_kill"] is True
    assert categories["all_load_bearing_pass"] is False
    assert categories["all_sanity_pass"] is True
    assert head == "mixed"


def test_a_kill_outside_the_load_bearing_pairs_does_not_count():
    cells = [cell("A-B", "load-bearing", 0, *PASS), cell("B-C1", "sanity", 0, *KILL)]
    categories, head = summarise(cells)
    assert categories["any_load_bearing_kill"] is False
    assert categories["all_load_bearing_pass"] is True
    assert categories["all_sanity_pass"] is False
    assert head == "PASS"  # the headline reads the load-bearing cells only


@pytest.mark.parametrize(
    ("verdicts", "expected"),
    [
        ([PASS, PASS], "PASS"),
        ([GREY, GREY], "GREY"),
        ([KILL, KILL], "KILL"),
        ([PASS, GREY], "mixed"),
        ([GREY, KILL], "mixed"),
        ([PASS, KILL, GREY], "mixed"),
    ],
)
def test_headline_is_the_single_load_bearing_verdict_or_mixed(verdicts, expected):
    cells = [cell("A-B", "load-bearing", i, *m) for i, m in enumerate(verdicts)]
    cells.append(cell("B-C1", "sanity", 0, *KILL))
    assert summarise(cells)[1] == expected


def test_headline_over_all_cells_when_none_is_load_bearing():
    assert summarise([cell("A-B", "sanity", 0, *PASS), cell("A-C1", "other", 0, *GREY)])[1] == "mixed"  # fmt: skip
    assert summarise([cell("A-B", "sanity", 0, *PASS), cell("A-C1", "other", 0, *PASS)])[1] == "PASS"  # fmt: skip


def test_headline_ignores_cells_without_a_verdict():
    no_verdict = cell("A-B", "load-bearing", 1, *PASS)
    no_verdict.update(mc_r=None, verdict=None)
    assert summarise([cell("A-B", "load-bearing", 0, *PASS), no_verdict])[1] == "PASS"
    assert summarise([no_verdict])[1] is None


def test_comparison_output_carries_the_mixed_headline_and_the_kill_flag():
    cells = [
        cell("A-B", "load-bearing", 0, *PASS),
        cell("A-B", "load-bearing", 1, *KILL),
        cell("B-C1", "sanity", 0, *PASS),
    ]
    out = comparison_output(cells, thresholds=DEFAULT, null_reasons={}, counts={})
    assert out.verdict == "mixed"
    assert out.metrics["verdict_by_category"]["any_load_bearing_kill"] is True
    assert out.metrics["verdict_counts"] == {"PASS": 2, "GREY": 0, "KILL": 1}
    assert out.metrics["thresholds"] == DEFAULT.model_dump()

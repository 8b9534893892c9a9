"""The noise floor on a log axis of 1 − value, and direction vs structure on one scale."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from figure_fixtures import build_spec

from persona_atlas.figures import layers, render

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def _rows(spec: dict[str, Any], key: str) -> list[dict[str, Any]]:
    return [r for d in render.inline_data(spec) for r in d if isinstance(r, dict) and key in r]


def _y_scales(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        found = [] if not isinstance(node.get("y"), dict) else [node["y"].get("scale", {})]
        return found + [s for v in node.values() for s in _y_scales(v)]
    if isinstance(node, list):
        return [s for v in node for s in _y_scales(v)]
    return []


def _with_exact_one(doc: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    noise = doc["tables"]["noise_floor"]
    noise["rows"] = [[*r[:2], 1.0, *r[3:]] if i == 0 else r for i, r in enumerate(noise["rows"])]
    return doc


def test_noise_floor_plots_one_minus_value_on_a_reversed_log_axis(
    small_recipe_doc: dict[str, Any],
) -> None:
    spec = build_spec(_with_exact_one(small_recipe_doc), "noise_floor")
    scales = [s for s in _y_scales(spec) if s]
    assert scales and all(s["type"] == "log" and s["reverse"] for s in scales)
    assert {s["domain"][0] for s in scales} == {layers.GAP_FLOOR}
    points = _rows(spec, "gap")
    # Exactly 1.0 has no place on a log axis: it sits on the floor the subtitle names.
    assert min(p["gap"] for p in points) == layers.GAP_FLOOR
    for p in points:  # each panel plots one metric of the row
        assert p["gap"] in {max(1 - p[m], layers.GAP_FLOOR) for m in layers.METRICS}
    assert "above 0.9999999" in " ".join(spec["title"]["subtitle"])


def test_noise_floor_draws_one_row_per_recipe(small_recipe_doc: dict[str, Any]) -> None:
    spec = build_spec(small_recipe_doc, "noise_floor")
    recipes = {r[0] for r in small_recipe_doc["tables"]["noise_floor"]["rows"]}
    assert len(spec["vconcat"]) == len(recipes)
    assert all(len(row["hconcat"]) == len(layers.METRICS) for row in spec["vconcat"])


def test_noise_floor_thresholds_sit_at_one_minus_threshold(
    small_recipe_doc: dict[str, Any],
) -> None:
    spec = build_spec(small_recipe_doc, "noise_floor")
    limits = small_recipe_doc["metrics"]["thresholds"]
    rules = {(r["threshold"], r["value"]) for r in _rows(spec, "threshold")}
    expected = {
        (f"{kind} {limits[f'{kind}_{m}']:g}", limits[f"{kind}_{m}"])
        for kind in ("pass", "kill")
        for m in layers.METRICS
    }
    assert '"1 - datum.value"' in json.dumps(spec)  # each rule drawn at 1 − threshold
    assert rules == expected
    zones = [z for z in _rows(spec, "verdict") if "lo" in z]
    kill_starts = {z["lo"] for z in zones if z["verdict"] == "KILL"}
    assert kill_starts == {1 - limits["kill_cos_min"], 1 - limits["kill_mc_r"]}


def test_direction_vs_structure_shares_one_scale_and_draws_the_median(
    small_recipe_doc: dict[str, Any],
) -> None:
    spec = build_spec(small_recipe_doc, "direction_vs_structure")
    domains = {tuple(s["domain"]) for s in _y_scales(spec) if s.get("domain")}
    assert len(domains) == 1  # direction and structure read against the same axis
    medians = _rows(spec, "median")
    cells = small_recipe_doc["tables"]["cells"]
    layer_at = cells["columns"].index("layer")
    assert sorted(m["layer"] for m in medians) == sorted(
        2 * list({r[layer_at] for r in cells["rows"]})
    )


def test_direction_vs_structure_has_no_median_for_one_pair(stored_doc: dict[str, Any]) -> None:
    spec = build_spec(stored_doc, "direction_vs_structure")
    assert _rows(spec, "median") == []

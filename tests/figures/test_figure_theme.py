"""One visual language, checked on the built specs: PASS / GREY / KILL get the theme's colours
on every chart that shows verdicts, every threshold rule is drawn alike in its verdict's
colour, and no other mark borrows a verdict colour."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from figure_fixtures import build_spec, correlations_doc, regression_doc, rsa_doc

from persona_atlas.figures import registry, theme
from persona_atlas.schema import ResultFile

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

VERDICT_CHARTS = ["verdict_partition", "direction_vs_structure", "noise_floor"]
THRESHOLD_CHARTS = {
    "per_persona_cos": {"pass_cos_min", "kill_cos_min"},
    "direction_vs_structure": {"pass_cos_min", "kill_cos_min", "pass_mc_r", "kill_mc_r"},
    "noise_floor": {"pass_cos_min", "kill_cos_min", "pass_mc_r", "kill_mc_r"},
}


def units(node: Any) -> Iterator[dict[str, Any]]:
    """Every view in a spec that carries a mark (inside layers, facets and concats)."""
    if isinstance(node, dict):
        if "mark" in node:
            yield node
        for key, value in node.items():
            if key not in ("datasets", "config"):
                yield from units(value)
    elif isinstance(node, list):
        for item in node:
            yield from units(item)


def mark(unit: dict[str, Any]) -> dict[str, Any]:
    m = unit["mark"]
    return m if isinstance(m, dict) else {"type": m}


def colour_scale(unit: dict[str, Any]) -> dict[str, str]:
    """Domain value → colour of the unit's colour encoding, when it fixes both."""
    scale = unit.get("encoding", {}).get("color", {}).get("scale", {})
    if "domain" in scale and "range" in scale:
        return dict(zip(scale["domain"], scale["range"], strict=True))
    return {}


def threshold_rules(spec: dict[str, Any], limits: dict[str, float]) -> list[dict[str, Any]]:
    """One entry per drawn threshold: which threshold (by its value), colour, dash, width.

    Thresholds are drawn either as one rule per value (``y: {datum: v}``, colour on the mark)
    or as one rule layer over rows ``{kind, value}`` coloured through a pass/kill scale.
    """
    by_value = {v: k for k, v in limits.items()}
    found = []
    for unit in units(spec):
        m, enc = mark(unit), unit.get("encoding", {})
        if m["type"] != "rule":
            continue
        style = {"dash": m.get("strokeDash"), "width": m.get("strokeWidth")}
        datum = enc.get("y", {}).get("datum")
        if datum in by_value:
            found.append({"threshold": by_value[datum], "colour": m.get("color"), **style})
        elif enc.get("color", {}).get("field") == "kind":
            colours = colour_scale(unit)
            for row in spec["datasets"][unit["data"]["name"]]:
                name = by_value[row["value"]]
                assert name.startswith(row["kind"]), (name, row)
                found.append({"threshold": name, "colour": colours[row["kind"]], **style})
    return found


Specs = dict[tuple[str, str], dict[str, Any]]


@pytest.fixture(scope="module")
def specs(small_recipe_doc: dict[str, Any], stored_doc: dict[str, Any]) -> Specs:
    """(result kind, chart) → spec, for every figure the fixture results get."""
    out = {}
    for kind, doc in (("recipe", small_recipe_doc), ("stored", stored_doc),
                      ("regression", regression_doc()), ("rsa", rsa_doc(12)),
                      ("correlations", correlations_doc())):  # fmt: skip
        for job in registry.jobs_for(ResultFile.model_validate(doc)):
            out[(kind, job.chart)] = build_spec(doc, job.chart, **job.params)
    return out


def test_every_chart_is_checked(specs: Specs) -> None:
    assert {chart for _, chart in specs} == set(registry.CHARTS)


@pytest.mark.parametrize("chart", VERDICT_CHARTS)
def test_verdicts_get_the_same_colours_everywhere(specs: Specs, chart: str) -> None:
    scales = [s for u in units(specs[("recipe", chart)]) if (s := colour_scale(u))]
    verdict_scales = [s for s in scales if any(k.split(" ")[0] in theme.VERDICTS for k in s)]
    assert verdict_scales, f"{chart} shows no verdict colours"
    for scale in verdict_scales:
        # Legend labels may carry counts ("KILL (44)"); the verdict is the first word.
        by_verdict = {label.split(" ")[0]: colour for label, colour in scale.items()}
        assert by_verdict == theme.VERDICT_COLOURS


@pytest.mark.parametrize("chart", THRESHOLD_CHARTS)
def test_threshold_rules_share_one_style(
    specs: Specs, small_recipe_doc: dict[str, Any], chart: str
) -> None:
    limits = small_recipe_doc["metrics"]["thresholds"]
    rules = threshold_rules(specs[("recipe", chart)], limits)
    assert {r["threshold"] for r in rules} == THRESHOLD_CHARTS[chart]
    for r in rules:
        verdict = "PASS" if r["threshold"].startswith("pass") else "KILL"
        assert r["colour"] == theme.VERDICT_COLOURS[verdict], r
        assert (r["dash"], r["width"]) == (theme.THRESHOLD_DASH, theme.THRESHOLD_WIDTH), r


def test_no_other_mark_borrows_a_verdict_colour(specs: Specs) -> None:
    """Series and highlight colours stay off PASS / GREY / KILL: colour means verdict."""
    verdict_colours = set(theme.VERDICT_COLOURS.values())
    verdict_words = {*theme.VERDICTS, "pass", "kill"}
    for name, spec in specs.items():
        assert not verdict_colours & set(spec["config"]["range"]["category"]), name
        for unit in units(spec):
            m, scale = mark(unit), colour_scale(unit)
            if {m.get("color"), m.get("fill"), m.get("stroke")} & verdict_colours:
                # Only the per-value threshold rules carry a verdict colour on the mark ...
                assert m["type"] == "rule" and m["strokeDash"] == theme.THRESHOLD_DASH, name
            if set(scale.values()) & verdict_colours:
                # ... and a scale that uses one maps verdicts (or pass / kill thresholds).
                assert all(k.split(" ")[0] in verdict_words for k in scale), (name, scale)


def _font_sizes(node: Any) -> list[float]:
    if isinstance(node, dict):
        found = [
            v
            for k, v in node.items()
            if k.lower().endswith("fontsize") and isinstance(v, int | float)
        ]
        return found + [s for v in node.values() for s in _font_sizes(v)]
    if isinstance(node, list):
        return [s for v in node for s in _font_sizes(v)]
    return []


def test_no_chart_sets_a_font_under_10_px(specs: Specs) -> None:
    """Static SVG/PNG files are read at their own size: no label smaller than 10 px."""
    small = {
        key: min(sizes)
        for key, spec in specs.items()
        if (sizes := _font_sizes(spec)) and min(sizes) < 10
    }
    assert small == {}

"""The ``regression`` kind reproduces #246's published statistics from its committed input,
and refuses bad configs and bad data with one clear line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from persona_atlas.analysis.output import AnalysisOutput
from persona_atlas.errors import InputFileError
from persona_atlas.kinds import get_kind
from persona_atlas.kinds.regression.compute import run
from persona_atlas.kinds.regression.config import RegressionConfig

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "results/issue-246/inputs/issue_246_regression_results.json"
GROUP = json.loads(SOURCE.read_text())["primary_analysis"]
LAYERS = json.loads(SOURCE.read_text())["layer_stats"]
NEW = ["helpful_assistant", "qwen_default"]
TOL = 1e-9

BASE: dict[str, Any] = {
    "name": "regression",
    "source": str(SOURCE),
    "items": "personas",
    "outcome": "source_rates",
    "trials": 100,
    "predictor": "cosines_to_assistant.layer_20",
    "covariates": [{"name": "log_tokens", "values": "prompt_token_lengths", "transform": "log"}],
    "held_out": NEW,
    "wilson_z": 1.96,
    "other_predictors": {f"layer_{n}": f"cosines_to_assistant.layer_{n}" for n in (10, 15, 20, 25)},
}


def compute(**changes: Any) -> AnalysisOutput:
    return run(RegressionConfig.model_validate({**BASE, **changes}))


@pytest.fixture(scope="module")
def out() -> AnalysisOutput:
    return compute()


def rows(out: AnalysisOutput, table: str) -> list[dict[str, Any]]:
    t = out.tables[table]
    return [dict(zip(t.columns, r, strict=True)) for r in t.rows]


def test_ten_item_fit_matches_the_group(out: AnalysisOutput) -> None:
    ols, group = out.metrics["ols"], GROUP["n10_regression"]
    assert (ols["slope"], ols["intercept"]) == pytest.approx((group["slope"], group["intercept"]), abs=TOL)  # fmt: skip
    assert out.metrics["fit_pearson"]["r"] == pytest.approx(group["r"], abs=TOL)
    assert ols["slope_p"] == pytest.approx(group["p"], abs=TOL)
    assert out.metrics["n_fit"] == ols["n"] == 10


def test_twelve_item_correlations_match_the_group(out: AnalysisOutput) -> None:
    pearson, spearman = out.metrics["all_pearson"], out.metrics["all_spearman"]
    assert (pearson["r"], pearson["p"]) == pytest.approx(tuple(GROUP["n12_pearson"].values()), abs=TOL)  # fmt: skip
    assert (spearman["r"], spearman["p"]) == pytest.approx((GROUP["n12_spearman"]["rho"], GROUP["n12_spearman"]["p"]), abs=TOL)  # fmt: skip
    assert pearson["ci_low"] < pearson["r"] < pearson["ci_high"] < 0


def test_other_layers_match_the_groups_layer_stats(out: AnalysisOutput) -> None:
    for row in rows(out, "other_predictors"):
        group = LAYERS[row["predictor"]]
        got = (row["pearson_r"], row["pearson_p"], row["spearman_r"], row["spearman_p"])
        assert got == pytest.approx(tuple(group.values()), abs=TOL), row["predictor"]


def test_prediction_intervals_at_the_held_out_items(out: AnalysisOutput) -> None:
    pis = {r["item"]: r for r in rows(out, "prediction_intervals")}
    assert list(pis) == NEW
    for name, group in GROUP["pi_coverage"].items():
        got = pis[name]
        assert (got["observed"], got["predicted"], got["pi_half"]) == pytest.approx((group["observed"], group["predicted"], group["pi_half"]), abs=TOL)  # fmt: skip
        assert got["inside"] is group["inside"]
        assert got["pi_high"] - got["pi_low"] == pytest.approx(2 * got["pi_half"], abs=TOL)


def test_items_table_cooks_leverage_and_wilson(out: AnalysisOutput) -> None:
    items = {r["item"]: r for r in rows(out, "items")}
    source = json.loads(SOURCE.read_text())
    for name, row in items.items():
        assert row["cooks_d"] == pytest.approx(GROUP["cooks_d"][name], abs=TOL)
        assert row["leverage"] == pytest.approx(GROUP["leverage"][name], abs=TOL)
        ci = source["source_rate_cis"][name]
        assert (row["wilson_low"], row["wilson_high"]) == pytest.approx((ci["lower"], ci["upper"]), abs=1e-15)  # fmt: skip
        assert row["successes"] == round(row["outcome"] * 100) and row["trials"] == 100
        assert row["held_out"] is (name in NEW)
        assert row["residual"] == pytest.approx(row["outcome"] - row["fitted"], abs=1e-15)
    assert [n for n, r in items.items() if r["influential"]] == ["librarian"]
    assert out.metrics["cooks"]["threshold"] == pytest.approx(4 / 12)


def test_the_two_loo_checks_are_reported_apart(out: AnalysisOutput) -> None:
    """Standard coverage: 11 / 12 (the librarian falls outside the interval of the fit
    without it). The group's check: all 10 drops keep both new points inside."""
    assert out.metrics["loo_pi_coverage"]["covered"] == 11
    assert out.metrics["loo_pi_coverage"]["n"] == 12
    assert [r["item"] for r in rows(out, "items") if not r["loo_covered"]] == ["librarian"]
    check = out.metrics["loo_new_points_inside"]
    assert (check["passes"], check["total"], check["every_drop_keeps_inside"]) == (10, 10, True)
    assert check["full_fit_inside"] == 2
    # the group's "12 / 12": 10 drops of fitted items + 2 drops of new items (fit unchanged)
    assert check["passes"] + check["full_fit_inside"] == GROUP["loo"]["passes"]
    assert len(rows(out, "new_point_drops")) == 10


def test_vif_with_log_prompt_length(out: AnalysisOutput) -> None:
    vif = GROUP["length_partial"]["vif"]
    assert out.metrics["vif"] == pytest.approx({"predictor": vif, "log_tokens": vif}, abs=TOL)


def test_successes_give_the_same_result(tmp_path: Path) -> None:
    data = json.loads(SOURCE.read_text())
    data["found"] = {p: round(r * 100) for p, r in data["source_rates"].items()}
    src = tmp_path / "in.json"
    src.write_text(json.dumps(data))
    got = compute(source=str(src), outcome=None, successes="found")
    assert got.tables["items"].rows == compute().tables["items"].rows


def test_no_held_out_and_no_covariates_are_explained_nulls() -> None:
    got = compute(held_out=[], covariates=[])
    assert got.metrics["loo_new_points_inside"] is None and got.metrics["vif"] is None
    assert "analysis.held_out" in got.nulls["metrics.loo_new_points_inside"]
    assert got.tables["prediction_intervals"].rows == []
    assert got.metrics["n_fit"] == 12


def test_outcome_without_trials_has_no_wilson_interval() -> None:
    got = compute(trials=None, wilson_z=None)
    assert all(r[5] is None for r in got.tables["items"].rows)
    assert "tables.items.wilson_low" in got.nulls


def test_declared_tables_match_what_the_kind_writes(out: AnalysisOutput) -> None:
    kind = get_kind("regression")
    assert {t.name for t in kind.tables} == set(out.tables)
    for name, table in out.tables.items():
        assert kind.table(name).mismatch(table) is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"outcome": None}, "exactly one of outcome"),
        ({"successes": "x"}, "exactly one of outcome"),
        ({"outcome": None, "successes": "x", "trials": None}, "successes needs trials"),
        ({"held_out": ["qwen_default", "qwen_default"]}, "twice"),
        ({"alpha": 0.7}, "alpha"),
        ({"trials": 0}, "trials"),
        ({"predictor": "a..b"}, "predictor"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_config_is_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        RegressionConfig.model_validate({**BASE, **changes})


def write(tmp_path: Path, edit: Any) -> str:
    data = json.loads(SOURCE.read_text())
    edit(data)
    src = tmp_path / "in.json"
    src.write_text(json.dumps(data))
    return str(src)


@pytest.mark.parametrize(
    ("edit", "changes", "message"),
    [
        (lambda d: d.pop("source_rates"), {}, "no key 'source_rates'"),
        (lambda d: d["source_rates"].pop("villain"), {}, "source_rates has no value for villain"),
        (lambda d: d["source_rates"].update(villain=None), {}, "source_rates.villain is None"),
        (lambda d: d["source_rates"].update(villain="0.5"), {}, "not a finite number"),
        (lambda d: d["source_rates"].update(villain=0.575), {}, "not a rate k / 100"),
        (lambda d: None, {"held_out": ["ghost"]}, "ghost"),
        (lambda d: d.update(personas="villain"), {}, "list of item names"),
        (lambda d: d["prompt_token_lengths"].update(villain=0), {}, "log needs positive"),
        (lambda d: d.update(personas=d["personas"][:3] + NEW), {}, "3 items left to fit"),
        (
            lambda d: d["cosines_to_assistant"].update(layer_20=dict.fromkeys(d["personas"], 0.5)),
            {},
            "constant",
        ),
    ],
)
def test_bad_data_gets_one_clear_line(tmp_path: Path, edit: Any, changes: dict[str, Any], message: str) -> None:  # fmt: skip
    with pytest.raises(InputFileError, match=message) as err:
        compute(source=write(tmp_path, edit), **changes)
    assert "\n" not in err.value.message


def test_nan_in_the_source_is_refused(tmp_path: Path) -> None:
    src = tmp_path / "in.json"
    src.write_text(SOURCE.read_text().replace('"villain": 0.57', '"villain": NaN', 1))
    with pytest.raises(InputFileError, match="NaN"):
        compute(source=str(src))


def test_the_figure_marks_the_held_out_items() -> None:
    from persona_atlas.figures.scatter import ols_scatter
    from persona_atlas.schema import load_result

    result = load_result(ROOT / "results/issue-246/result.json")
    spec = ols_scatter(result, "ols_scatter").to_dict()
    assert "2 held out of the fit (open circles)" in json.dumps(spec["title"])
    marks = [layer["mark"] for layer in spec["layer"]]
    assert {"type": "point", "size": 60}.items() <= next(
        m for m in marks if isinstance(m, dict) and m.get("type") == "point"
    ).items()


def test_the_figure_names_a_level_other_than_95_percent() -> None:
    from persona_atlas.figures.scatter import ols_scatter
    from persona_atlas.schema import load_result

    result = load_result(ROOT / "results/issue-246/result.json")
    assert "% prediction interval" not in json.dumps(ols_scatter(result, "f").to_dict()["title"]["subtitle"])  # fmt: skip
    result.metrics["alpha"] = 0.1
    assert "band: 90% prediction interval" in json.dumps(ols_scatter(result, "f").to_dict()["title"])  # fmt: skip

"""The ``correlations`` kind: #213's stored statistics reproduced from its cells, the partial
Spearman against the textbook formula, the bootstrap, strata, leave-group-out, the source
file's quirks and bad input."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError
from scipy import stats as sps

from persona_atlas.analysis.legacy_import.quirks import NonFinite, parse_tolerant
from persona_atlas.errors import InputFileError
from persona_atlas.kinds import get_kind
from persona_atlas.kinds.correlations.compute import run
from persona_atlas.kinds.correlations.config import CorrelationsConfig
from persona_atlas.kinds.correlations.source import QuirkWarning
from persona_atlas.schema import load_result

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "results" / "issue-213"
CELLS = PAGE / "inputs" / "merged_cells.json"
STORED = PAGE / "inputs" / "correlation_results.json"
#: The group's Part A statistics, with the list of the cells they were computed over.
PART_A = PAGE / "inputs" / "part_a_correlation_results.json"


COSINES = PAGE / "inputs" / "cosine_matrices.json"
LAYERS = (10, 15, 20, 25)


def _config(**overrides: object) -> CorrelationsConfig:
    joins = [{"field": f"cos_L{L}", "at": f"matrices.layer_{L}", "keys": ["model", "cue"]}
             for L in LAYERS]  # fmt: skip
    base: dict[str, object] = {
        "source": CELLS, "label": ["model", "cue"], "outcome": "misalignment",
        "predictors": ["js", *(f"cos_L{L}" for L in LAYERS)], "strata": [{"field": "prior"}],
        "group": "cue", "bootstrap": 200, "join_source": COSINES, "joins": joins,
    }  # fmt: skip
    return CorrelationsConfig.model_validate({**base, **overrides})


def _rows(output, table: str) -> list[dict]:
    t = output.tables[table]
    return [dict(zip(t.columns, r, strict=True)) for r in t.rows]


@pytest.fixture(scope="module")
def page():
    return run(_config())


def test_stored_file_has_the_groups_bare_nan():
    stored = parse_tolerant(STORED.read_bytes(), str(STORED))
    assert isinstance(stored["by_prior"]["inert"]["rho"], NonFinite)


def test_reproduces_the_groups_statistics(page):
    stored = parse_tolerant(STORED.read_bytes(), str(STORED))
    raw = page.metrics["correlations"]["js"]["spearman"]
    assert raw["rho"] == pytest.approx(stored["all"]["rho"], abs=1e-9)
    assert raw["p"] == pytest.approx(stored["all"]["p_value"], abs=1e-9)
    assert raw["n"] == stored["all"]["n"] == stored["n_valid"] == 24
    assert page.metrics["n_records"] == stored["n_total"] == 52
    logo_js = [r for r in _rows(page, "leave_group_out") if r["predictor"] == "js"]
    without = {r["dropped"]: r for r in logo_js}["edu_v0"]
    assert without["rho"] == pytest.approx(stored["no_edu_v0"]["rho"], abs=1e-9)
    assert without["p"] == pytest.approx(stored["no_edu_v0"]["p_value"], abs=1e-9)
    assert without["n"] == stored["no_edu_v0"]["n"] == 20
    part_a = json.loads(PART_A.read_text())
    assert part_a["js_all"] == stored["all"] and part_a["js_no_edu_v0"] == stored["no_edu_v0"]
    cells = _rows(page, "cells")
    assert [c["label"] for c in cells] == [c["label"] for c in part_a["cells"]]
    assert page.metrics["joined"] == {f"cos_L{L}": 24 for L in LAYERS}
    assert [(c["js"], c["outcome"]) for c in cells] == [
        (c["js"], c["mis"]) for c in part_a["cells"]
    ]
    logo = page.metrics["leave_group_out"]["js"]
    assert (logo["dropped_at_min"], logo["rho_min"]) == ("edu_v0", without["rho"])
    strata = {r["stratum"]: r for r in _rows(page, "strata") if r["predictor"] == "js"}
    assert set(strata) == set(stored["by_prior"])
    for prior, want in stored["by_prior"].items():
        got = strata[prior]
        assert got["n"] == want["n"]
        if isinstance(want["rho"], NonFinite):  # the group's NaN is our null, with a reason
            assert got["rho"] is None and got["p"] is None
            i = list(strata).index(prior)
            assert "constant" in page.nulls[f"tables.strata.rows[{i}][3]"]
        else:
            assert got["rho"] == pytest.approx(want["rho"], abs=1e-9)
            assert got["p"] == pytest.approx(want["p_value"], abs=1e-9)


def test_reproduces_the_groups_cosine_statistics(page):
    part_a = json.loads(PART_A.read_text())["cosine_by_layer"]
    logo = {(r["predictor"], r["dropped"]): r for r in _rows(page, "leave_group_out")}
    for layer in LAYERS:
        want = part_a[f"layer_{layer}"]
        got = page.metrics["correlations"][f"cos_L{layer}"]["spearman"]
        assert got["rho"] == pytest.approx(want["all"]["rho"], abs=1e-9)
        assert got["p"] == pytest.approx(want["all"]["p_value"], abs=1e-9)
        assert got["n"] == want["n"] == 24
        without = logo[(f"cos_L{layer}", "edu_v0")]
        assert without["rho"] == pytest.approx(want["no_edu_v0"]["rho"], abs=1e-9)
        assert without["p"] == pytest.approx(want["no_edu_v0"]["p_value"], abs=1e-9)
        assert without["n"] == want["no_edu_v0"]["n"] == 20


def test_join_errors_are_clear(tmp_path):
    src = _write(tmp_path, _synthetic(8))
    lookup = tmp_path / "lookup.json"
    lookup.write_text(json.dumps({"by": {"f0": 1.0}}))
    join = {"field": "z", "at": "nowhere", "keys": ["family"]}
    cfg = CorrelationsConfig(source=src, rows="data.cells", outcome="y", predictors=["x"],
                             join_source=lookup, joins=[join], bootstrap=100)  # fmt: skip
    with pytest.raises(InputFileError, match=r"joins\.at 'nowhere' does not resolve"):
        run(cfg)
    clash = cfg.model_copy(
        update={"joins": [cfg.joins[0].model_copy(update={"field": "x", "at": "by"})]}
    )
    with pytest.raises(InputFileError, match="already has a field 'x'"):
        run(clash)
    with pytest.raises(ValidationError, match="joins need join_source"):
        CorrelationsConfig(source=src, outcome="y", predictors=["x"], joins=[join])


def test_committed_page_holds_the_same_numbers():
    result = load_result(PAGE / "result.json")
    stored = parse_tolerant(STORED.read_bytes(), str(STORED))
    assert result.kind == "correlations"
    got = result.metrics["correlations"]["js"]["spearman"]["rho"]
    assert got == pytest.approx(stored["all"]["rho"], abs=1e-9)
    assert result.metrics["leave_group_out"]["js"]["rho_min"] == pytest.approx(
        stored["no_edu_v0"]["rho"], abs=1e-9
    )
    for table in get_kind("correlations").tables:
        assert table.mismatch(result.tables[table.name]) is None


def _write(tmp_path: Path, records: object, text: str | None = None) -> Path:
    path = tmp_path / "cells.json"
    path.write_text(text if text is not None else json.dumps({"data": {"cells": records}}))
    return path


def _synthetic(n: int = 30, seed: int = 1) -> list[dict]:
    rng = np.random.default_rng(seed)
    length = rng.normal(size=n)
    x = length + rng.normal(size=n)
    y = 0.5 * length + 0.3 * x + rng.normal(size=n)
    return [{"x": float(a), "y": float(b), "length": float(c), "family": f"f{i % 5}"}
            for i, (a, b, c) in enumerate(zip(x, y, length, strict=True))]  # fmt: skip


def test_partial_spearman_matches_the_first_order_formula(tmp_path):
    records = _synthetic()
    src = _write(tmp_path, records)
    out = run(CorrelationsConfig(source=src, rows="data.cells", outcome="y", predictors=["x"],
                                 covariates=["length"], bootstrap=200))  # fmt: skip
    x, y, z = (np.array([r[k] for r in records]) for k in ("x", "y", "length"))
    rxy, rxz, ryz = (sps.spearmanr(a, b).statistic for a, b in ((x, y), (x, z), (y, z)))
    want = (rxy - rxz * ryz) / math.sqrt((1 - rxz**2) * (1 - ryz**2))
    by_method = {r["method"]: r for r in _rows(out, "correlations")}
    assert by_method["spearman"]["rho"] == pytest.approx(rxy, abs=1e-12)
    assert by_method["partial_spearman"]["rho"] == pytest.approx(want, abs=1e-12)
    assert by_method["partial_spearman"]["covariates"] == "length"
    for row in by_method.values():
        assert row["ci_lo"] < row["rho"] < row["ci_hi"]


def test_bootstrap_is_seeded(tmp_path):
    src = _write(tmp_path, _synthetic())

    def interval(seed: int) -> tuple:
        cfg = CorrelationsConfig(source=src, rows="data.cells", outcome="y", predictors=["x"],
                                 bootstrap=300, seed=seed)  # fmt: skip
        row = _rows(run(cfg), "correlations")[0]
        return row["ci_lo"], row["ci_hi"]

    assert interval(3) == interval(3)
    assert interval(3) != interval(4)


def test_strata_by_edges_and_leave_group_out(tmp_path):
    records = _synthetic(40)
    src = _write(tmp_path, records)
    cfg = CorrelationsConfig(source=src, rows="data.cells", outcome="y", predictors=["x"],
                             strata=[{"field": "length", "edges": [-5, 0, 5]}], group="family",
                             bootstrap=100)  # fmt: skip
    out = run(cfg)
    strata = _rows(out, "strata")
    assert [s["stratum"] for s in strata] == ["[-5, 0)", "[0, 5]"]
    length = np.array([r["length"] for r in records])
    assert [s["n"] for s in strata] == [int((length < 0).sum()), int((length >= 0).sum())]
    logo = _rows(out, "leave_group_out")
    assert [r["dropped"] for r in logo] == [f"f{i}" for i in range(5)]
    assert all(r["n"] == 32 for r in logo)
    rhos = [r["rho"] for r in logo]
    m = out.metrics["leave_group_out"]["x"]
    assert (m["rho_min"], m["rho_max"]) == (min(rhos), max(rhos))


def test_quirks_are_read_with_warnings(tmp_path):
    records = _synthetic(12)
    text = json.dumps({"data": {"cells": records}})
    text = text.replace(f'"y": {json.dumps(records[0]["y"])}', '"y": NaN', 1)
    text = text.replace(f'"x": {json.dumps(records[1]["x"])}', '"x": "0.25"', 1)
    text = text.replace('"family": "f2"', '"family": "True"', 1)
    src = _write(tmp_path, None, text)
    cfg = CorrelationsConfig(source=src, rows="data.cells", outcome="y", predictors=["x"],
                             group="family", bootstrap=100)  # fmt: skip
    with pytest.warns(QuirkWarning) as caught:
        out = run(cfg)
    messages = [str(w.message) for w in caught]
    assert any("data.cells[0].y: bare NaN read as null" in m for m in messages)
    assert any("data.cells[1].x: number stored as the string '0.25'" in m for m in messages)
    assert any("data.cells[2].family: boolean stored as the string 'True'" in m for m in messages)
    assert out.metrics["source_warnings"] == 3
    assert _rows(out, "correlations")[0]["n"] == 11
    assert "true" in [r["dropped"] for r in _rows(out, "leave_group_out")]


@pytest.mark.parametrize(
    ("records", "rows", "message"),
    [
        ([{"x": 1.0}], "data.cells", "has no field 'y'"),
        ([{"x": 1.0, "y": "high"}], "data.cells", "must be a number, found str"),
        ([{"x": 1.0, "y": 2.0}], "data.rows", "does not resolve"),
        ([], "data.cells", "must be a non-empty list of records"),
        ([[1.0, 2.0]], "data.cells", "must be a JSON object (one cell)"),
        ([{"x": float(i), "y": float(i % 2)} for i in range(3)], "data.cells", "at least 4"),
    ],
)
def test_bad_input_is_one_clear_error(tmp_path, records, rows, message):
    src = _write(tmp_path, records)
    cfg = CorrelationsConfig(source=src, rows=rows, outcome="y", predictors=["x"], bootstrap=100)
    with pytest.raises(InputFileError) as err:
        run(cfg)
    assert message in str(err.value)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"bootstrap": 10}, "greater than or equal to 100"),
        ({"bootstrap": 2000.0}, "valid integer"),
        ({"alpha": 0.5}, "less than 0.5"),
        ({"predictors": []}, "at least 1 item"),
        ({"predictors": ["misalignment"]}, "repeated: misalignment"),
        ({"strata": [{"field": "js", "edges": [0.1, 0.1]}]}, "edges must increase strictly"),
        ({"strata": [{"field": "js", "edges": [0.1]}]}, "at least two edges"),
        ({"resamples": 100}, "Extra inputs are not permitted"),
    ],
)
def test_config_is_validated(override, message):
    with pytest.raises(ValidationError, match=message):
        _config(**override)


def test_forest_figure_draws_the_table(page):
    from persona_atlas.figures.registry import jobs_for

    result = load_result(PAGE / "result.json")
    jobs = [j for j in jobs_for(result) if j.chart == "correlation_forest"]
    assert len(jobs) == 1
    spec = jobs[0].build(result).to_dict()
    assert "outcome: misalignment" in json.dumps(spec)


def test_cells_table_keeps_cells_with_any_predictor_and_explains_nulls(tmp_path):
    records = _synthetic(10)
    records[0]["length"] = None  # kept (x is there), its length null with a reason
    records[1]["x"] = records[1]["length"] = None  # no predictor: not a cell of the table
    src = _write(tmp_path, records)
    cfg = CorrelationsConfig(source=src, rows="data.cells", outcome="y", predictors=["x", "length"],
                             bootstrap=100)  # fmt: skip
    out = run(cfg)
    table = out.tables["cells"]
    assert table.columns == ["label", "outcome", "x", "length"]
    assert [r[0] for r in table.rows] == [str(i) for i in range(10) if i != 1]
    assert table.rows[0][3] is None
    assert (
        out.nulls["tables.cells.rows[0][3]"] == "the source has no number for length in this cell"
    )
    assert [r["n"] for r in _rows(out, "correlations")] == [9, 8]


def test_forest_figure_without_data_says_why():
    from persona_atlas.figures.forest import correlation_forest

    result = load_result(PAGE / "result.json")
    empty = result.model_copy(deep=True)
    empty.tables["correlations"].rows = []
    assert "no defined rho" in json.dumps(correlation_forest(empty, "f").to_dict())
    del empty.tables["correlations"]
    with pytest.raises(InputFileError, match=r"tables\.correlations"):
        correlation_forest(empty, "f")

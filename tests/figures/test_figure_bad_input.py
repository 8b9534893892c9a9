"""Bad input: a result without the fields a chart needs gets an error naming the chart and
the exact missing path; an empty table draws an explicit "no data" figure, never a blank."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from figure_fixtures import build_spec, regression_doc, rsa_doc, stored_matrix_doc

from persona_atlas.errors import InputFileError
from persona_atlas.figures import registry, render
from persona_atlas.schema import ResultFile

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

MATRIX = "metrics.cosine_matrices.A.layer_20"
MATRIX_PARAMS = {"stem": "A", "layer_key": "layer_20"}


@pytest.fixture
def make_doc(small_recipe_doc: dict[str, Any]) -> Callable[[str], dict[str, Any]]:
    """A fresh, mutable result document of one kind: recipe, stored, regression or rsa."""
    docs = {
        "recipe": lambda: copy.deepcopy(small_recipe_doc),
        "stored": stored_matrix_doc,
        "regression": regression_doc,
        "rsa": lambda: rsa_doc(3),
    }
    return lambda kind: docs[kind]()


def node(doc: dict[str, Any], path: str) -> tuple[dict[str, Any], str]:
    """The dict holding the last key of a dotted result.json path, and that key."""
    *parents, last = path.split(".")
    for key in parents:
        doc = doc[key]
    return doc, last


# ------------------------------------------------------------------ missing fields


@pytest.mark.parametrize(
    "kind,chart,params,drop,missing",
    [
        ("recipe", "verdict_partition", {}, ["tables.cells"], "tables.cells"),
        ("recipe", "direction_vs_structure", {}, ["tables.cells"], "tables.cells"),
        ("recipe", "per_persona_cos", {}, ["tables.per_persona_cos", "tables.cells"], "tables.per_persona_cos"),
        ("recipe", "noise_floor", {}, ["tables.noise_floor"], "tables.noise_floor"),
        ("recipe", "noise_floor", {}, ["tables.cells"], "tables.cells"),
        ("stored", "per_persona_cos", {}, ["tables.per_persona_cos"], "tables.per_persona_cos"),
        ("stored", "direction_vs_structure", {}, ["tables.layers"], "tables.cells"),
        ("regression", "ols_scatter", {}, ["tables.ols_points"], "tables.ols_points"),
        ("regression", "ols_scatter", {}, ["tables.ols_fit"], "tables.ols_fit"),
        ("rsa", "rsa_scatter", {}, ["tables.rsa_pairs"], "tables.rsa_pairs"),
        ("stored", "cosine_matrix", MATRIX_PARAMS, [MATRIX], MATRIX),
        ("stored", "cosine_matrix", MATRIX_PARAMS, ["metrics.cosine_matrices"], MATRIX),
        ("recipe", "per_persona_cos", {}, ["metrics.thresholds"], "metrics.thresholds"),
        ("recipe", "per_persona_cos", {}, ["metrics.thresholds.kill_cos_min"], "metrics.thresholds.kill_cos_min"),
        ("recipe", "direction_vs_structure", {}, ["metrics.thresholds.pass_mc_r"], "metrics.thresholds.pass_mc_r"),
        ("recipe", "noise_floor", {}, ["metrics.thresholds"], "metrics.thresholds"),
        ("recipe", "verdict_partition", {}, ["metrics.thresholds.kill_mc_r"], "metrics.thresholds.kill_mc_r"),
    ],
)  # fmt: skip
def test_missing_field_names_chart_and_path(
    make_doc: Callable[[str], dict[str, Any]],
    kind: str,
    chart: str,
    params: dict[str, Any],
    drop: list[str],
    missing: str,
) -> None:
    doc = make_doc(kind)
    for path in drop:
        parent, key = node(doc, path)
        del parent[key]
    with pytest.raises(InputFileError) as err:
        build_spec(doc, chart, **params)
    assert err.value.message.startswith(f"figure {chart!r}: ")
    assert err.value.message.endswith(f"has no `{missing}`")


def test_missing_matrix_names_the_figure_file(stored_doc: dict[str, Any]) -> None:
    """Built through the registry, the error names the figure as its files are named."""
    result = ResultFile.model_validate(copy.deepcopy(stored_doc))  # the fixture is shared
    (job,) = [j for j in registry.jobs_for(result) if j.chart == "cosine_matrix"]
    del result.metrics["cosine_matrices"]["A"]["layer_20"]
    with pytest.raises(InputFileError) as err:
        job.build(result)
    assert err.value.message.startswith("figure 'cosine_matrix_A_layer_20': ")
    assert err.value.message.endswith(f"has no `{MATRIX}`")


@pytest.mark.parametrize(
    "kind,chart,table,column",
    [
        ("recipe", "direction_vs_structure", "cells", "mc_r"),
        ("recipe", "verdict_partition", "verdict_counts", "count"),
        ("regression", "ols_scatter", "ols_fit", "pi_high"),
        ("rsa", "rsa_scatter", "rsa_pairs", "decoupling"),
    ],
)
def test_missing_column_names_the_column(
    make_doc: Callable[[str], dict[str, Any]], kind: str, chart: str, table: str, column: str
) -> None:
    doc = make_doc(kind)
    columns = doc["tables"][table]["columns"]
    columns[columns.index(column)] = f"{column}_renamed"
    with pytest.raises(InputFileError) as err:
        build_spec(doc, chart)
    assert err.value.message.startswith(
        f"figure {chart!r}: `tables.{table}` has no column {column!r} (columns: "
    )


def test_bad_cosine_matrix_shape(stored_doc: dict[str, Any]) -> None:
    doc = copy.deepcopy(stored_doc)
    doc["metrics"]["cosine_matrices"]["A"]["layer_20"]["matrix"].pop()
    with pytest.raises(InputFileError, match=r"has shape \(19, 20\), expected 20×20"):
        build_spec(doc, "cosine_matrix", **MATRIX_PARAMS)


def test_cosine_matrix_entry_without_matrix(stored_doc: dict[str, Any]) -> None:
    doc = copy.deepcopy(stored_doc)
    del doc["metrics"]["cosine_matrices"]["A"]["layer_20"]["matrix"]
    with pytest.raises(InputFileError) as err:
        build_spec(doc, "cosine_matrix", **MATRIX_PARAMS)
    assert err.value.message == (
        f"figure 'cosine_matrix': `{MATRIX}` must be {{personas: [...], matrix: [[...]]}}"
    )


# ------------------------------------------------------------------ empty tables


def empty_rows(*tables: str) -> Callable[[dict[str, Any]], None]:
    def apply(doc: dict[str, Any]) -> None:
        for t in tables:
            doc["tables"][t]["rows"] = []

    return apply


def legacy_without_cells(doc: dict[str, Any]) -> None:
    """A legacy import: no per-persona table, and cells that carry no rows."""
    del doc["tables"]["per_persona_cos"]
    doc["tables"]["cells"]["rows"] = []


def no_personas(doc: dict[str, Any]) -> None:
    doc["metrics"]["cosine_matrices"]["A"]["layer_20"] = {"personas": [], "matrix": []}


def points_without_x(doc: dict[str, Any]) -> None:
    doc["tables"]["ols_points"]["rows"] = [["m0", None, 1.0, False], ["m1", None, 2.0, False]]


@pytest.mark.parametrize(
    "kind,chart,params,empty,reason",
    [
        ("recipe", "noise_floor", {}, empty_rows("noise_floor"), "tables.noise_floor has no rows"),
        ("recipe", "verdict_partition", {}, empty_rows("cells"), "tables.cells has no rows"),
        ("rsa", "rsa_scatter", {}, empty_rows("rsa_pairs"), "tables.rsa_pairs has no rows with both distances"),
        ("recipe", "per_persona_cos", {}, empty_rows("per_persona_cos"), "tables.per_persona_cos has no rows"),
        ("stored", "per_persona_cos", {}, empty_rows("per_persona_cos"), "tables.per_persona_cos has no rows"),
        ("recipe", "per_persona_cos", {}, legacy_without_cells, "tables.cells has no per-persona cos summaries"),
        ("recipe", "direction_vs_structure", {}, empty_rows("cells"), "no per-layer rows in the result"),
        ("stored", "direction_vs_structure", {}, empty_rows("layers"), "no per-layer rows in the result"),
        ("stored", "cosine_matrix", MATRIX_PARAMS, no_personas, f"{MATRIX} has no personas"),
        ("regression", "ols_scatter", {}, empty_rows("ols_points"), "tables.ols_points has no rows with both x and y"),
        ("regression", "ols_scatter", {}, points_without_x, "tables.ols_points has no rows with both x and y"),
    ],
)  # fmt: skip
def test_empty_table_draws_no_data(
    make_doc: Callable[[str], dict[str, Any]],
    kind: str,
    chart: str,
    params: dict[str, Any],
    empty: Callable[[dict[str, Any]], None],
    reason: str,
) -> None:
    doc = make_doc(kind)
    empty(doc)
    spec = build_spec(doc, chart, **params)
    assert reason in json.dumps(spec["title"], ensure_ascii=False)
    (message,) = render.inline_data(spec)
    assert message == [{"message": "no data", "reason": reason}]
    svg = render.render_svg(spec).decode()
    assert ">no data</text>" in svg

"""The committed JSON Schemas are exactly what the pydantic models generate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from persona_atlas.errors import InputFileError
from persona_atlas.schema import ResultFile, json_schemas, load_result, save
from persona_atlas.verbs.schema import render

ROOT = Path(__file__).resolve().parents[1]


def test_committed_schemas_match_models() -> None:
    for name, text in render().items():
        committed = (ROOT / "schemas" / name).read_text()
        assert committed == text, f"schemas/{name} drifted from the models: run `make schema`"


def test_configuration_reference_matches_the_config_models() -> None:
    from persona_atlas.config_docs import configuration_markdown

    committed = (ROOT / "docs" / "configuration.md").read_text()
    assert committed == configuration_markdown(), "docs/configuration.md drifted: `make schema`"


def test_schema_version_is_first_and_every_field_documented() -> None:
    for name, schema in json_schemas().items():
        assert next(iter(schema["properties"])) == "schema_version", name
        for model_name, sub in [(name, schema), *schema.get("$defs", {}).items()]:
            for field, spec in sub.get("properties", {}).items():
                assert spec.get("description"), f"{model_name}.{field} has no docstring"


def _minimal_result(**over: object) -> dict:
    doc = {
        "schema_version": "1",
        "issue": 7,
        "title": "t",
        "kind": "recipe-comparison",
        "provenance": {
            "git": {"commit": None, "dirty": False},
            "created": "2026-01-01T00:00:00Z",
            "code_version": "0.1.0",
            "analysis": {"name": "x", "params": {}},
        },
        "metrics": {"a": 1.5},
    }
    doc.update(over)
    return doc


def test_round_trip_writes_schema_version_first(tmp_path: Path) -> None:
    doc = ResultFile.model_validate(_minimal_result())
    save(tmp_path / "result.json", doc)
    text = (tmp_path / "result.json").read_text()
    assert text.lstrip("{\n ").startswith('"schema_version"')
    assert load_result(tmp_path / "result.json") == doc


def test_nan_in_result_names_line_and_column(tmp_path: Path) -> None:
    p = tmp_path / "result.json"
    p.write_text('{\n  "schema_version": "1",\n  "metrics": {"x": NaN}\n}\n')
    with pytest.raises(InputFileError, match=r"result.json:3:\d+: non-finite"):
        load_result(p)


def test_invalid_json_names_position(tmp_path: Path) -> None:
    p = tmp_path / "result.json"
    p.write_text('{"schema_version": "1",\n "issue": }')
    with pytest.raises(InputFileError, match=r"result.json:2:\d+: invalid JSON"):
        load_result(p)


def test_unknown_version_and_bad_table_are_rejected(tmp_path: Path) -> None:
    p = tmp_path / "result.json"
    p.write_text(json.dumps(_minimal_result(schema_version="9")))
    with pytest.raises(InputFileError, match="schema_version '9'"):
        load_result(p)
    p.write_text(json.dumps(_minimal_result(tables={"t": {"columns": ["a", "b"], "rows": [[1]]}})))
    with pytest.raises(InputFileError, match=r"tables\.t.*row 0 has 1 cells"):
        load_result(p)

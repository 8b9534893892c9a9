"""The typed API between an analysis script (``analyses/<name>.py``) and the ``script`` kind.

A script defines one function (``analyse`` unless the config names another)::

    from persona_atlas.kinds.script import api

    def analyse(inputs: api.ScriptInputs) -> api.ScriptOutput:
        data = inputs.json("spread")          # a declared input, parsed
        ...
        return api.ScriptOutput(
            values={"n": 3, "spread": {"max": 0.41}},
            tables={"items": api.ScriptTable(["item", "score"], [["a", 0.1]], "One row per item.")},
        )

The function gets only what the experiment declares (``inputs``: name → file, ``params``:
JSON scalars) and returns plain data: `validate` refuses anything a result.json cannot hold
(a NaN, an infinity, a ragged table, a set, an object) with an error naming where it is.
"""

from __future__ import annotations

import json
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from persona_atlas.errors import InputFileError
from persona_atlas.schema import Scalar, Table

#: A value a script may return: a scalar, or lists and string-keyed objects of values.
Value = Scalar | list[Any] | dict[str, Any]


class ScriptError(InputFileError):
    """What an analysis script returned (or how it is configured) cannot make a result."""


@dataclass(frozen=True)
class ScriptInputs:
    """What the script receives: its declared input files and parameters, nothing else."""

    files: Mapping[str, Path]
    """Input name (the ``inputs`` key of the config) → absolute path of the file."""
    params: Mapping[str, Scalar] = field(default_factory=dict)
    """The ``params`` of the config (JSON scalars)."""

    def path(self, name: str) -> Path:
        if name not in self.files:
            raise ScriptError(
                f"the script asked for input {name!r}, which the config does not declare",
                hint=f"declared inputs: {', '.join(self.files) or 'none'}; add it to `inputs`",
            )
        return self.files[name]

    def text(self, name: str) -> str:
        return self.path(name).read_text(encoding="utf-8")

    def json(self, name: str) -> Any:
        """The input ``name`` parsed as strict JSON (bare NaN / Infinity refused)."""
        path = self.path(name)

        def refuse(token: str) -> float:
            raise ScriptError(f"{path}: {token} is not JSON; write null")

        try:
            return json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse)
        except json.JSONDecodeError as exc:
            raise ScriptError(f"{path}: not valid JSON ({exc})") from None


@dataclass(frozen=True)
class ScriptTable:
    """A table of the result: column names, then one list of cells per row."""

    columns: list[str]
    rows: list[list[Scalar]]
    description: str = ""
    """One sentence saying what a row is (shown under the table)."""


@dataclass(frozen=True)
class ScriptOutput:
    """What the script returns: ``values`` become the result's metrics, ``tables`` its
    tables, ``verdict`` (optional) its headline."""

    values: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, ScriptTable] = field(default_factory=dict)
    verdict: str | None = None


def _scalar(value: object, where: str) -> Scalar:
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        if not math.isfinite(number):
            raise ScriptError(
                f"{where} is {number}, not a finite number",
                hint="return None for a value that cannot be computed, and say why in the report",
            )
        return number
    raise ScriptError(
        f"{where} is a {type(value).__name__}; allowed: str, int, float, bool or None",
        hint="convert it to a JSON scalar in the script",
    )


def _value(value: object, where: str) -> Value:
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str) or not key:
                raise ScriptError(f"{where} has the key {key!r}; keys are non-empty strings")
            out[key] = _value(item, f"{where}.{key}")
        return out
    if isinstance(value, list | tuple):
        return [_value(item, f"{where}[{i}]") for i, item in enumerate(value)]
    return _scalar(value, where)


def _table(name: str, table: object) -> Table:
    where = f"tables.{name}"
    if not isinstance(table, ScriptTable):
        raise ScriptError(f"{where} is a {type(table).__name__}, not an api.ScriptTable")
    columns = table.columns
    if not isinstance(columns, list | tuple) or not columns:
        raise ScriptError(f"{where}.columns must be a non-empty list of names")
    if not all(isinstance(c, str) and c for c in columns) or len(set(columns)) != len(columns):
        raise ScriptError(f"{where}.columns must be distinct non-empty strings: {columns!r}")
    if not isinstance(table.rows, list | tuple):
        raise ScriptError(f"{where}.rows must be a list of rows")
    rows: list[list[Scalar]] = []
    for i, row in enumerate(table.rows):
        if not isinstance(row, list | tuple) or len(row) != len(columns):
            cells = len(row) if isinstance(row, list | tuple) else type(row).__name__
            raise ScriptError(
                f"{where}.rows[{i}] has {cells} cells, the table has {len(columns)} columns"
            )
        rows.append([_scalar(c, f"{where}.rows[{i}].{col}") for c, col in zip(row, columns)])
    if not isinstance(table.description, str):
        raise ScriptError(f"{where}.description must be a string")
    return Table(columns=list(columns), rows=rows, description=table.description)


def validate(returned: object) -> tuple[dict[str, Any], dict[str, Table], str | None]:
    """(metrics, tables, verdict) of what the script returned, or a `ScriptError` naming
    the first thing a result cannot hold."""
    if not isinstance(returned, ScriptOutput):
        raise ScriptError(
            f"the script returned a {type(returned).__name__}, not an api.ScriptOutput",
            hint="return api.ScriptOutput(values=..., tables=...)",
        )
    if not isinstance(returned.values, Mapping):
        raise ScriptError("values must be a dict of name → value")
    metrics = _value(returned.values, "values")
    assert isinstance(metrics, dict)
    if not isinstance(returned.tables, Mapping):
        raise ScriptError("tables must be a dict of name → api.ScriptTable")
    tables: dict[str, Table] = {}
    for name, table in returned.tables.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise ScriptError(f"table name {name!r}: use letters, digits and _")
        tables[name] = _table(name, table)
    verdict = returned.verdict
    if verdict is not None and not isinstance(verdict, str):
        raise ScriptError(f"verdict must be a str or None, not {type(verdict).__name__}")
    return metrics, tables, verdict

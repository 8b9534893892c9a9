"""Typed, forgiving access to a parsed legacy JSON file.

The group's writer has quirks: bare ``NaN`` tokens, booleans and numbers stored as strings.
Each is tolerated here with a warning naming the file and the JSON path (a non-finite value
becomes null with its reason recorded); a missing key or a wrong type is an
``InputFileError`` naming both.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from persona_atlas.errors import InputFileError
from persona_atlas.jsonpath import format_path
from persona_atlas.schema import Scalar

#: Legacy method names → canonical recipe names (``persona_atlas.config.RECIPES``).
LEGACY_RECIPES = {
    "a": "A",
    "b": "B",
    "bstar": "B*",
    "bstar_no_last": "B*_no_last",
    "c1": "C1",
    "c2": "C2",
    "c3": "C3",
}


@dataclass
class Row:
    """One table row read from one legacy file; ``why`` explains each null value."""

    values: dict[str, Scalar]
    why: dict[str, str] = field(default_factory=dict)


class NonFinite:
    """A bare NaN/Infinity token, kept as a marker until its JSON path is known."""

    def __init__(self, token: str) -> None:
        self.token = token


def join(at: str, key: str | int) -> str:
    """JSON path of ``key`` under ``at`` in ``persona_atlas.jsonpath`` syntax."""
    return at + format_path(["_", key])[1:] if at else format_path([key])


def _kind(value: Any) -> str:
    if isinstance(value, NonFinite):
        return f"bare {value.token}"
    return "null" if value is None else type(value).__name__


class Reader:
    """Typed access to one parsed legacy file: quirks become warnings, missing keys raise."""

    def __init__(self, shown: str) -> None:
        self.shown = shown
        self.warnings: list[str] = []

    def warn(self, where: str, message: str) -> None:
        self.warnings.append(f"{self.shown}: {where}: {message}")

    def fail(self, where: str, expected: str, value: Any) -> InputFileError:
        return InputFileError(
            f"{self.shown}: {where or '(root)'} must be {expected}, found {_kind(value)}",
            hint="is this a #201/#218-format run_result.json? see docs/import.md",
        )

    def get(self, obj: Any, key: str, at: str, *, required: bool = True) -> Any:
        if not isinstance(obj, dict):
            raise self.fail(at, "a JSON object", obj)
        if key not in obj:
            if not required:
                return None
            raise InputFileError(
                f"{self.shown}: missing required key {join(at, key)}",
                hint="the legacy recipe-sweep format needs it; see docs/import.md",
            )
        return obj[key]

    def items(self, obj: Any, at: str, kind: type) -> Any:
        if not isinstance(obj, kind):
            raise self.fail(at, "a JSON " + ("object" if kind is dict else "list"), obj)
        return obj

    def number(self, value: Any, where: str, row: Row, column: str) -> None:
        """Store a number from the legacy file into ``row``; a null gets its reason."""
        if isinstance(value, NonFinite):
            self.warn(where, f"bare {value.token} read as null")
            row.why[column] = f"{self.shown} stores a bare {value.token} at {where}"
            value = None
        elif isinstance(value, str):
            try:
                parsed = float(value)
            except ValueError:
                raise self.fail(where, "a number", value) from None
            if parsed - parsed != 0:  # NaN or ±inf spelled as a string
                self.warn(where, f"non-finite {value!r} stored as a string, read as null")
                row.why[column] = f"{self.shown} stores the string {value!r} at {where}"
                value = None
            else:
                self.warn(where, f"number stored as the string {value!r}")
                value = parsed
        elif value is None:
            # Same text for every cell of a column, so a null column is explained once.
            row.why[column] = f"{self.shown} stores null at {_below_cell(where)}"
        elif isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(where, "a number", value)
        row.values[column] = value

    def number_at(self, obj: Any, keys: str, at: str, row: Row, column: str) -> None:
        """``number`` for the value at dotted ``keys`` below ``obj`` (each key required)."""
        for key in keys.split("."):
            obj = self.get(obj, key, at)
            at = join(at, key)
        self.number(obj, at, row, column)

    def integer(self, value: Any, where: str) -> int:
        if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
            self.warn(where, f"integer stored as the string {value!r}")
            return int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(where, "an integer", value)
        return value

    def boolean(self, value: Any, where: str) -> bool:
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            self.warn(where, f"boolean stored as the string {value!r}")
            return value.strip().lower() == "true"
        if not isinstance(value, bool):
            raise self.fail(where, "a boolean", value)
        return value

    def text(self, value: Any, where: str) -> str:
        if not isinstance(value, str):
            raise self.fail(where, "a string", value)
        return value

    def recipe(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or value.lower() not in LEGACY_RECIPES:
            raise InputFileError(
                f"{self.shown}: unknown recipe {value!r} at {where}",
                hint=f"legacy recipe names are {', '.join(LEGACY_RECIPES)}",
            )
        return LEGACY_RECIPES[value.lower()]

    def pair(self, value: Any, where: str) -> tuple[str, str]:
        if not isinstance(value, list) or len(value) != 2:
            raise self.fail(where, "an [x, y] pair of recipe names", value)
        return self.recipe(value[0], f"{where}[0]"), self.recipe(value[1], f"{where}[1]")


def _below_cell(where: str) -> str:
    """``cross_method_metrics.a__b__layer7.matrix_mc.pearson_r`` → ``matrix_mc.pearson_r``."""
    parts = where.split(".", 2)
    return parts[2] if len(parts) == 3 and parts[0] in _CELL_PARENTS else where


_CELL_PARENTS = ("cross_method_metrics", "noise_floor")


def parse_tolerant(data: bytes, shown: str) -> Any:
    """Parse JSON bytes; bare NaN/Infinity become ``NonFinite`` markers, not floats."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{shown}: not UTF-8 text (byte {exc.start})") from None
    try:
        return json.loads(text, parse_constant=NonFinite)
    except json.JSONDecodeError as exc:
        raise InputFileError(
            f"{shown}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}",
            hint="bare NaN is tolerated, broken syntax is not",
        ) from None

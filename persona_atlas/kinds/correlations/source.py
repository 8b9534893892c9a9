"""Read the cells of a ``correlations`` analysis from one JSON file, quirks tolerated.

The group's files hold bare ``NaN`` / ``Infinity`` tokens and numbers or booleans stored as
strings. Each is accepted with a warning naming the file and the JSON path: a non-finite
number becomes null (the cell then drops out of every correlation that needs the field), a
numeric string becomes its number, a boolean string (``"True"``) the label ``true``. A
missing field, a record that is not an object or a value of the wrong type is an error.
Joined fields are copied into the records before they are read, so their quirks are
reported at the record's path (``[3].cos_L10``), not at their place in the second file.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from persona_atlas.analysis.legacy_import.quirks import NonFinite, join, parse_tolerant
from persona_atlas.errors import InputFileError
from persona_atlas.jsonpath import PathError, resolve
from persona_atlas.kinds.correlations.config import Join


class QuirkWarning(UserWarning):
    """A value of the source file read leniently (bare NaN, a number or boolean as text)."""


@dataclass
class Cells:
    """The records of the source: numeric fields as float or None, labels as text."""

    numbers: dict[str, list[float | None]]
    labels: dict[str, list[str | None]]
    names: list[str]
    warnings: list[str] = field(default_factory=list)
    joined: dict[str, int] = field(default_factory=dict)
    """Joined field → records it found a value for."""

    def __len__(self) -> int:
        return len(self.names)


def _parse(path: Path) -> Any:
    try:
        return parse_tolerant(path.read_bytes(), str(path))
    except FileNotFoundError:
        raise InputFileError(f"{path}: file not found", hint="check analysis.source") from None


def _records(path: Path, rows: str) -> list[Any]:
    data = _parse(path)
    if rows:
        try:
            data = resolve(data, rows)
        except PathError as exc:
            raise InputFileError(
                f"{path}: analysis.rows {rows!r} does not resolve: {exc}",
                hint="give the JSON path of the list of records (empty: the file is the list)",
            ) from None
    if not isinstance(data, list) or not data:
        raise InputFileError(
            f"{path}: {rows or '(root)'} must be a non-empty list of records",
            hint="set analysis.rows to the JSON path of the list of cells",
        )
    return data


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.warnings: list[str] = []

    def warn(self, where: str, message: str) -> None:
        text = f"{self.path}: {where}: {message}"
        self.warnings.append(text)
        warnings.warn(text, QuirkWarning, stacklevel=4)

    def number(self, value: Any, where: str) -> float | None:
        if value is None:
            return None
        if isinstance(value, NonFinite):
            self.warn(where, f"bare {value.token} read as null")
            return None
        if isinstance(value, str):
            try:
                parsed = float(value)
            except ValueError:
                raise self._wrong(where, "a number", value) from None
            if parsed - parsed != 0:
                self.warn(where, f"non-finite {value!r} stored as a string, read as null")
                return None
            self.warn(where, f"number stored as the string {value!r}")
            return parsed
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self._wrong(where, "a number", value)
        return float(value)

    def label(self, value: Any, where: str) -> str | None:
        if value is None:
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str):
            if value.strip().lower() in ("true", "false"):
                self.warn(where, f"boolean stored as the string {value!r}")
                return value.strip().lower()
            return value
        if isinstance(value, int | float):
            return str(value)
        raise self._wrong(where, "a label (text, number or boolean)", value)

    def _wrong(self, where: str, expected: str, value: Any) -> InputFileError:
        found = f"bare {value.token}" if isinstance(value, NonFinite) else type(value).__name__
        return InputFileError(
            f"{self.path}: {where} must be {expected}, found {found}",
            hint="fix the field names in the analysis section or the source file",
        )


def _joined(
    records: list[Any], rows: str, path: Path, source: Path, joins: list[Join]
) -> tuple[list[Any], dict[str, int]]:
    """``records`` with each join's field added (markers kept for the reader), and how
    many records each join found a value for."""
    data = _parse(source)
    found: dict[str, int] = {}
    out = [dict(r) if isinstance(r, dict) else r for r in records]
    for spec in joins:
        try:
            table = resolve(data, spec.at)
        except PathError as exc:
            raise InputFileError(
                f"{source}: joins.at {spec.at!r} does not resolve: {exc}",
                hint="give the JSON path of the nested objects the join indexes",
            ) from None
        found[spec.field] = 0
        for i, record in enumerate(out):
            if not isinstance(record, dict):
                continue
            value: Any = table
            for key in spec.keys:
                if key not in record:
                    raise InputFileError(
                        f"{path}: record {join(rows, i)} has no field {key!r} (a join key)"
                    )
                value = value.get(str(record[key])) if isinstance(value, dict) else None
            if spec.field in record:
                raise InputFileError(
                    f"{path}: record {join(rows, i)} already has a field {spec.field!r}",
                    hint="name the joined field something the records do not have",
                )
            record[spec.field] = value
            found[spec.field] += value is not None
    return out, found


def read_cells(
    path: Path,
    rows: str,
    numeric: list[str],
    categorical: list[str],
    label: list[str],
    *,
    join_source: Path | None = None,
    joins: list[Join] | None = None,
) -> Cells:
    """Every record's ``numeric`` fields (float or None) and ``categorical`` ones (text),
    with the ``joins``' fields looked up in ``join_source`` first."""
    records = _records(path, rows)
    joined: dict[str, int] = {}
    if joins and join_source is not None:
        records, joined = _joined(records, rows, path, join_source, joins)
    reader = _Reader(path)
    numbers: dict[str, list[float | None]] = {f: [] for f in numeric}
    labels: dict[str, list[str | None]] = {f: [] for f in categorical}
    names: list[str] = []
    for i, record in enumerate(records):
        at = join(rows, i)
        if not isinstance(record, dict):
            raise reader._wrong(at or f"[{i}]", "a JSON object (one cell)", record)
        for f in dict.fromkeys([*numeric, *categorical, *label]):
            if f not in record:
                raise InputFileError(
                    f"{path}: record {at} has no field {f!r}",
                    hint=f"its fields are {', '.join(sorted(record))}",
                )
        for f in numeric:
            numbers[f].append(reader.number(record[f], join(at, f)))
        for f in categorical:
            labels[f].append(reader.label(record[f], join(at, f)))
        parts = [reader.label(record[f], join(at, f)) for f in label]
        names.append("_".join(p or "null" for p in parts) if label else str(i))
    return Cells(numbers, labels, names, reader.warnings, joined)

"""Read one of the group's result JSON files as it is, quirks and all.

The group's writers produce bare ``NaN`` / ``Infinity`` tokens (and numbers too large for a
float), booleans stored as strings, and the odd duplicated key. Each is tolerated with a
warning naming the file and the JSON path: a non-finite number becomes null (its reason goes
to ``nulls``), ``"true"`` / ``"True"`` / ``"false"`` become booleans, and of a duplicated
key the last value is kept, as every JSON reader the group used does. Bytes that are not
UTF-8 or broken syntax are an ``InputFileError`` naming the byte or the line and column.
"""

from __future__ import annotations

import codecs
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from persona_atlas.errors import InputFileError
from persona_atlas.files import sha256_bytes
from persona_atlas.jsonpath import format_path

Step = str | int
_BOOLEANS = {
    "true": True,
    "True": True,
    "TRUE": True,
    "false": False,
    "False": False,
    "FALSE": False,
}


class _NonFinite:
    """A bare NaN / Infinity token (or an overflowing number), until its path is known."""

    def __init__(self, token: str) -> None:
        self.token = token


class _Object(dict[str, Any]):
    """A parsed JSON object that remembers the values its duplicated keys dropped."""

    dropped: list[tuple[str, Any]]


def _object(pairs: list[tuple[str, Any]]) -> _Object:
    obj = _Object()
    obj.dropped = []
    for key, value in pairs:
        if key in obj:
            obj.dropped.append((key, obj[key]))
        obj[key] = value
    return obj


def _float(text: str) -> float | _NonFinite:
    value = float(text)
    return value if math.isfinite(value) else _NonFinite(text)


def _int(text: str) -> int | _NonFinite:
    """An integer too large for a float (a 400-digit count) is read like ``1e400``."""
    value = int(text)
    try:
        float(value)
    except OverflowError:
        return _NonFinite(text[:20] + "…")
    return value


@dataclass
class Quirk:
    """One tolerated oddity: where it is and what was done about it."""

    path: str
    """JSON path inside the file (``persona_atlas.jsonpath`` syntax)."""
    what: str


@dataclass
class ImportedFile:
    """One file, parsed and normalised: ``doc`` holds only JSON values."""

    shown: str
    sha256: str
    size: int
    doc: Any
    quirks: list[Quirk] = field(default_factory=list)
    nulls: dict[tuple[Step, ...], str] = field(default_factory=dict)
    """JSON path inside the file (as steps) → why it holds null."""

    def warnings(self) -> list[str]:
        return [f"{self.shown}: {q.path or '(root)'}: {q.what}" for q in self.quirks]


def read_file(path: Path, shown: str) -> ImportedFile:
    """Parse ``path`` (named ``shown`` in every message) tolerating the group's quirks."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputFileError(f"{shown}: file not found") from None
    except IsADirectoryError:
        raise InputFileError(
            f"{shown}: is a folder, not a JSON file", hint="name the JSON file(s) inside it"
        ) from None
    return parse_bytes(data, shown)


def parse_bytes(data: bytes, shown: str) -> ImportedFile:
    out = ImportedFile(shown=shown, sha256=sha256_bytes(data), size=len(data), doc=None)
    if data.startswith(codecs.BOM_UTF8):
        out.quirks.append(Quirk("", "UTF-8 byte-order mark ignored"))
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputFileError(
            f"{shown}: not UTF-8 text: byte 0x{data[exc.start]:02x} at offset {exc.start}",
            hint="re-save the file as UTF-8 JSON",
        ) from None
    try:
        raw = json.loads(
            text,
            parse_constant=_NonFinite,
            parse_float=_float,
            parse_int=_int,
            object_pairs_hook=_object,
        )
    except json.JSONDecodeError as exc:
        raise InputFileError(
            f"{shown}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}",
            hint="bare NaN and Infinity are tolerated, broken syntax is not",
        ) from None
    out.doc = _normalise(raw, [], out)
    return out


def _normalise(value: Any, at: list[Step], out: ImportedFile) -> Any:
    where = format_path(at)
    if isinstance(value, _NonFinite):
        out.quirks.append(Quirk(where, f"bare {value.token} read as null"))
        out.nulls[tuple(at)] = f"{out.shown} stores a bare {value.token} at {where}"
        return None
    if isinstance(value, str) and value in _BOOLEANS:
        out.quirks.append(Quirk(where, f"boolean stored as the string {value!r}, read as one"))
        return _BOOLEANS[value]
    if isinstance(value, _Object):
        for key, dropped in value.dropped:
            shown = json.dumps(_plain(dropped))[:60]
            out.quirks.append(
                Quirk(
                    format_path([*at, key]), f"duplicate key: the last value kept, {shown} dropped"
                )
            )
        return {k: _normalise(v, [*at, k], out) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v, [*at, i], out) for i, v in enumerate(value)]
    if value is None:
        out.nulls[tuple(at)] = f"{out.shown} stores null at {where or 'its top level'}"
    return value


def _plain(value: Any) -> Any:
    """``value`` as JSON, for a message (a non-finite token shown as its text)."""
    if isinstance(value, _NonFinite):
        return value.token
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value

"""Personas and questions files: the two inputs every extraction reads.

Personas: a YAML/JSON mapping ``name → system prompt`` (row order = file order).
Questions: a YAML/JSON list of strings (ids ``q0``, ``q1``, ...) or a mapping ``id → question``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from persona_atlas.errors import InputFileError
from persona_atlas.files import sha256_file


@dataclass(frozen=True)
class Inputs:
    """Personas and questions as read, with the hashes run.json records."""

    personas: dict[str, str]
    questions: dict[str, str]
    personas_path: Path
    questions_path: Path
    personas_sha256: str
    questions_sha256: str


class _UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses duplicate keys instead of keeping the last one."""


def _mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise InputFileError(
                f"{loader.name}:{key_node.start_mark.line + 1}: duplicate key {key!r}",
                hint="every persona / question id must be unique",
            )
        seen[key] = loader.construct_object(value_node, deep=True)
    return seen


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def _load(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputFileError(f"{path}: file not found") from None
    if path.suffix == ".json":
        return json.loads(text, object_pairs_hook=_unique_pairs(path))
    loader = _UniqueKeyLoader(text)
    loader.name = str(path)
    try:
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        raise InputFileError(f"{path}: invalid YAML: {exc}") from None
    finally:
        loader.dispose()


def _unique_pairs(path: Path) -> Any:
    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in pairs:
            if k in out:
                raise InputFileError(f"{path}: duplicate key {k!r}")
            out[k] = v
        return out

    return hook


def _strings(path: Path, data: Any, what: str, allow_list: bool) -> dict[str, str]:
    if allow_list and isinstance(data, list):
        data = {f"q{i}": v for i, v in enumerate(data)}
    if not isinstance(data, dict) or not data:
        shape = "a non-empty mapping or list" if allow_list else "a non-empty mapping"
        raise InputFileError(f"{path}: the {what} file must be {shape}")
    out: dict[str, str] = {}
    for key, value in data.items():
        if not isinstance(value, str) or not value.strip():
            raise InputFileError(
                f"{path}: {what} {key!r} must be a non-empty string, got {value!r}",
            )
        out[str(key)] = value
    return out


def load_inputs(personas: Path, questions: Path) -> Inputs:
    """Read and validate both files; errors name the file (and line for duplicates)."""
    return Inputs(
        personas=_strings(personas, _load(personas), "persona", allow_list=False),
        questions=_strings(questions, _load(questions), "question", allow_list=True),
        personas_path=personas,
        questions_path=questions,
        personas_sha256=sha256_file(personas),
        questions_sha256=sha256_file(questions),
    )

"""The registry of kinds: the one list of what ``atlas`` can compute, check and publish.

Adding a kind is one folder, ``persona_atlas/kinds/<kind>/`` whose ``__init__`` defines
``KIND`` (a `persona_atlas.kinds.base.Kind`), and one line in `KINDS`. Everything else reads
the declaration: the experiment config (``analysis.name`` selects the kind, its config model
validates the section), ``atlas analyze`` / ``--verify``, the code version ``atlas check``
compares, the figures, the linter's vocabulary, docs/kinds.md and docs/configuration.md.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import TYPE_CHECKING

from pydantic import ConfigDict, field_validator

from persona_atlas.config_types import KindConfig
from persona_atlas.errors import ConfigError

if TYPE_CHECKING:
    from persona_atlas.kinds.base import Kind
    from persona_atlas.schema import ResultFile

#: kind name → the package that declares it (imported on first use).
KINDS: dict[str, str] = {
    "recipe-comparison": "persona_atlas.kinds.recipe_comparison",
    "stored-matrix-comparison": "persona_atlas.kinds.stored_matrix_comparison",
    "regression": "persona_atlas.kinds.regression",
    "geometry": "persona_atlas.kinds.geometry",
    "correlations": "persona_atlas.kinds.correlations",
    "imported": "persona_atlas.kinds.imported",
    "script": "persona_atlas.kinds.script",
}
#: The kind an ``analysis`` section without ``name`` selects.
DEFAULT_KIND = "recipe-comparison"


@cache
def _load(package: str) -> Kind:
    from persona_atlas.kinds.base import Kind

    kind = getattr(importlib.import_module(package), "KIND", None)
    if not isinstance(kind, Kind):
        raise TypeError(f"{package}: defines no KIND (a persona_atlas.kinds.base.Kind)")
    return kind


def get_kind(name: str) -> Kind:
    if name not in KINDS:
        raise ConfigError(
            f"analysis.name: unknown kind {name!r}",
            hint=f"registered kinds: {', '.join(KINDS)} (docs/kinds.md)",
        )
    kind = _load(KINDS[name])
    if kind.name != name:
        raise TypeError(f"{KINDS[name]}: KIND.name is {kind.name!r}, registered as {name!r}")
    return kind


def all_kinds() -> list[Kind]:
    return [get_kind(name) for name in KINDS]


class UnknownKind(KindConfig):
    """Stands in for the config model of a name no kind has: refuses the name alone."""

    model_config = ConfigDict(extra="ignore")

    @field_validator("name")
    @classmethod
    def _registered(cls, name: str) -> str:
        raise ValueError(f"unknown kind {name!r}; registered kinds: {', '.join(KINDS)}")


def config_model(name: object) -> type[KindConfig]:
    """The config model of the kind ``name`` (`UnknownKind` for a name no kind has, so
    the error points at ``analysis.name``)."""
    if isinstance(name, str) and name in KINDS:
        return get_kind(name).config
    return UnknownKind


def producer_of(analysis: str) -> tuple[Kind, tuple[str, ...], str | None]:
    """(kind, modules its code version covers, the kind's folder or None) of the analysis
    or importer recorded as ``provenance.analysis.name``."""
    for kind in all_kinds():
        if kind.name == analysis:
            return kind, kind.modules, KINDS[kind.name]
        for producer in kind.producers:
            if producer.name == analysis:
                return kind, producer.modules, None
    raise ConfigError(
        f"{analysis!r} is neither a registered kind nor the importer of one",
        hint=f"registered kinds: {', '.join(KINDS)} (docs/kinds.md)",
    )


def kind_of(result: ResultFile) -> Kind | None:
    """The registered kind whose declaration describes ``result``: the one that produced it
    when it writes ``result.kind``, else the kind named ``result.kind`` (None: no kind)."""
    analysis = result.provenance.analysis.name
    for kind in all_kinds():
        named = analysis == kind.name or any(p.name == analysis for p in kind.producers)
        if named and kind.writes == result.kind:
            return kind
    return get_kind(result.kind) if result.kind in KINDS else None

"""Say what a value may be: the allowed range of a typed field, for errors and the docs.

A pydantic error says what is wrong with one bound ("less than or equal to 1000000"); a user
fixing a config needs the whole rule ("a whole number from 0 to 1,000,000"). ``allowed``
reads it from the model itself, so the error message, the generated configuration reference
and the model cannot disagree.
"""

from __future__ import annotations

import typing
from pathlib import Path
from types import NoneType, UnionType
from typing import Annotated, Any, Literal

import annotated_types as at
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

_KIND = {int: "a whole number", float: "a number", bool: "true or false"}


def allowed(annotation: Any, metadata: list[Any] | None = None) -> str | None:
    """``a whole number from 0 to 1,000,000`` / ``one of: pearson, spearman`` / None."""
    annotation, metadata = _unwrap(annotation, list(metadata or []))
    args = [a for a in typing.get_args(annotation) if a is not NoneType]
    nullable = _is_union(annotation) and len(args) < len(typing.get_args(annotation))
    if nullable and len(args) == 1:
        inner = allowed(args[0], metadata)
        return f"{inner}, or null" if inner else None
    if typing.get_origin(annotation) is list:
        (item,) = typing.get_args(annotation) or (None,)
        each = allowed(item) if item is not None else None
        return f"a list, each {each}" if each else None
    if typing.get_origin(annotation) is Literal:
        return "one of: " + ", ".join(str(a) for a in typing.get_args(annotation))
    if annotation is Path:
        return "a path"
    kind = _KIND.get(annotation)
    if kind is None:
        return None
    bounds = _bounds(metadata)
    return f"{kind} {bounds}" if bounds else kind


def field_rule(model: type[BaseModel], loc: tuple[int | str, ...]) -> str | None:
    """``allowed`` for the value at ``loc`` (a pydantic error location) inside ``model``."""
    node: Any = model
    metadata: list[Any] = []
    for step in loc:
        node, metadata = _unwrap(node, metadata)
        sub = _model_in(node)
        if sub is not None and isinstance(step, str) and step in sub.model_fields:
            field: FieldInfo = sub.model_fields[step]
            node, metadata = field.annotation, list(field.metadata)
        elif isinstance(step, int) and typing.get_origin(_strip_none(node)) is list:
            (node,) = typing.get_args(_strip_none(node))
            metadata = []
        else:
            return None
    return allowed(node, metadata)


def describe_error(exc: ValidationError, model: type[BaseModel] | None = None) -> str:
    """``key.path: what is wrong (got X; allowed: rule)`` for the first error of ``exc``."""
    err = exc.errors()[0]
    where = ".".join(str(x) for x in err["loc"]) or "(root)"
    rule = field_rule(model, err["loc"]) if model is not None else None
    got = repr(err.get("input"))
    got = got if len(got) <= 60 else got[:57] + "..."
    more = f" (and {exc.error_count() - 1} more error(s))" if exc.error_count() > 1 else ""
    if err["type"] == "value_error":  # our own validators say the whole rule
        tail = ""
    elif err["type"] in ("missing", "extra_forbidden"):
        tail = f"allowed: {rule}" if rule and err["type"] == "missing" else ""
    else:
        tail = f"got {got}" + (f"; allowed: {rule}" if rule else "")
    msg = err["msg"].removeprefix("Value error, ")
    return f"{where}: {msg}" + (f" ({tail})" if tail else "") + more


def _bounds(metadata: list[Any]) -> str:
    lo: Any = None
    hi: Any = None
    lo_open = hi_open = False
    for m in metadata:
        if isinstance(m, at.Ge):
            lo = m.ge
        elif isinstance(m, at.Gt):
            lo, lo_open = m.gt, True
        elif isinstance(m, at.Le):
            hi = m.le
        elif isinstance(m, at.Lt):
            hi, hi_open = m.lt, True
    if lo is not None and hi is not None:
        if not lo_open and not hi_open:
            return f"from {_n(lo)} to {_n(hi)}"
        low = f"above {_n(lo)}" if lo_open else f"at least {_n(lo)}"
        return f"{low} and {'below' if hi_open else 'at most'} {_n(hi)}"
    if lo is not None:
        return f"{'above' if lo_open else 'at least'} {_n(lo)}"
    if hi is not None:
        return f"{'below' if hi_open else 'at most'} {_n(hi)}"
    return ""


def _n(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def plain(annotation: Any) -> Any:
    """``annotation`` without its ``Annotated`` constraints, for display."""
    annotation, _ = _unwrap(annotation, [])
    if typing.get_origin(annotation) is list:
        return list[plain(typing.get_args(annotation)[0])]  # type: ignore[misc]
    return annotation


def _unwrap(annotation: Any, metadata: list[Any]) -> tuple[Any, list[Any]]:
    """Strip ``Annotated[...]``, collecting its constraints."""
    while typing.get_origin(annotation) is Annotated:
        base, *extra = typing.get_args(annotation)
        for item in extra:
            metadata += item.metadata if isinstance(item, FieldInfo) else [item]
        annotation = base
    return annotation, metadata


def _is_union(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (typing.Union, UnionType)


def _strip_none(annotation: Any) -> Any:
    if _is_union(annotation):
        args = [a for a in typing.get_args(annotation) if a is not NoneType]
        if len(args) == 1:
            return args[0]
    return annotation


def _model_in(annotation: Any) -> type[BaseModel] | None:
    bare = _strip_none(annotation)
    return bare if isinstance(bare, type) and issubclass(bare, BaseModel) else None

"""Bound numbers and other template helpers, checked without rendering.

Every ``value("path", "fmt")`` / ``table("name")`` / ``figure("name", "caption")`` /
``hero()`` / ``query("sql")`` call inside ``{{ }}`` or ``{% %}`` is found with its exact
position and checked the way the renderer (`persona_atlas.site.render`) would evaluate it:
the path resolves, the value is a number that the format spec accepts, the table and figure
exist, figures carry a caption. Arguments must be string literals so they can be checked.
"""

from __future__ import annotations

import ast
import inspect
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from persona_atlas.schema import ResultFile
from persona_atlas.site.lint.prose import Masked

HELPERS = ("value", "table", "figure", "hero", "query")
_CALL = re.compile(rf"\b({'|'.join(HELPERS)})\s*\(")


@dataclass
class Context:
    """What bound numbers and helpers are checked against."""

    result: ResultFile
    result_doc: dict[str, Any]
    run_doc: dict[str, Any] | None
    figures: set[str]
    hero: str | None
    result_dir: Path


@dataclass(frozen=True)
class Binding:
    """One helper call: ``ok`` False with ``message`` when it would fail to render."""

    line: int
    col: int
    helper: str
    target: str
    ok: bool
    message: str = ""
    shown: str = ""


def check_bindings(masked: Masked, ctx: Context) -> list[Binding]:
    out: list[Binding] = []
    for region in masked.of_kind("template", "statement"):
        source = masked.text[region.start : region.end]
        for m in _CALL.finditer(source):
            if m.start() > 0 and source[m.start() - 1] in ".|":
                continue  # a method or filter of the same name, not our helper
            line, col = masked.position(region.start + m.start())
            out.append(_check_call(m.group(1), _call_text(source, m.end() - 1), ctx, line, col))
    return out


def _call_text(source: str, open_paren: int) -> str:
    """``name(...)`` up to its matching parenthesis, skipping string literals."""
    depth, i, quote = 0, open_paren, ""
    while i < len(source):
        ch = source[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return "f" + source[open_paren : i + 1]
        i += 1
    return ""


_JINJA_CONSTANTS = {"true": True, "false": False, "none": None}


class _JinjaConstants(ast.NodeTransformer):
    """Jinja spells constants ``true`` / ``false`` / ``none`` as well as Python's way."""

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id.lower() in _JINJA_CONSTANTS:
            return ast.copy_location(ast.Constant(_JINJA_CONSTANTS[node.id.lower()]), node)
        return node


def _literal_args(call: str) -> tuple[list[Any], dict[str, Any]] | None:
    try:
        node = _JinjaConstants().visit(ast.parse(call, mode="eval")).body
        if not isinstance(node, ast.Call):
            return None
        args = [ast.literal_eval(a) for a in node.args]
        kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords if k.arg}
    except (SyntaxError, ValueError, TypeError):
        return None
    return args, kwargs


def _check_call(helper: str, call: str, ctx: Context, line: int, col: int) -> Binding:
    parsed = _literal_args(call) if call else None
    if parsed is None:
        return Binding(
            line,
            col,
            helper,
            call or helper,
            False,
            f"{helper}(...) arguments must be literals so the linter can check them",
        )
    args, kwargs = parsed
    signature_error = _signature_error(helper, args, kwargs)
    if signature_error:
        return Binding(line, col, helper, str(args[0]) if args else "", False, signature_error)
    try:
        target, shown = _CHECKS[helper](ctx, args, kwargs)
    except LookupError as exc:
        return Binding(line, col, helper, str(args[0]) if args else "", False, str(exc))
    return Binding(line, col, helper, target, True, shown=shown)


def _signature_error(helper: str, args: list[Any], kwargs: dict[str, Any]) -> str:
    """The call must fit the renderer's own signature (``value(path, fmt="")``, ...)."""
    from persona_atlas.site.render import BodyRenderer

    method = getattr(BodyRenderer, helper)
    sig = inspect.signature(method)
    try:
        sig.bind(None, *args, **kwargs)
    except TypeError as exc:
        params = list(sig.parameters.values())[1:]  # without self
        shown = ", ".join(str(p.replace(annotation=inspect.Parameter.empty)) for p in params)
        return f"{helper}({shown}): {exc}"
    return ""


def _value(ctx: Context, args: list[Any], kwargs: dict[str, Any]) -> tuple[str, str]:
    from persona_atlas.site.render import bound_value

    path = args[0] if args else kwargs.get("path")
    fmt = args[1] if len(args) > 1 else kwargs.get("fmt", "")
    if not isinstance(path, str) or not isinstance(fmt, str):
        raise LookupError("value(path, fmt): path and format spec are strings")
    return path, bound_value(ctx.result_doc, ctx.run_doc, ctx.result.nulls, path, fmt)


def _table(ctx: Context, args: list[Any], kwargs: dict[str, Any]) -> tuple[str, str]:
    from persona_atlas.site.render import table_markdown

    name = args[0] if args else kwargs.pop("name", None)
    if name not in ctx.result.tables:
        have = ", ".join(sorted(ctx.result.tables)) or "none"
        raise LookupError(f"table({name!r}): result.json has no such table (has: {have})")
    try:
        table_markdown(ctx.result.tables[name], name=str(name), **kwargs)
    except (KeyError, TypeError, ValueError) as exc:
        raise LookupError(f"table({name!r}): {str(exc).strip(chr(34) + chr(39))}") from None
    return str(name), ""


def _figure(ctx: Context, args: list[Any], kwargs: dict[str, Any]) -> tuple[str, str]:
    name = args[0] if args else kwargs.get("name")
    caption = args[1] if len(args) > 1 else kwargs.get("caption", "")
    if not isinstance(caption, str) or not caption.strip():
        raise LookupError(f"figure({name!r}): every figure needs a caption")
    if name not in ctx.figures:
        have = ", ".join(sorted(ctx.figures)) or "none"
        raise LookupError(
            f"figure({name!r}): no figures/{name}.vl.json (has: {have}); run `atlas figures`"
        )
    return str(name), caption


def _hero(ctx: Context, args: list[Any], kwargs: dict[str, Any]) -> tuple[str, str]:
    if ctx.hero is None:
        raise LookupError("hero(): the front matter names no `hero` figure")
    return ctx.hero, ""


def _query(ctx: Context, args: list[Any], kwargs: dict[str, Any]) -> tuple[str, str]:
    from persona_atlas.site.render import query_table, table_markdown

    opts = dict(kwargs)
    sql = args[0] if args else opts.pop("sql", None)
    if not isinstance(sql, str):
        raise LookupError("query(sql): the SQL is a string")
    try:
        t = query_table(ctx.result, sql)
    except Exception as exc:  # duckdb raises many types; each is the author's SQL
        raise LookupError(f"query(): {exc}") from None
    try:
        table_markdown(t, name="query", **opts)
    except (KeyError, TypeError, ValueError) as exc:
        raise LookupError(f"query(): {str(exc).strip(chr(34) + chr(39))}") from None
    return sql, ""


_CHECKS = {"value": _value, "table": _table, "figure": _figure, "hero": _hero, "query": _query}

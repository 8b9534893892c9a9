"""Bound numbers and other template helpers, checked without rendering.

The report body is parsed by Jinja (never rendered) and its AST scanned
(`persona_atlas.reports.sandbox.scan`). Every ``value("path", "fmt")`` / ``table("name")`` /
``figure("name", "caption")`` / ``hero()`` / ``query("sql")`` call is found with its exact
position and checked the way the renderer (`persona_atlas.reports.render`) would evaluate it:
the path resolves, the value is a number that the format spec accepts, the table and figure
exist, figures carry a caption, the query is one the safe query path accepts. Arguments must
be literals so they can be checked, and a helper's output must be shown as it is: under a
filter or inside an expression it is not bound. Everything else a report may not use (other
names, attribute or subscript access, filters, arithmetic, includes) is an error at its
file:line:col, and so is a number typed inside a template expression, where nothing checks it.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes

from persona_atlas.lint.prose import Masked
from persona_atlas.lint.template_positions import TemplatePositions
from persona_atlas.reports.sandbox import HELPERS, HelperCall, ReportSandbox, Scan, scan
from persona_atlas.schema import ResultFile

__all__ = ["HELPERS", "Binding", "Context", "check_bindings"]


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
    """One helper call: ``ok`` False with ``message`` when it would fail to render.
    ``helper`` is ``"template"`` for a construct outside the helpers."""

    line: int
    col: int
    helper: str
    target: str
    ok: bool
    message: str = ""
    shown: str = ""


_PARSER = ReportSandbox()  # parses only; the same syntax the renderer uses


def check_bindings(masked: Masked, ctx: Context) -> list[Binding]:
    at = TemplatePositions(masked)
    out: list[Binding] = []
    scans: list[tuple[Scan, int]] = []
    try:
        scans.append((scan(_PARSER.parse(_template_source(masked))), 0))
    except jinja2.TemplateSyntaxError as exc:
        line = exc.lineno or 1
        out.append(Binding(line, at.first(line), "template", "", False, _syntax(exc)))
        scans = _region_scans(masked)  # still check every {{ }} that parses on its own
    except RecursionError:
        out.append(Binding(1, 1, "template", "", False, "template nested too deeply"))
    for found, offset in scans:
        for f in found.findings:
            if f.in_helper_args and not f.unsafe:
                continue  # reported once: the helper's arguments are not literals
            line = f.lineno + offset
            out.append(
                Binding(line, at.find(line, f.needle), "template", f.needle, False, f.message)
            )
        for n in found.loose_numbers:
            line = n.lineno + offset
            col = at.find(line, '"' if n.in_string else "0")
            out.append(
                Binding(line, col, "template", n.text, False, _loose_message(n.text, n.in_string))
            )
        for call in found.helper_calls:
            line = call.lineno + offset
            out.append(_check_call(call, ctx, line, at.find(line, call.name)))
    return sorted(out, key=lambda b: (b.line, b.col))


def _template_source(masked: Masked) -> str:
    """The report text with its front matter blanked: Jinja's line numbers are the file's."""
    end = max((r.end for r in masked.of_kind("front")), default=0)
    return re.sub(r"[^\n]", " ", masked.text[:end]) + masked.text[end:]


def _region_scans(masked: Masked) -> list[tuple[Scan, int]]:
    out = []
    for region in masked.of_kind("template"):
        try:
            tree = _PARSER.parse(masked.text[region.start : region.end])
        except (jinja2.TemplateSyntaxError, RecursionError):
            continue
        out.append((scan(tree), masked.position(region.start)[0] - 1))
    return out


def _syntax(exc: jinja2.TemplateSyntaxError) -> str:
    return f"template syntax error: {exc.message}"


def _loose_message(text: str, in_string: bool) -> str:
    where = f"in the string {text[:60]!r}" if in_string else f"{text}"
    return (
        f"the number {where} inside a template expression is not checked: "
        "write it in prose (lint checks it) or bind it with value()"
    )


def _check_call(call: HelperCall, ctx: Context, line: int, col: int) -> Binding:
    helper = call.name
    parsed = _literal_args(call.node)
    target = str(parsed[0][0]) if parsed and parsed[0] else ""
    if not call.shown_as_is:
        return Binding(
            line,
            col,
            helper,
            target,
            False,
            f"{helper}(...) must be shown as it is, `{{{{ {helper}(...) }}}}`, not "
            f"{call.around}: what the page shows would not be what lint checked",
        )
    if parsed is None:
        return Binding(
            line,
            col,
            helper,
            helper,
            False,
            f"{helper}(...) arguments must be literals so the linter can check them",
        )
    args, kwargs = parsed
    signature_error = _signature_error(helper, args, kwargs)
    if signature_error:
        return Binding(line, col, helper, target, False, signature_error)
    try:
        target, shown = _CHECKS[helper](ctx, args, kwargs)
    except LookupError as exc:
        return Binding(line, col, helper, target, False, str(exc))
    return Binding(line, col, helper, target, True, shown=shown)


def _literal_args(call: nodes.Call) -> tuple[list[Any], dict[str, Any]] | None:
    """The call's arguments when every one is a literal (Jinja's ``true``/``none`` too)."""
    if call.dyn_args is not None or call.dyn_kwargs is not None:
        return None
    try:
        args = [_literal(a) for a in call.args]
        kwargs = {k.key: _literal(k.value) for k in call.kwargs}
    except ValueError:
        return None
    return args, kwargs


def _literal(node: nodes.Node) -> Any:
    if isinstance(node, nodes.Const):
        return node.value
    if isinstance(node, nodes.List):
        return [_literal(i) for i in node.items]
    if isinstance(node, nodes.Tuple):
        return tuple(_literal(i) for i in node.items)
    if isinstance(node, nodes.Dict):
        return {_literal(p.key): _literal(p.value) for p in node.items}
    if isinstance(node, nodes.Neg | nodes.Pos) and isinstance(node.node, nodes.Const):
        v = node.node.value
        if isinstance(v, int | float) and not isinstance(v, bool):
            return -v if isinstance(node, nodes.Neg) else v
    raise ValueError("not a literal")


def _signature_error(helper: str, args: list[Any], kwargs: dict[str, Any]) -> str:
    """The call must fit the renderer's own signature (``value(path, fmt="")``, ...)."""
    from persona_atlas.reports.render import BodyRenderer

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
    from persona_atlas.reports.render import bound_value

    path = args[0] if args else kwargs.get("path")
    fmt = args[1] if len(args) > 1 else kwargs.get("fmt", "")
    if not isinstance(path, str) or not isinstance(fmt, str):
        raise LookupError("value(path, fmt): path and format spec are strings")
    return path, bound_value(ctx.result_doc, ctx.run_doc, ctx.result.nulls, path, fmt)


def _table(ctx: Context, args: list[Any], kwargs: dict[str, Any]) -> tuple[str, str]:
    from persona_atlas.reports.render import table_markdown

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
    from persona_atlas.reports.render import query_table, table_markdown
    from persona_atlas.reports.safe_query import QueryError

    opts = dict(kwargs)
    sql = args[0] if args else opts.pop("sql", None)
    if not isinstance(sql, str):
        raise LookupError("query(sql): the SQL is a string")
    try:
        t = query_table(ctx.result, sql)  # the renderer's own locked-down path
    except QueryError as exc:
        raise LookupError(str(exc)) from None
    try:
        table_markdown(t, name="query", **opts)
    except (KeyError, TypeError, ValueError) as exc:
        raise LookupError(f"query(): {str(exc).strip(chr(34) + chr(39))}") from None
    return sql, ""


_CHECKS = {"value": _value, "table": _table, "figure": _figure, "hero": _hero, "query": _query}

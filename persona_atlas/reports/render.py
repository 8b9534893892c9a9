"""Render a report body (Markdown + Jinja) against its result.json and run.json.

The body is a Jinja template rendered in a sandbox (`persona_atlas.reports.sandbox`) with
``StrictUndefined``; the helpers below are the only things it can name or call:

- ``value(path, fmt="")`` — a bound number from result.json (``run.`` prefix: run.json);
- ``table(name, columns=None, where=None, sort=None, limit=None, fmt=None)`` — a result table;
- ``query(sql)`` — one read-only SELECT over the result's tables (`persona_atlas.reports.safe_query`),
  rendered as a table;
- ``figure(name, caption)`` / ``hero()`` — a generated figure with its caption.

Any error — a missing path, a bad format spec, an unknown table, a Jinja syntax error, anything
outside the helpers — becomes a ``ReportError`` naming ``report.md:line`` and what to fix.
Nothing renders blank. Data from result.json is escaped (`persona_atlas.reports.escaping`); only
the author's own Markdown is markup.
"""

from __future__ import annotations

import math
import re
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SecurityError

from persona_atlas import jsonpath
from persona_atlas.errors import ReportError
from persona_atlas.reports.escaping import markdown_cell, markdown_text
from persona_atlas.reports.front_matter import Report
from persona_atlas.reports.safe_query import QueryError, run_query
from persona_atlas.reports.sandbox import ReportSandbox, scan
from persona_atlas.schema import ResultFile, RunFile, Table

BODY_TEMPLATE_PREFIX = "report:"
MAX_FORMAT_WIDTH = 50  # a spec like "999999999d" would build a gigabyte string


@dataclass
class FigureRequest:
    """A figure a report asked for; the page builder turns it into HTML."""

    name: str
    caption: str
    line: int


@dataclass
class RenderedBody:
    markdown: str
    figures: list[FigureRequest] = field(default_factory=list)
    bound: list[str] = field(default_factory=list)  # every value() path, for the linter
    hero_placed: bool = False


def format_number(value: Any, fmt: str) -> str:
    """Format a bound value with a Python format spec; '' means a sensible default."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        if fmt:
            raise ValueError(f"format {fmt!r} given but the value is {value!r}, not a number")
        return str(value)
    if not fmt:
        return format(value, ",d") if isinstance(value, int) else _default_float(value)
    if any(int(n) > MAX_FORMAT_WIDTH for n in re.findall(r"\d+", fmt)):
        raise ValueError(f"width or precision over {MAX_FORMAT_WIDTH} in {fmt!r}")
    return powers_of_ten(format(value, fmt))


def _default_float(x: float) -> str:
    if x == 0 or 1e-3 <= abs(x) < 1e6:
        return f"{x:.4g}" if abs(x) < 1 else f"{x:,.4g}"
    return powers_of_ten(f"{x:.3e}")


_E_NOTATION = re.compile(r"(\d(?:\.\d*)?)[eE]([-+]?)0*(\d+)")
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def powers_of_ten(text: str) -> str:
    """Python's e-notation written for readers: ``5.0e-05`` → ``5.0 × 10⁻⁵``, ``1e+06`` →
    ``1 × 10⁶``, ``1.2e+00`` → ``1.2``. The linter reads the result as one number."""

    def sub(m: re.Match[str]) -> str:
        mantissa, sign, digits = m.groups()
        if digits == "0":
            return mantissa
        exponent = ("-" if sign == "-" else "") + digits
        return f"{mantissa} × 10{exponent.translate(_SUPERSCRIPT)}"

    return _E_NOTATION.sub(sub, text)


def table_markdown(
    t: Table,
    *,
    columns: Sequence[str] | None = None,
    where: dict[str, Any] | None = None,
    sort: str | Sequence[str] | None = None,
    limit: int | None = None,
    fmt: dict[str, str] | None = None,
    name: str = "table",
) -> str:
    """A result table as a Markdown pipe table. Floats default to 4 decimals (× 10ⁿ when
    those would read 0.0000)."""
    cols = list(columns or t.columns)
    unknown = [c for c in [*cols, *(where or {}), *_as_list(sort)] if c not in t.columns]
    if unknown:
        raise KeyError(f"table {name!r} has no column(s) {unknown}; it has {t.columns}")
    records = t.records()
    if where:
        records = [r for r in records if all(r[k] == v for k, v in where.items())]
    for key in reversed(_as_list(sort)):
        records.sort(key=lambda r, k=key: (r[k] is None, r[k]))  # type: ignore[misc]
    if limit is not None:
        records = records[:limit]
    fmts = fmt or {}

    def cell(col: str, v: Any) -> str:
        if v is None:
            return "—"
        if isinstance(v, float) and col not in fmts:
            return _table_float(v)
        return markdown_cell(format_number(v, fmts[col]) if col in fmts else v)

    head = "| " + " | ".join(markdown_cell(c) for c in cols) + " |"
    rule = "|" + "|".join("---:" if _numeric(records, c) else "---" for c in cols) + "|"
    body = ["| " + " | ".join(cell(c, r[c]) for c in cols) + " |" for r in records]
    lines = [head, rule, *body]
    if not records:
        lines.append("| " + " | ".join(["*(no rows)*", *[""] * (len(cols) - 1)]) + " |")
    out = "\n".join(lines)
    if t.description:
        out += f"\n\n*{markdown_text(t.description)}*"
    return out


def _table_float(v: float) -> str:
    """Four decimals; a value they would show as 0.0000 keeps two significant digits."""
    if v != 0 and abs(v) < 5e-5:
        return powers_of_ten(f"{v:.1e}")
    return f"{v:.4f}"


def _as_list(x: str | Sequence[str] | None) -> list[str]:
    return [] if x is None else [x] if isinstance(x, str) else list(x)


def _numeric(records: list[dict[str, Any]], col: str) -> bool:
    vals = [r[col] for r in records if r[col] is not None]
    return bool(vals) and all(isinstance(v, int | float) and not isinstance(v, bool) for v in vals)


def query_table(result: ResultFile, sql: str) -> Table:
    """``sql`` over the result's tables, the one way build and lint run a report's query:
    validated and locked down by `persona_atlas.reports.safe_query` (``QueryError`` if refused)."""
    tables = {name: (t.columns, t.rows) for name, t in result.tables.items()}
    names, rows = run_query(tables, sql)
    return Table(columns=names, rows=[[_plain(v) for v in r] for r in rows])


def _plain(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, int | float | str | bool) or v is None:
        return v
    return str(v)


def bound_value(
    result_doc: dict[str, Any],
    run_doc: dict[str, Any] | None,
    nulls: dict[str, str],
    path: str,
    fmt: str = "",
) -> str:
    """The text ``value(path, fmt)`` renders; ``LookupError`` says why it cannot.

    The one definition shared by the site builder and the linter: a ``run.`` prefix reads
    run.json; a missing path, a null (with its recorded reason), an object or a list, and a
    format spec the value does not accept are all errors.
    """
    doc: Any = result_doc
    inner = path
    if path.startswith("run."):
        if run_doc is None:
            raise LookupError(f"value({path!r}): this result has no run.json")
        doc, inner = run_doc, path[len("run.") :]
    try:
        v = jsonpath.resolve(doc, inner)
    except jsonpath.PathError as exc:
        raise LookupError(f"value({path!r}): {exc}") from None
    if v is None:
        why = nulls.get(path, "no reason recorded in `nulls`")
        raise LookupError(f"value({path!r}) is null ({why}); state it in words instead")
    if isinstance(v, dict | list):
        raise LookupError(f"value({path!r}) is a {type(v).__name__}, not a number")
    try:
        shown = format_number(v, fmt)
    except ValueError as exc:
        raise LookupError(f"value({path!r}, {fmt!r}): bad format spec: {exc}") from None
    return shown if isinstance(v, int | float) else markdown_text(shown)  # a string is data


class BodyRenderer:
    """Renders one report body; collects figure requests and bound paths as it goes."""

    def __init__(
        self,
        report: Report,
        result: ResultFile,
        run: RunFile | None,
        figure_names: set[str],
    ) -> None:
        self.report = report
        self.result = result
        self.result_doc = result.model_dump(mode="json")
        self.run_doc = run.model_dump(mode="json") if run else None
        self.figure_names = figure_names
        self.out = RenderedBody(markdown="")

    # -- helpers exposed to the template -------------------------------------------------
    def value(self, path: str, fmt: str = "") -> str:
        shown = bound_value(self.result_doc, self.run_doc, self.result.nulls, path, fmt)
        self.out.bound.append(path)
        return shown

    def table(self, name: str, **opts: Any) -> str:
        if name not in self.result.tables:
            have = ", ".join(sorted(self.result.tables)) or "none"
            raise LookupError(f"table({name!r}): result.json has no such table (has: {have})")
        return table_markdown(self.result.tables[name], name=name, **opts)

    def query(self, sql: str, **opts: Any) -> str:
        try:
            t = query_table(self.result, sql)
        except QueryError as exc:
            raise LookupError(str(exc)) from None
        return table_markdown(t, name="query", **opts)

    def figure(self, name: str, caption: str = "") -> str:
        if not caption.strip():
            raise LookupError(f"figure({name!r}): every figure needs a caption")
        if name not in self.figure_names:
            have = ", ".join(sorted(self.figure_names)) or "none"
            raise LookupError(
                f"figure({name!r}): no figures/{name}.vl.json (has: {have}); "
                "run `atlas figures` for this result"
            )
        marker = f"<!--atlas-figure:{len(self.out.figures)}-->"
        self.out.figures.append(FigureRequest(name=name, caption=caption, line=_caller_line()))
        return marker

    def hero(self, caption: str = "") -> str:
        hero = self.report.front.hero
        if hero is None:
            raise LookupError("hero(): the front matter names no `hero` figure")
        self.out.hero_placed = True
        if hero.startswith(("http://", "https://")):
            return f"![{caption or 'hero figure'}]({hero})\n\n*{caption}*"
        return self.figure(hero, caption or f"Hero figure: {hero}")

    # -- rendering ------------------------------------------------------------------------
    def render(self) -> RenderedBody:
        name = f"{BODY_TEMPLATE_PREFIX}{self.report.path}"
        helpers: dict[str, Callable[..., str]] = {
            "value": self.value,
            "table": self.table,
            "query": self.query,
            "figure": self.figure,
            "hero": self.hero,
        }
        env = ReportSandbox(helpers.values())
        try:
            tree = env.parse(self.report.body)
            findings = scan(tree).findings
            if findings:  # refuse before anything runs; lint lists them all
                raise self._error(findings[0].lineno, findings[0].message, hint=_SANDBOX_HINT)
            template = env.from_string(tree, globals=helpers)
            template.name = name
            self.out.markdown = template.render()
        except jinja2.TemplateSyntaxError as exc:
            raise self._error(exc.lineno, f"template syntax error: {exc.message}") from None
        except SecurityError as exc:
            raise self._error(_template_line(exc), str(exc), hint=_SANDBOX_HINT) from None
        except (LookupError, jinja2.UndefinedError, TypeError, ValueError, KeyError) as exc:
            msg = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
            raise self._error(_template_line(exc), msg) from None
        except jinja2.TemplateError as exc:
            raise self._error(_template_line(exc), f"template error: {exc.message}") from None
        except RecursionError:
            raise self._error(None, "template expression nested too deeply") from None
        return self.out

    def _error(self, template_line: int | None, message: str, *, hint: str = "") -> ReportError:
        line = self.report.body_line + (template_line or 1) - 1
        return ReportError(
            f"{self.report.path}:{line}: {message}",
            hint=hint
            or "bind only paths that exist in result.json (see `atlas lint -v`), "
            "or re-run `atlas analyze` if the result is missing a key",
        )


_SANDBOX_HINT = (
    "a report body may only show `{{ value(...) }}`, `{{ table(...) }}`, `{{ query(...) }}`, "
    "`{{ figure(...) }}` and `{{ hero(...) }}` (see docs/reports.md)"
)


_LINE_RE = re.compile(r"line (\d+)")


def _is_body(filename: str) -> bool:
    return filename.startswith(BODY_TEMPLATE_PREFIX) or filename == "<template>"


def template_frame(
    frames: traceback.StackSummary, is_template: Callable[[str], object]
) -> traceback.FrameSummary | None:
    """The innermost frame that runs template code (Jinja maps template frames to their lines)."""
    return next((f for f in reversed(frames) if is_template(f.filename)), None)


def _template_line(exc: BaseException) -> int | None:
    """Line inside the report body where a render-time error was raised."""
    frame = template_frame(traceback.extract_tb(exc.__traceback__), _is_body)
    return frame.lineno if frame else None


def _caller_line() -> int:
    frame = template_frame(traceback.extract_stack(), _is_body)
    return (frame.lineno or 0) if frame else 0


def figure_names(result_dir: Path) -> set[str]:
    return {p.name.removesuffix(".vl.json") for p in (result_dir / "figures").glob("*.vl.json")}

"""What a report body may do, checked on its parsed Jinja AST and enforced when it renders.

A report comes from a pull request, so its body is untrusted code. It may show the result of
the documented helpers (``HELPERS``) and nothing else: no other names, no attribute or
subscript access, no filters or tests, no arithmetic, no includes or imports. `scan` finds
every construct outside that set without rendering (the linter reports them all with their
positions; the renderer refuses the first), and `ReportSandbox` enforces the same at run time,
so an escape the scan missed still cannot reach Python internals.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

HELPERS = ("value", "table", "query", "figure", "hero")
_HELPER_LIST = ", ".join(f"{h}()" for h in HELPERS)
_ARITHMETIC = {"+", "-", "*", "/", "//", "%", "**"}


class ReportSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with no globals, filters or tests; only ``helpers`` callable.

    Attribute and item access and arithmetic raise ``SecurityError`` (intercepting the
    operators also stops Jinja from folding ``9**9**9`` at compile time)."""

    intercepted_binops = frozenset(_ARITHMETIC)

    def __init__(self, helpers: Iterable[Callable[..., Any]] = ()) -> None:
        super().__init__(
            undefined=jinja2.StrictUndefined,
            autoescape=False,  # we emit Markdown; data is escaped by the helpers
            keep_trailing_newline=True,
        )
        self.globals.clear()  # range, cycler, joiner, namespace, lipsum, dict
        self.filters.clear()
        self.tests.clear()
        self._callables = tuple(helpers)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        try:
            return super()._parse(source, name, filename)
        except SyntaxError as exc:
            # Jinja's lexer reads a non-ASCII digit ("٠") as a number and hands it to
            # Python's literal_eval, whose SyntaxError would escape as a crash.
            at = next((i for i, c in enumerate(source) if c.isdigit() and not c.isascii()), 0)
            raise jinja2.TemplateSyntaxError(
                f"not a number: {exc.text!r} (write digits 0-9)",
                source.count("\n", 0, at) + 1,
                name,
                filename,
            ) from None

    def call(self, context: Any, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        if not any(obj == helper for helper in self._callables):
            raise SecurityError(f"only the helpers {_HELPER_LIST} can be called in a report")
        return obj(*args, **kwargs)

    def getattr(self, obj: Any, attribute: str) -> Any:
        raise SecurityError(_attribute_message(attribute))

    def getitem(self, obj: Any, argument: Any) -> Any:
        raise SecurityError("a subscript `[...]` is not allowed in a report")

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        raise SecurityError(_arithmetic_message(operator))


def _attribute_message(attr: str) -> str:
    if attr.startswith("_"):
        return f"unsafe attribute access `.{attr}`: a report cannot reach Python internals"
    return f"attribute access `.{attr}` is not allowed in a report; use only {_HELPER_LIST}"


def _arithmetic_message(operator: str) -> str:
    return (
        f"arithmetic `{operator}` is not allowed in a report: "
        "compute the number in the analysis and bind it with value()"
    )


@dataclass(frozen=True)
class Finding:
    """A construct a report may not use. ``needle`` locates it on its line (an identifier,
    or ``[`` / an operator); ``unsafe``: it reaches for Python internals."""

    lineno: int
    needle: str
    message: str
    unsafe: bool = False
    in_helper_args: bool = False


@dataclass(frozen=True)
class HelperCall:
    """A call of a documented helper. ``shown_as_is``: the direct content of ``{{ }}``;
    otherwise ``around`` says what changes or hides its output."""

    node: nodes.Call
    name: str
    lineno: int
    shown_as_is: bool
    around: str = ""


@dataclass(frozen=True)
class LooseNumber:
    """A number in a template expression outside a helper's arguments (never checked)."""

    lineno: int
    text: str
    in_string: bool


@dataclass
class Scan:
    findings: list[Finding] = field(default_factory=list)
    helper_calls: list[HelperCall] = field(default_factory=list)
    loose_numbers: list[LooseNumber] = field(default_factory=list)


_BINOPS: dict[type[nodes.Node], str] = {
    nodes.Add: "+",
    nodes.Sub: "-",
    nodes.Mul: "*",
    nodes.Div: "/",
    nodes.FloorDiv: "//",
    nodes.Mod: "%",
    nodes.Pow: "**",
}
_LOADS: dict[type[nodes.Node], str] = {
    nodes.Include: "include",
    nodes.Extends: "extends",
    nodes.Import: "import",
    nodes.FromImport: "import",
}


def scan(tree: nodes.Template) -> Scan:
    """Every construct outside the allowed set, every helper call and every loose number."""
    out = Scan()
    _Walker(out).visit(tree, parent=None, in_args=False, flagged=False)
    return out


class _Walker:
    def __init__(self, out: Scan) -> None:
        self.out = out

    def visit(
        self, node: nodes.Node, *, parent: nodes.Node | None, in_args: bool, flagged: bool
    ) -> None:
        problem = _problem(node)
        if problem is not None:
            needle, message = problem
            unsafe = message.startswith("unsafe") or needle.startswith("_")
            self.out.findings.append(Finding(node.lineno, needle, message, unsafe, in_args))
            flagged = True
        elif isinstance(node, nodes.Const) and not in_args and not flagged:
            self._loose_number(node)
        if isinstance(node, nodes.Call) and _helper_name(node):
            self._helper(node, parent, in_args)
            arguments: list[nodes.Node | None] = [*node.args, *node.kwargs]
            for arg in [*arguments, node.dyn_args, node.dyn_kwargs]:
                if arg is not None:
                    self.visit(arg, parent=node, in_args=True, flagged=flagged)
            return
        for child in node.iter_child_nodes():
            self.visit(child, parent=node, in_args=in_args, flagged=flagged)

    def _helper(self, node: nodes.Call, parent: nodes.Node | None, in_args: bool) -> None:
        name = _helper_name(node)
        if in_args or name is None:
            return  # a helper call as another helper's argument: that one is not a literal
        as_is = isinstance(parent, nodes.Output)
        around = "" if as_is else _describe(parent)
        self.out.helper_calls.append(HelperCall(node, name, node.node.lineno, as_is, around))

    def _loose_number(self, node: nodes.Const) -> None:
        v = node.value
        if isinstance(v, int | float) and not isinstance(v, bool):
            self.out.loose_numbers.append(LooseNumber(node.lineno, repr(v), in_string=False))
        elif isinstance(v, str) and any(ch.isdigit() for ch in v):
            self.out.loose_numbers.append(LooseNumber(node.lineno, v, in_string=True))


def _problem(node: nodes.Node) -> tuple[str, str] | None:
    """(needle, message) when ``node`` itself is outside what a report may use."""
    if isinstance(node, nodes.Name):
        return None if node.name in HELPERS else (node.name, _name_message(node.name))
    if isinstance(node, nodes.Getattr):
        return node.attr, _attribute_message(node.attr)
    if isinstance(node, nodes.Getitem):
        key = node.arg.value if isinstance(node.arg, nodes.Const) else None
        if isinstance(key, str) and key.startswith("_"):
            return "[", f"unsafe subscript [{key!r}]: a report cannot reach Python internals"
        return "[", "a subscript `[...]` is not allowed in a report"
    if isinstance(node, nodes.Call) and not isinstance(
        node.node, nodes.Name | nodes.Getattr | nodes.Getitem
    ):  # a call of a name or attribute is flagged at the name or attribute
        return "(", f"only the helpers {_HELPER_LIST} can be called in a report"
    if isinstance(node, nodes.Filter) and node.name is not None:
        return node.name, (
            f"filter `| {node.name}` is not allowed in a report: "
            "a filter can change what a helper shows"
        )
    if isinstance(node, nodes.Test):
        return node.name, f"test `is {node.name}` is not allowed in a report"
    if type(node) in _BINOPS:
        return _BINOPS[type(node)], _arithmetic_message(_BINOPS[type(node)])
    if type(node) in _LOADS:
        verb = _LOADS[type(node)]
        return verb, f"`{{% {verb} %}}` is not allowed in a report: it cannot load other files"
    return None


def _helper_name(node: nodes.Call) -> str | None:
    callee = node.node
    return callee.name if isinstance(callee, nodes.Name) and callee.name in HELPERS else None


def _name_message(name: str) -> str:
    return f"'{name}' is undefined: a report can use only the helpers {_HELPER_LIST}"


_PLACES: dict[type[nodes.Node], str] = {
    nodes.Concat: "joined with `~`",
    nodes.CondExpr: "inside an `if ... else` expression",
    nodes.If: "as an `{% if %}` test",
    nodes.For: "in a `{% for %}` loop",
    nodes.Assign: "assigned with `{% set %}`",
    nodes.Compare: "in a comparison",
}


def _describe(parent: nodes.Node | None) -> str:
    """Where a helper call is when it is not the whole content of ``{{ }}``."""
    if isinstance(parent, nodes.Filter):
        return f"under the filter `| {parent.name}`"
    if parent is None:
        return "outside `{{ }}`"
    return _PLACES.get(type(parent), f"inside an expression ({type(parent).__name__})")

"""The architecture in the folder names, checked: which stage may import which, and no cycles.

Every ``import`` in the package counts, including those inside functions (a lazy import is
still a dependency; hiding a cycle behind one is what this test exists to stop).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "persona_atlas"

#: Every stage: a folder of the package.
STAGES = {
    "extract",
    "analysis",
    "figures",
    "reports",
    "lint",
    "staleness",
    "site",
    "verbs",
    "kinds",
}

#: stage → stages it must never import (directly or through a lazy import)
FORBIDDEN = {
    "extract": {"analysis", "site", "lint", "figures", "reports", "staleness", "verbs"},
    "analysis": {"site", "lint", "figures", "reports", "staleness", "verbs", "extract"},
    "figures": {"site", "lint", "reports", "staleness", "verbs", "extract"},
    "reports": {"site", "lint", "figures", "staleness", "verbs", "extract"},
    "lint": {"site", "figures", "staleness", "verbs", "extract"},
    "staleness": {"site", "lint", "figures", "reports", "verbs", "extract"},
    "site": {"verbs", "extract"},
    # what two stages share lives below both: the extraction folder's names, the model files
    # and their hash, file primitives and errors import no stage at all
    "run_layout": STAGES,
    "model_files": STAGES,
    "files": STAGES,
    "errors": STAGES,
}

#: (module, module it imports although FORBIDDEN says no): each one named, with its reason.
#: ``atlas check`` reports a figure stale only when the data it draws changed; only the code
#: that draws the figure can rebuild that data (`persona_atlas.figures.build.figure_is_stale`).
ALLOWED = {("persona_atlas.staleness", "persona_atlas.figures.build")}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that ``name`` imports. A name imported from a package counts as
    its submodule when there is one, and the package counts too: its ``__init__`` runs first."""
    out: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            targets = [f"{base}.{a.name}" for a in node.names] + [base]
        else:
            continue
        for t in targets:
            while t and t not in known:
                t = t.rpartition(".")[0]
            if t and t != name:
                out.add(t)
    return out


def _graph() -> dict[str, set[str]]:
    mods = _modules()
    known = set(mods)
    return {n: _imports(n, p, known) for n, p in mods.items()}


def _stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def _is_package_init(module: str) -> bool:
    return (PACKAGE.parent / module.replace(".", "/") / "__init__.py").exists()


def _forbidden(graph: dict[str, set[str]]) -> set[tuple[str, str]]:
    return {
        (m, t)
        for m, targets in graph.items()
        for t in targets
        if _stage(t) in FORBIDDEN.get(_stage(m), set())
    }


def test_stages_import_only_what_they_may() -> None:
    wrong = sorted(_forbidden(_graph()) - ALLOWED)
    assert not wrong, "\n".join(f"{m} imports {t}" for m, t in wrong)


def test_every_allowed_exception_is_still_needed() -> None:
    """An exception that no import uses any more is removed, so the table stays strict."""
    assert _forbidden(_graph()) >= ALLOWED


def test_every_stage_is_known() -> None:
    """A new stage folder is named in STAGES, so the shared modules' rows cover it."""
    folders = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert folders <= STAGES, f"unknown stage folders: {sorted(folders - STAGES)}"


def test_no_import_cycles() -> None:
    graph = _graph()
    # a package's __init__ re-exporting its own submodules is not a cycle of the design
    for m in graph:
        graph[m] = {t for t in graph[m] if not (_is_package_init(t) and m.startswith(t + "."))}
    assert _cycles(graph) == []


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b"}, "b": {"a"}, "c": set()}, [["a", "b"]]),
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
    ],
)
def test_cycle_finder(graph: dict[str, set[str]], expected: list[list[str]]) -> None:
    assert _cycles(graph) == expected


def test_lazy_imports_count(tmp_path: Path) -> None:
    src = "def f():\n    from persona_atlas.site import build\n"
    (tmp_path / "m.py").write_text(src)
    known = {"persona_atlas.site", "persona_atlas.site.build"}
    assert _imports("persona_atlas.analysis.m", tmp_path / "m.py", known) == {
        "persona_atlas.site",
        "persona_atlas.site.build",
    }


def test_type_checking_and_relative_imports_count(tmp_path: Path) -> None:
    src = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from persona_atlas.extract.shard import Shard\n"
        "from . import models\nfrom .store import Part\n"
    )
    (tmp_path / "m.py").write_text(src)
    known = {
        "persona_atlas.extract",
        "persona_atlas.extract.shard",
        "persona_atlas.extract.models",
        "persona_atlas.extract.store",
    }
    assert _imports("persona_atlas.extract.m", tmp_path / "m.py", known) == {
        "persona_atlas.extract",
        "persona_atlas.extract.shard",
        "persona_atlas.extract.models",
        "persona_atlas.extract.store",
    }

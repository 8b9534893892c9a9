"""Code version of a result: recorded in its provenance, compared by ``atlas check``.

The version is the package version plus a hash of the source the result depends on: the
folder of its kind (``persona_atlas/kinds/<kind>/``) and the modules the kind (or the
importer that wrote it) declares, with every module they import from
``persona_atlas.analysis`` and ``persona_atlas.kinds``. Changing one kind's code stales only
the results of that kind; changing a shared module stales the results of the kinds using it.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
from pathlib import Path

from persona_atlas import __version__

_PACKAGE = Path(__file__).resolve().parents[1]  # persona_atlas/
_FOLLOWED = ("persona_atlas.analysis", "persona_atlas.kinds")
DEFAULT_ANALYSIS = "recipe-comparison"


def module_path(dotted: str) -> Path | None:
    """The file (or package folder) of a module; None when there is none."""
    try:
        spec = importlib.util.find_spec(dotted)
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        return None
    origin = Path(spec.origin)
    return origin.parent if spec.submodule_search_locations is not None else origin


def _files(path: Path) -> list[Path]:
    return sorted(path.rglob("*.py")) if path.is_dir() else [path]


def _imports(path: Path) -> set[str]:
    """Modules ``path`` imports under `_FOLLOWED`. ``from pkg import mod`` names ``pkg.mod``
    only: a package's ``__init__`` counts when a name is taken from it, not when it is only
    the way to a submodule (``persona_atlas.analysis`` re-exports the whole statistics API,
    which a kind does not depend on by importing ``persona_atlas.analysis.verdicts``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            subs = {f"{node.module}.{a.name}" for a in node.names}
            found |= {s for s in subs if module_path(s) is not None}
            if not subs <= found:
                found.add(node.module)
    return {m for m in found if m.startswith(_FOLLOWED)}


def closure(modules: tuple[str, ...]) -> list[Path]:
    """Files of ``modules`` (a package: all its files) and of everything they import under
    `_FOLLOWED` (an imported package: its ``__init__``), in path order."""
    seen: set[Path] = set()
    todo = [(m, True) for m in modules]
    while todo:
        name, whole_package = todo.pop()
        path = module_path(name)
        if path is None:
            continue
        files = _files(path) if whole_package or path.is_file() else [path / "__init__.py"]
        for file in files:
            if file not in seen:
                seen.add(file)
                todo += [(m, False) for m in sorted(_imports(file))]
    return sorted(seen)


def source_hash(files: list[Path], root: Path = _PACKAGE) -> str:
    """sha256 (first 12 hex) over ``files`` (names relative to ``root`` when inside it, else
    the file name, and contents)."""
    h = hashlib.sha256()
    for path in sorted(files):
        name = path.relative_to(root) if path.is_relative_to(root) else Path(path.name)
        h.update(name.as_posix().encode())
        h.update(b"\0")
        h.update(path.read_bytes().replace(b"\r\n", b"\n"))
        h.update(b"\0")
    return h.hexdigest()[:12]


def source_files(analysis: str) -> list[Path]:
    """The files the code version of ``analysis`` (a kind or an importer's name) covers."""
    from persona_atlas.kinds import producer_of

    _, modules, folder = producer_of(analysis)
    return closure((*modules, *((folder,) if folder else ())))


def code_version(analysis: str = DEFAULT_ANALYSIS) -> str:
    """``<package version>+<hash of the source analysis depends on>``, e.g.
    ``0.1.0+3f9a0c1d2e4b``. ``analysis``: the kind or importer name a result records."""
    return f"{__version__}+{source_hash(source_files(analysis))}"

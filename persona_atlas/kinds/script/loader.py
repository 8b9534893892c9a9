"""Run an analysis script: a file inside the repository, loaded by path in this process.

A script is code: it runs with the permissions of ``atlas`` (docs/security.md). What is
enforced here is that it is the repository's code — a path that leaves the repository or
passes through a symbolic link is refused before anything is imported — and that the
function gets only the declared inputs and returns only data (``api.validate``).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from persona_atlas.kinds.script.api import ScriptError


def inside(path: Path, root: Path, what: str) -> Path:
    """``path`` (absolute, or relative to ``root``) when it is a file inside ``root`` reached
    without a symbolic link; else a `ScriptError`."""
    absolute = path if path.is_absolute() else root / path
    rel = _relative(absolute, root)
    if rel is None or not absolute.resolve().is_relative_to(root.resolve()):
        raise ScriptError(
            f"{what} {path}: outside the repository",
            hint="commit the file inside the repository and name it relative to its root",
        )
    if ".." in rel.parts:
        raise ScriptError(f"{what} {path}: '..' is not allowed; name it from the repository root")
    base = absolute.parents[len(rel.parts) - 1]  # the root, as the path spells it
    for depth in range(1, len(rel.parts) + 1):
        if (base / Path(*rel.parts[:depth])).is_symlink():
            link = Path(*rel.parts[:depth]).as_posix()
            raise ScriptError(
                f"{what} {path}: {link} is a symbolic link; refused",
                hint="name the file itself, inside the repository",
            )
    if not absolute.is_file():
        raise ScriptError(f"{what} {path}: file not found")
    return absolute


def _relative(path: Path, root: Path) -> Path | None:
    for base in (root, root.resolve()):
        if path.is_relative_to(base):
            return path.relative_to(base)
    return None


def load_function(script: Path, function: str) -> object:
    """The function ``function`` of the script file ``script`` (already checked `inside`)."""
    module_name = f"persona_atlas_script_{script.stem}"
    spec = importlib.util.spec_from_file_location(module_name, script)
    if spec is None or spec.loader is None:
        raise ScriptError(f"script {script}: cannot be loaded as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses in the script look their module up
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(module_name, None)
    fn = getattr(module, function, None)
    if not callable(fn):
        raise ScriptError(
            f"script {script}: defines no function {function!r}",
            hint="set `function:` to the name of the analysis function",
        )
    return fn

"""Turn an ``AnalysisOutput`` into a validated result.json with provenance, and compare two.

Provenance records the analysis name with every parameter (the resolved ``analysis``
config section, input paths relative to the repository root), each input's sha256 and size,
the code version of its kind and the git state. The file is validated against the schema before it is
written, and written atomically, so a failure anywhere leaves the old result untouched. A
result of another issue, analysis or source is never replaced without ``force``.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from persona_atlas import gitinfo
from persona_atlas.analysis.output import AnalysisOutput
from persona_atlas.analysis.overwrite_guard import check_overwrite, result_origin
from persona_atlas.analysis.sameness import differences
from persona_atlas.analysis.versioning import code_version
from persona_atlas.config_types import KindConfig
from persona_atlas.errors import InputFileError
from persona_atlas.files import sha256_file
from persona_atlas.schema import AnalysisInfo, FileRef, Provenance, ResultFile, load_result, save


def map_paths(value: Any, fn: Callable[[Path], Path]) -> Any:
    """``value`` with ``fn`` applied to every ``Path`` in it: fields of a config model, nested
    sections and lists included (a kind may name files below the top level)."""
    if isinstance(value, Path):
        return fn(value)
    if isinstance(value, BaseModel):
        updates = {
            name: mapped
            for name in type(value).model_fields
            if (mapped := map_paths(old := getattr(value, name), fn)) is not old
        }
        return value.model_copy(update=updates) if updates else value
    if isinstance(value, list | tuple):
        items = [map_paths(v, fn) for v in value]
        return type(value)(items) if any(n is not o for n, o in zip(items, value)) else value
    if isinstance(value, dict):
        mapped = {k: map_paths(v, fn) for k, v in value.items()}
        return mapped if any(mapped[k] is not v for k, v in value.items()) else value
    return value


def project_root() -> Path:
    """The git checkout's top level, or the current directory outside git."""
    return gitinfo.repo_root(os.getcwd()) or Path.cwd()


def relative_to_root(path: str | Path, root: Path) -> str:
    """POSIX path relative to ``root`` when inside it, else absolute."""
    p = Path(path)
    absolute = p if p.is_absolute() else Path.cwd() / p
    try:
        return absolute.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return absolute.resolve().as_posix()


def anchored(config: KindConfig, root: Path) -> KindConfig:
    """The config with every file it names rewritten relative to the repository root."""
    return map_paths(config, lambda p: Path(relative_to_root(p, root)))


def params_of(config: KindConfig) -> dict[str, Any]:
    """Every parameter of the analysis (all but its name), as JSON."""
    return config.model_dump(mode="json", exclude={"name"})


def file_ref(path: str | Path, root: Path) -> FileRef:
    """Hash and size of an input; ``location`` is ``git`` only for committed files (large
    centroids usually live outside git and are recorded as ``external``)."""
    p = Path(path)
    if not p.is_absolute():
        p = root / p
    if not p.is_file():
        raise InputFileError(f"{path}: input file not found")
    rel = relative_to_root(p, root)
    committed = not Path(rel).is_absolute() and gitinfo.last_commit_for(rel, cwd=root) is not None
    return FileRef(
        path=rel,
        sha256=sha256_file(p),
        bytes=p.stat().st_size,
        location="git" if committed else "external",
    )


def build_result(
    issue: int, title: str, config: KindConfig, output: AnalysisOutput, root: Path
) -> ResultFile:
    """Validated ``ResultFile`` for an analysis run (nothing is written)."""
    provenance = Provenance(
        git=gitinfo.state(root),
        created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        code_version=code_version(config.name),
        analysis=AnalysisInfo(name=config.name, params=params_of(config)),
        inputs=[file_ref(p, root) for p in output.inputs],
    )
    return ResultFile(
        issue=issue,
        title=title,
        kind=output.kind,
        provenance=provenance,
        verdict=output.verdict,
        metrics=output.metrics,
        tables=output.tables,
        nulls=output.nulls,
    )


def write_result(path: str | Path, result: ResultFile, *, force: bool = False) -> bool:
    """Atomic, strict-JSON write of a validated result; False (nothing written) when the file
    on disk already holds the same result but for its creation time and git state, so that
    a re-run leaves git clean and the result's figures fresh. A result recorded from a dirty
    tree is always replaced by one from a clean tree: its provenance is then exact.

    A file holding a result of another issue, analysis or source is not replaced
    (``OverwriteError``) unless ``force``: see ``overwrite_guard``."""
    p = Path(path)
    check_overwrite(p, result_origin(result), force=force)
    if p.exists():
        try:
            old = load_result(p)
        except InputFileError:
            old = None  # unreadable: replace it
        cleaner = old is not None and old.provenance.git.dirty and not result.provenance.git.dirty
        if old is not None and not cleaner and not differences(old, result):
            return False
    save(p, result)
    return True

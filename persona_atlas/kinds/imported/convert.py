"""Turn imported files into the ``imported`` kind's result: metrics, tables, nulls.

``metrics`` is the file's own document (several files: one key per file stem). Every list
of JSON objects found under an object path (not inside another list) also becomes a table,
named by its JSON path (prefixed by the file stem with several files): its columns are the
union of the records' keys in first-seen order, a missing key is null, and a key whose value
is an object or a list in any record is left out of the table (it stays in ``metrics``).
Tolerated quirks are listed in the ``import_quirks`` table.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from persona_atlas import gitinfo
from persona_atlas.analysis.output import AnalysisOutput
from persona_atlas.errors import InputFileError
from persona_atlas.jsonpath import format_path
from persona_atlas.kinds.imported.config import ImportedConfig
from persona_atlas.kinds.imported.read import ImportedFile, read_file
from persona_atlas.kinds.imported.tables import IMPORT_QUIRKS
from persona_atlas.schema import Scalar, Table

KIND_NAME = "imported"


def run(config: ImportedConfig, *, progress: bool = False) -> AnalysisOutput:
    """Re-read the files ``config`` names (relative to the repository root or absolute)."""
    # the root as ``result_writer.project_root`` finds it; not imported from there, so that
    # the writer (and the registry it reaches) stay out of this kind's code version
    root = gitinfo.repo_root(os.getcwd()) or Path.cwd()
    files = [read_file(root / f, _shown(root / f, root)) for f in config.files]
    return convert(files)


def _shown(path: Path, root: Path) -> str:
    """How messages and the provenance name a file: from the repository root when inside."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def convert(files: list[ImportedFile]) -> AnalysisOutput:
    """The result of importing ``files`` (``keys``: see the module docstring)."""
    keys = _keys(files)
    out = AnalysisOutput(kind=KIND_NAME, inputs=[f.shown for f in files])
    quirk_rows: list[list[Scalar]] = []
    for key, f in zip(keys, files, strict=True):
        prefix: list[str | int] = [key] if key else []
        if not prefix and not isinstance(f.doc, dict):
            prefix = [Path(f.shown).stem]  # a top-level list or value needs a name
        doc = f.doc
        if prefix:
            out.metrics[str(prefix[0])] = doc
        elif isinstance(doc, dict):
            out.metrics.update(doc)
        for inner, why in f.nulls.items():
            out.nulls[format_path(["metrics", *prefix, *inner])] = why
        for name, table in _tables(doc, prefix, f.shown):
            if name in out.tables:
                raise InputFileError(f"{f.shown}: two lists would both be table {name!r}")
            out.tables[name] = table
        quirk_rows += [[f.shown, q.path or "(root)", q.what] for q in f.quirks]
    if quirk_rows:
        if IMPORT_QUIRKS.name in out.tables:
            raise InputFileError(
                f"a list in the imported file(s) would be table {IMPORT_QUIRKS.name!r}, "
                "the name of the quirks table",
                hint="import that file on its own, or rename the key",
            )
        out.tables[IMPORT_QUIRKS.name] = IMPORT_QUIRKS.table(quirk_rows)
    return out


def _keys(files: list[ImportedFile]) -> list[str]:
    """Metric key of each file: none for a single file, else its stem (unique)."""
    if len(files) == 1:
        return [""]
    stems = [Path(f.shown).stem for f in files]
    for stem in stems:
        if stems.count(stem) > 1:
            twins = ", ".join(f.shown for f in files if Path(f.shown).stem == stem)
            raise InputFileError(
                f"two imported files share the file stem {stem!r}: {twins}",
                hint="each file's values sit under its stem; import them separately or rename one",
            )
    return stems


def _tables(doc: Any, at: list[str | int], shown: str) -> list[tuple[str, Table]]:
    """Tables for the lists of records under ``doc`` (object paths only)."""
    found: list[tuple[str, Table]] = []
    if isinstance(doc, dict):
        for key, value in doc.items():
            found += _tables(value, [*at, key], shown)
    elif isinstance(doc, list) and doc and all(isinstance(r, dict) for r in doc):
        name = format_path(at)
        found.append((name, _records_table(doc, name, shown)))
    return found


def _records_table(records: list[dict[str, Any]], name: str, shown: str) -> Table:
    columns = list(dict.fromkeys(k for r in records for k in r))
    nested = {k for r in records for k, v in r.items() if isinstance(v, dict | list)}
    kept = [c for c in columns if c not in nested]
    left = f"; {', '.join(c for c in columns if c in nested)} stay in metrics" if nested else ""
    if not kept:
        kept = ["row"]  # records of nested values only: a table of their positions
        rows: list[list[Scalar]] = [[i] for i in range(len(records))]
    else:
        rows = [[r.get(c) for c in kept] for r in records]
    return Table(
        columns=kept,
        rows=rows,
        description=f"The records of {shown} at {name}, one row each{left}.",
    )

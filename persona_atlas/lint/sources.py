"""The JSON a report is linted against, loaded once per file version.

Reading, validating and indexing a 500 KB result.json is most of a lint's cost; linting many
edits of one report (the mutation test, an editor integration) or many reports of one result
reuses the loaded documents and their `Lookup` while the files' size and mtime are unchanged
(up to 64 MB of JSON in all: a larger result is not held after its report is linted). A
result's tables are shared between the validated model and the JSON the lint reads, not
copied.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from persona_atlas.errors import InputFileError
from persona_atlas.files import plain_files
from persona_atlas.kinds.base import Vocabulary
from persona_atlas.kinds.imported.read import read_file
from persona_atlas.lint.lookup import Lookup
from persona_atlas.lint.terms import vocabulary
from persona_atlas.schema import ResultFile, load_result, load_run

_CACHE: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_CACHE_SIZE = 8
#: Loaded results are kept while their files total at most this many bytes: a very large
#: result is loaded for each report that needs it rather than held with seven others.
_CACHE_BYTES = 64 * 2**20


@dataclass(frozen=True)
class ResultSources:
    result: ResultFile
    result_doc: dict[str, Any]
    run_doc: dict[str, Any] | None
    lookup: Lookup
    words: Vocabulary
    """The vocabulary of the result's kind: what its tables and columns are called."""


def vocabulary_of(result: ResultFile) -> Vocabulary:
    """The words the linter reads ``result`` with: those its kind declares."""
    from persona_atlas.kinds import kind_of

    kind = kind_of(result)
    return kind.vocabulary if kind is not None else Vocabulary()


def every_vocabulary() -> Vocabulary:
    """The words of every registered kind (for JSON files that are not results)."""
    from persona_atlas.kinds import all_kinds

    words = Vocabulary()
    for kind in all_kinds():
        words = words | kind.vocabulary
    return words


def clear_cache() -> None:
    """Forget every loaded result (the benchmark times a cold lint with it)."""
    _CACHE.clear()


def _key(kind: str, paths: Sequence[Path]) -> tuple[Any, ...]:
    out: list[Any] = [kind]
    for p in paths:
        st = p.stat() if p.exists() else None
        out.append((str(p.resolve()), st.st_mtime_ns if st else None, st.st_size if st else None))
    return tuple(out)


def _size(key: tuple[Any, ...]) -> int:
    return sum(part[2] or 0 for part in key[1:])


def _cached(key: tuple[Any, ...]) -> Any:
    hit = _CACHE.get(key)
    if hit is not None:
        _CACHE.move_to_end(key)
    return hit


def _store(key: tuple[Any, ...], value: Any) -> Any:
    if _size(key) > _CACHE_BYTES:
        return value
    _CACHE[key] = value
    while len(_CACHE) > _CACHE_SIZE or sum(map(_size, _CACHE)) > _CACHE_BYTES:
        _CACHE.popitem(last=False)
    return value


def result_sources(result_path: Path, run_path: Path) -> ResultSources:
    """result.json (validated) and run.json (if present) with their lookup."""
    key = _key("result", [result_path, run_path])
    hit = _cached(key)
    if hit is not None:
        return hit
    res = load_result(result_path)
    run_doc = load_run(run_path).model_dump(mode="json") if run_path.exists() else None
    result_doc = _as_json(res)
    words = vocabulary_of(res)
    with vocabulary(words):
        lookup = Lookup({"": result_doc, "run.": run_doc})
    return _store(key, ResultSources(res, result_doc, run_doc, lookup, words))


def _as_json(res: ResultFile) -> dict[str, Any]:
    """``res.model_dump(mode="json")``, except that each table's rows are the validated rows
    themselves (already JSON values), not a copy: a result's tables can be most of its size."""
    doc = res.model_dump(mode="json", exclude={"tables"})
    tables = {}
    for name, t in res.tables.items():
        rest = t.model_dump(mode="json", exclude={"rows"})
        tables[name] = {k: t.rows if k == "rows" else rest[k] for k in type(t).model_fields}
    fields = list(type(res).model_fields)
    return {k: tables if k == "tables" else doc[k] for k in fields if k == "tables" or k in doc}


@dataclass(frozen=True)
class AgainstSources:
    lookup: Lookup
    warnings: tuple[str, ...]
    """The quirks tolerated while reading (bare NaN, booleans as strings, duplicate keys)."""


def against_lookup(against: Sequence[str | Path]) -> AgainstSources:
    """Any JSON files, or every ``*.json`` under a folder, each under the prefix of its
    shortest distinctive name (``<stem>:``, ``part_a/correlation_results:``). The group's
    quirks are read as ``atlas import`` reads them, each with a warning."""
    files = against_files(against)
    key = _key("against", files)
    hit = _cached(key)
    if hit is not None:
        return hit
    docs: dict[str, Any] = {}
    warnings: list[str] = []
    for name, path in zip(distinct_names(files), files, strict=True):
        read = read_file(path, str(path))
        docs[f"{name}:"] = read.doc
        warnings += read.warnings()
    with vocabulary(every_vocabulary()):
        return _store(key, AgainstSources(Lookup(docs), tuple(warnings)))


def against_files(against: Sequence[str | Path]) -> list[Path]:
    """The JSON files named, a folder standing for every ``*.json`` under it (found without
    following links); a folder without any is an error."""
    out: list[Path] = []
    for a in map(Path, against):
        if a.is_dir():
            found = [p for p in plain_files(a) if p.suffix.lower() == ".json"]
            if not found:
                raise InputFileError(
                    f"{a}: no *.json file under this folder", hint="name the result JSON files"
                )
            out += found
        else:
            out.append(a)
    return list({p.resolve(): p for p in out}.values())  # each file once, however named


def distinct_names(files: Sequence[Path]) -> list[str]:
    """Each file's name without ``.json``, with as many parent folders as it takes to tell
    it from the others: ``part_a/correlation_results`` and ``combined/correlation_results``."""
    parts = [(*p.resolve().parent.parts[1:], p.stem) for p in files]
    depth = [1] * len(files)
    while True:
        names = ["/".join(ps[-d:]) for ps, d in zip(parts, depth, strict=True)]
        clash = {n for n in names if names.count(n) > 1}
        grow = [i for i, n in enumerate(names) if n in clash and depth[i] < len(parts[i])]
        if not grow:  # still the same name (``x.json`` and ``x.JSON``): the file's own name
            return [f"{n}{files[i].suffix}" if n in clash else n for i, n in enumerate(names)]
        for i in grow:
            depth[i] += 1

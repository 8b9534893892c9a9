"""The JSON a report is linted against, loaded once per file version.

Reading, validating and indexing a 500 KB result.json is most of a lint's cost; linting many
edits of one report (the mutation test, an editor integration) or many reports of one result
reuses the loaded documents and their `Lookup` while the files' size and mtime are unchanged.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from persona_atlas.files import read_json
from persona_atlas.schema import ResultFile, load_result, load_run
from persona_atlas.site.lint.lookup import Lookup

_CACHE: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_CACHE_SIZE = 8


@dataclass(frozen=True)
class ResultSources:
    result: ResultFile
    result_doc: dict[str, Any]
    run_doc: dict[str, Any] | None
    lookup: Lookup


def clear_cache() -> None:
    """Forget every loaded result (the benchmark times a cold lint with it)."""
    _CACHE.clear()


def _key(kind: str, paths: Sequence[Path]) -> tuple[Any, ...]:
    out: list[Any] = [kind]
    for p in paths:
        st = p.stat() if p.exists() else None
        out.append((str(p.resolve()), st.st_mtime_ns if st else None, st.st_size if st else None))
    return tuple(out)


def _cached(key: tuple[Any, ...]) -> Any:
    hit = _CACHE.get(key)
    if hit is not None:
        _CACHE.move_to_end(key)
    return hit


def _store(key: tuple[Any, ...], value: Any) -> Any:
    _CACHE[key] = value
    while len(_CACHE) > _CACHE_SIZE:
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
    result_doc = res.model_dump(mode="json")
    lookup = Lookup({"": result_doc, "run.": run_doc})
    return _store(key, ResultSources(res, result_doc, run_doc, lookup))


def against_lookup(against: Sequence[str | Path]) -> Lookup:
    """Any JSON files, each under the prefix ``<stem>:``."""
    paths = [Path(a) for a in against]
    key = _key("against", paths)
    hit = _cached(key)
    if hit is not None:
        return hit
    docs: dict[str, Any] = {f"{p.stem}:": read_json(p) for p in paths}
    return _store(key, Lookup(docs))

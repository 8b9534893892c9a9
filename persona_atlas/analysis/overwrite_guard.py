"""Refuse to replace a result.json that holds another result.

A result is identified by its issue, its analysis (provenance analysis name) and its source:
the files or folder it was computed from (``centroids`` / ``source`` / ``files`` among the
analysis parameters; the input paths for an analysis that names none). Re-running the same
analysis on the same source is normal regeneration and always allowed, whatever the numbers,
the input hashes or the title; anything else (an issue number typo, an import aimed at a
computed result, another experiment's config) is refused before anything is written unless
the caller passes ``force``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import JsonValue

from persona_atlas.errors import InputFileError, OverwriteError
from persona_atlas.files import read_json
from persona_atlas.schema import ResultFile

#: Analysis parameters that name what a result was computed from.
SOURCE_PARAMS = ("centroids", "source", "files")
_SHOWN_INPUTS = 3
FORCE_HINT = (
    "nothing was written. If the issue number is a typo, fix it (`--issue`, or `issue:` in the "
    "experiment config); to replace this result on purpose, re-run with --force"
)


@dataclass(frozen=True)
class Origin:
    """What a result is a result of."""

    issue: int
    analysis: str
    source: dict[str, Any]
    """``SOURCE_PARAMS`` present in the parameters, or ``{"inputs": [paths]}`` without any."""


def origin_of(
    issue: int, analysis: str, params: dict[str, JsonValue], inputs: list[str] | None
) -> Origin:
    """The origin of a result (``inputs``: its input paths; None when not known yet)."""
    named: dict[str, Any] = {k: params[k] for k in SOURCE_PARAMS if params.get(k) is not None}
    if not named and inputs is not None:
        named = {"inputs": sorted(inputs)}
    return Origin(issue, analysis, named)


def result_origin(result: ResultFile) -> Origin:
    prov = result.provenance
    return origin_of(
        result.issue, prov.analysis.name, prov.analysis.params, [f.path for f in prov.inputs]
    )


def check_overwrite(path: str | Path, new: Origin, *, force: bool = False) -> None:
    """Raise ``OverwriteError`` when ``path`` holds a result of another origin than ``new``.

    A source that ``new`` cannot know yet (an analysis naming no source file, checked before
    it ran) is not compared; the check at write time compares it. The stored result is read
    as plain JSON, so a result of an older schema is still recognised as the same one.
    """
    p = Path(path)
    if force or not p.exists():
        return
    old = _stored(p)
    reasons = _differences(old.origin, new)
    if reasons:
        raise OverwriteError(
            f"{p} holds another result: {old.described}; the new result differs in "
            + "; ".join(reasons),
            hint=FORCE_HINT,
        )


@dataclass(frozen=True)
class _Stored:
    origin: Origin
    described: str


def _stored(p: Path) -> _Stored:
    """Issue, title, analysis and inputs of the result at ``p``, read without the schema."""
    try:
        doc = read_json(p)
        prov = doc["provenance"]
        analysis = prov["analysis"]
        inputs = [str(f["path"]) for f in prov.get("inputs") or []]
        params = analysis.get("params") or {}
        origin = origin_of(int(doc["issue"]), str(analysis["name"]), dict(params), inputs)
        title = str(doc.get("title", ""))
    except (InputFileError, KeyError, TypeError, ValueError, AttributeError) as exc:
        why = exc.message if isinstance(exc, InputFileError) else "no issue or analysis recorded"
        raise OverwriteError(
            f"{p} exists but is not a result.json persona-atlas can identify ({why})",
            hint="nothing was written; move it away, or re-run with --force to replace it",
        ) from None
    shown = _paths(inputs) if inputs else "none"
    described = f'#{origin.issue} "{title}" (analysis {origin.analysis}, inputs: {shown})'
    return _Stored(origin, described)


def _differences(old: Origin, new: Origin) -> list[str]:
    out = []
    if old.issue != new.issue:
        out.append(f"issue: #{old.issue} → #{new.issue}")
    if old.analysis != new.analysis:
        out.append(f"analysis: {old.analysis} → {new.analysis}")
    if new.source and old.source != new.source:
        out.append(f"source: {_source(old.source)} → {_source(new.source)}")
    return out


def _source(source: dict[str, Any]) -> str:
    if not source:
        return "(none recorded)"
    return ", ".join(f"{k} {_paths(v)}" for k, v in source.items())


def _paths(value: Any) -> str:
    if not isinstance(value, list):
        return str(value)
    shown = ", ".join(map(str, value[:_SHOWN_INPUTS]))
    more = len(value) - _SHOWN_INPUTS
    return f"[{shown}{f', ... {more} more' if more > 0 else ''}]"

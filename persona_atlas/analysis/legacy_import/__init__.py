"""``atlas import``: the group's legacy recipe-sweep JSON (#201/#218 format) → ``result.json``.

A legacy file holds, per recipe pair and layer, the summary of the per-persona cosines
(min/p5/mean/max), the raw and mean-centred matrix correlations and a stored PASS/GREY/KILL
partition, plus a same-recipe split-half noise floor. Every number is carried over exactly;
nothing is recomputed except what is derived (counts, ranges, per-pair summaries) and the
verdicts, which are recomputed from the thresholds only to check the stored partition.

Several files of one sweep merge into one result: for a (pair, layer) present in more than
one file, the file given *later* wins, the earlier values are kept in ``superseded_*`` tables,
and every value that differs is listed in ``source_disagreements``. Quirks of the legacy
writer (bare ``NaN``, booleans or numbers stored as strings) are tolerated with a warning; a
missing key is an ``InputFileError`` naming the file and the JSON path.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from persona_atlas import gitinfo
from persona_atlas.analysis.legacy_import.quirks import LEGACY_RECIPES
from persona_atlas.analysis.legacy_import.source import LegacySource, read_legacy
from persona_atlas.analysis.legacy_import.summary import ResultBuilder, merge
from persona_atlas.analysis.result_writer import (
    differences,
    project_root,
    relative_to_root,
    write_result,
)
from persona_atlas.analysis.versioning import code_version
from persona_atlas.config import Thresholds
from persona_atlas.errors import InputFileError
from persona_atlas.files import dumps_strict
from persona_atlas.kinds.recipe_comparison import KIND as RECIPE_COMPARISON
from persona_atlas.kinds.recipe_comparison import LEGACY_IMPORT
from persona_atlas.schema import (
    AnalysisInfo,
    FileRef,
    ImportSource,
    Provenance,
    ResultFile,
    load_result,
)

__all__ = [
    "ANALYSIS_NAME",
    "LEGACY_RECIPES",
    "ImportOutcome",
    "Verification",
    "import_legacy",
    "read_legacy",
    "verify_import",
    "write_import",
]

#: Declared by the recipe-comparison kind, whose results this importer writes.
ANALYSIS_NAME = LEGACY_IMPORT.name
KIND = RECIPE_COMPARISON.writes


@dataclass
class ImportOutcome:
    """What ``import_legacy`` produced: the result, plus the quirk warnings to print."""

    result: ResultFile
    warnings: list[str]
    sources: list[LegacySource]


def import_legacy(
    paths: list[Path],
    *,
    issue: int,
    title: str,
    thresholds: Thresholds | None = None,
    root: Path | None = None,
) -> ImportOutcome:
    """Read and merge legacy files (later files supersede earlier ones) into a ResultFile."""
    if not paths:
        raise InputFileError("no legacy files given", hint="atlas import <legacy.json> ...")
    root = root or project_root()
    t = thresholds or Thresholds()
    sources = [read_legacy(p, relative_to_root(p, root)) for p in paths]
    warnings = [w for s in sources for w in s.warnings]
    labels = [s.label for s in sources]
    if len(set(labels)) != len(labels):
        raise InputFileError(
            f"two legacy files share a file name: {', '.join(labels)}",
            hint="each file is recorded under its file stem; rename one",
        )
    first = sources[0]
    for s in sources[1:]:
        for field_name in ("model", "n_personas", "n_questions"):
            if s.info[field_name] != first.info[field_name]:
                raise InputFileError(
                    f"{s.shown}: {field_name} is {s.info[field_name]!r} but {first.shown} has "
                    f"{first.info[field_name]!r}; only files of one sweep can be merged"
                )
    ours = t.model_dump()
    for s in sources:
        if s.thresholds is not None and s.thresholds != ours:
            warnings.append(
                f"{s.shown}: thresholds: {s.thresholds} differ from the import's {ours}; "
                "the stored partition is checked against the import's thresholds"
            )

    cells = merge("cells", [(s.label, s.cells) for s in sources])
    noise = merge("noise_floor", [(s.label, s.noise) for s in sources])
    sens = merge("bstar_no_last_sensitivity", [(s.label, s.sensitivity) for s in sources])
    builder = ResultBuilder(sources, t)
    builder.add_cells(cells)
    builder.add_noise_floor(noise)
    builder.add_sensitivity(sens, cells)
    builder.add_merge_report(cells, noise, sens)
    builder.add_sources()
    for s in sources:
        agrees = builder.metrics["sources"][s.label]["verdict_summary_agrees"]
        if agrees is False:
            warnings.append(f"{s.shown}: verdict_summary does not match its partition")
    result = ResultFile(
        issue=issue,
        title=title,
        kind=KIND,
        provenance=Provenance(
            git=gitinfo.state(root),
            created=datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            code_version=code_version(ANALYSIS_NAME),
            analysis=AnalysisInfo(
                name=ANALYSIS_NAME,
                params={
                    "thresholds": ours,
                    "files": [s.shown for s in sources],
                    "merge": "a later file supersedes an earlier one for the same pair and layer",
                },
            ),
            inputs=[FileRef(path=s.shown, sha256=s.sha256, bytes=s.size) for s in sources],
            imported_from=ImportSource(
                path=sources[-1].shown,
                sha256=sources[-1].sha256,
                commit=sources[-1].info["commit"],
                note=_note(sources, warnings),
            ),
        ),
        verdict=builder.headline,
        metrics=builder.metrics,
        tables=builder.tables,
        nulls=builder.nulls,
    )
    return ImportOutcome(result=result, warnings=warnings, sources=sources)


def _note(sources: list[LegacySource], warnings: list[str]) -> str:
    parts = [
        f"{s.shown} (origin commit {s.info['commit'] or 'unknown'}, layers "
        f"{_span(s.info['layers'])})"
        for s in sources
    ]
    note = "imported from " + "; then ".join(parts)
    if len(sources) > 1:
        note += "; a later file supersedes an earlier one for the same pair and layer"
    shown = warnings[:10] + ([f"... {len(warnings) - 10} more"] if len(warnings) > 10 else [])
    return note + ("; quirks tolerated: " + " | ".join(shown) if warnings else "; no quirks")


def _span(layers: list[int]) -> str:
    if layers and layers == list(range(layers[0], layers[-1] + 1)) and len(layers) > 2:
        return f"{layers[0]}-{layers[-1]}"
    return ",".join(map(str, layers))


# ----------------------------------------------------------------------------- write, verify


def write_import(outcome: ImportOutcome, out: Path, *, force: bool = False) -> bool:
    """Write the result atomically: a failure leaves no file (or the previous one) behind.
    False when the file already holds the same import (``result_writer.write_result``); a
    result of another issue, analysis or file list is only replaced with ``force``."""
    return write_result(out, outcome.result, force=force)


@dataclass
class Verification:
    """Outcome of re-importing a committed result from the files its provenance names."""

    differences: list[str]
    """One line per differing value (``provenance.created``, ``git``, ``code_version`` aside)."""
    byte_identical: bool
    """True when the re-import, with those three fields copied over, is the same bytes."""
    code_version: tuple[str, str]
    """(committed, current) importer code version; differing alone does not fail."""
    warnings: list[str]


def verify_import(result_path: Path, root: Path | None = None) -> Verification:
    """Re-run the import recorded in ``result_path`` and compare, value by value."""
    committed = load_result(result_path)
    prov = committed.provenance
    if prov.analysis.name != ANALYSIS_NAME:
        raise InputFileError(
            f"{result_path}: written by {prov.analysis.name!r}, not by `atlas import`",
            hint="verify computed results with `atlas analyze --verify`",
        )
    files = prov.analysis.params.get("files")
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise InputFileError(f"{result_path}: provenance.analysis.params.files is not a list")
    thresholds = Thresholds.model_validate(prov.analysis.params.get("thresholds") or {})
    root = root or project_root()
    again = import_legacy(
        [root / str(f) for f in files],
        issue=committed.issue,
        title=committed.title,
        thresholds=thresholds,
        root=root,
    )
    # Re-importing cannot reproduce the creation time or commit; the code version is
    # reported separately (``atlas check`` flags it), so only the numbers decide here.
    for name in ("created", "git", "code_version"):
        setattr(again.result.provenance, name, getattr(prov, name))
    text = result_path.read_text(encoding="utf-8")
    return Verification(
        differences=differences(committed, again.result),
        byte_identical=dumps_strict(again.result.model_dump(mode="json")) == text,
        code_version=(prov.code_version, code_version(ANALYSIS_NAME)),
        warnings=again.warnings,
    )

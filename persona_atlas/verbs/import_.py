"""Import any of the group's result JSON files into a result.json (docs/import.md).

The #201/#218 recipe-sweep format (``pairs`` + ``cross_method_metrics``) is recognised and
becomes a recipe comparison: several files of one sweep merge, a later file superseding an
earlier one for the same recipe pair and layer. Any other JSON becomes an ``imported``
result holding the file's own values. ``--as`` forces one importer. Every number is carried
over exactly; quirks (bare NaN, booleans stored as strings, duplicate keys) are tolerated
with a warning. With --verify, re-import the files a committed result names and fail on any
difference.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from persona_atlas.errors import AtlasError
from persona_atlas.schema import ISSUE_MAX

if TYPE_CHECKING:
    from persona_atlas.analysis.legacy_import import Verification
    from persona_atlas.schema import ResultFile

NAME = "import"
HELP = "import the group's result JSON (any shape) into results/issue-<N>/result.json"
_SHOWN_DIFFERENCES = 20
#: ``--as`` values: the generic importer's kind, the #201 importer's kind.
GENERIC = "imported"
RECIPE_SWEEP = "recipe-comparison"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "legacy",
        nargs="*",
        type=Path,
        metavar="files",
        help="the group's result JSON file(s), oldest first",
    )
    p.add_argument(
        "--issue", type=issue_number, help=f"issue number of the result page (1 to {ISSUE_MAX:,})"
    )
    p.add_argument("--title", help="short title of the experiment")
    p.add_argument("--out", type=Path, help="output path (default: results/issue-<N>/result.json)")
    p.add_argument(
        "--force",
        action="store_true",
        help="replace an existing result of another issue, analysis or file list",
    )
    p.add_argument(
        "--verify",
        type=Path,
        metavar="RESULT",
        help="re-import the files RESULT's provenance names and fail on any difference",
    )
    p.add_argument(
        "--as",
        dest="as_kind",
        choices=(GENERIC, RECIPE_SWEEP),
        help="the kind to import as (default: recipe-comparison for #201-format files, "
        "imported for anything else)",
    )


def issue_number(text: str) -> int:
    """``--issue``: a whole number from 1 to ``ISSUE_MAX`` (argparse reports anything else)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= ISSUE_MAX:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an issue number: a whole number from 1 to {ISSUE_MAX:,}"
        )
    return value


def run(args: argparse.Namespace) -> int:
    from persona_atlas.analysis import legacy_import

    if args.verify is not None:
        given = (args.legacy, args.issue is not None, args.title, args.out, args.force)
        if any(given) or args.as_kind:
            raise AtlasError("--verify takes only the result path; it reads everything else there")
        return _verify(args.verify)
    if not args.legacy or args.issue is None or not args.title:
        raise AtlasError(
            "atlas import needs legacy file(s), --issue and --title",
            hint='atlas import old.json new.json --issue 201 --title "..."',
        )
    out = args.out or Path("results") / f"issue-{args.issue}" / "result.json"
    if (args.as_kind or _detect(args.legacy)) == GENERIC:
        return _import_generic(args.legacy, args.issue, args.title, out, force=args.force)
    outcome = legacy_import.import_legacy(args.legacy, issue=args.issue, title=args.title)
    for warning in outcome.warnings:
        print(f"atlas import: warning: {warning}", file=sys.stderr)
    written = legacy_import.write_import(outcome, out, force=args.force)
    m = outcome.result.metrics
    counts = m["verdict_counts"]
    merge = m["merge"]
    assert isinstance(counts, dict) and isinstance(merge, dict)
    done = "wrote" if written else "unchanged (not rewritten)"
    print(
        f"{done} {out}: {m['n_cells']} cells from {len(outcome.sources)} file(s) "
        f"({counts['PASS']} PASS, {counts['GREY']} GREY, {counts['KILL']} KILL); "
        f"{merge['n_superseded_cells']} superseded cells, {merge['n_differing_values']} "
        f"differing values (max |diff| {merge['max_abs_diff']:.2g}); "
        f"{len(outcome.warnings)} warning(s)"
    )
    return 0


def _detect(paths: list[Path]) -> str:
    """``RECIPE_SWEEP`` when every file is in the #201 format, ``GENERIC`` when none is."""
    from persona_atlas.analysis.result_writer import project_root, relative_to_root
    from persona_atlas.kinds.imported.read import read_file

    root = project_root()
    sweeps = []
    for p in paths:
        doc = read_file(p, relative_to_root(p, root)).doc
        sweeps.append(isinstance(doc, dict) and "pairs" in doc and "cross_method_metrics" in doc)
    if all(sweeps):
        return RECIPE_SWEEP
    if any(sweeps):
        named = ", ".join(str(p) for p, s in zip(paths, sweeps, strict=True) if s)
        raise AtlasError(
            f"{named}: #201-format recipe sweep(s) given with other JSON files",
            hint="import the sweep files on their own, or pass --as imported to keep every "
            "file as it is",
        )
    return GENERIC


def _import_generic(paths: list[Path], issue: int, title: str, out: Path, *, force: bool) -> int:
    from persona_atlas.analysis.analyses import Planned, run_and_write
    from persona_atlas.analysis.result_writer import project_root, relative_to_root
    from persona_atlas.kinds.imported.config import ImportedConfig

    root = project_root()
    config = ImportedConfig(files=[relative_to_root(p, root) for p in paths])
    result, written = run_and_write(Planned(issue, title, config, out), force=force)
    warnings = _quirks(result)
    for warning in warnings:
        print(f"atlas import: warning: {warning}", file=sys.stderr)
    done = "wrote" if written else "unchanged (not rewritten)"
    tables = len(result.tables) - (1 if warnings else 0)
    print(
        f"{done} {out}: {len(paths)} file(s) imported as {result.kind}, {tables} table(s) of "
        f"records; {len(warnings)} warning(s)"
    )
    return 0


def _quirks(result: ResultFile) -> list[str]:
    from persona_atlas.kinds.imported.tables import IMPORT_QUIRKS

    table = result.tables.get(IMPORT_QUIRKS.name)
    return [f"{r['file']}: {r['path']}: {r['quirk']}" for r in table.records()] if table else []


def _verify(result: Path) -> int:
    from persona_atlas.analysis.legacy_import import verify_import
    from persona_atlas.schema import load_result

    analysis = load_result(result).provenance.analysis.name
    # verify_import refuses, with the reason, a result no importer wrote
    check = _verify_generic(result) if analysis == GENERIC else verify_import(result)
    for warning in check.warnings:
        print(f"atlas import: warning: {warning}", file=sys.stderr)
    for line in check.differences[:_SHOWN_DIFFERENCES]:
        print(f"  {line}", file=sys.stderr)
    if len(check.differences) > _SHOWN_DIFFERENCES:
        print(f"  ... {len(check.differences) - _SHOWN_DIFFERENCES} more", file=sys.stderr)
    committed, current = check.code_version
    if check.differences:
        print(
            f"atlas import: {result} differs from a fresh import in "
            f"{len(check.differences)} value(s); re-run the command in its docs/import.md entry",
            file=sys.stderr,
        )
        return 1
    if not check.byte_identical:
        message = "same values, but not the bytes the importer writes"
        print(f"atlas import: {result}: {message}", file=sys.stderr)
        return 1
    note = "" if committed == current else f" (importer code version {committed} → {current})"
    print(f"verified {result}: a fresh import gives the same values and bytes{note}")
    return 0


def _verify_generic(result: Path) -> Verification:
    """Re-import the files an ``imported`` result names (``atlas analyze --verify`` does the
    same, but also fails on a new importer code version alone)."""
    from persona_atlas.analysis.analyses import compute, plan_rerun
    from persona_atlas.analysis.legacy_import import Verification
    from persona_atlas.analysis.sameness import differences
    from persona_atlas.analysis.versioning import code_version
    from persona_atlas.files import dumps_strict
    from persona_atlas.schema import load_result

    committed = load_result(result)
    prov = committed.provenance
    plan = plan_rerun(result)
    again = compute(plan)
    for name in ("created", "git", "code_version"):
        setattr(again.provenance, name, getattr(prov, name))
    text = result.read_text(encoding="utf-8")
    return Verification(
        differences=differences(committed, again),
        byte_identical=dumps_strict(again.model_dump(mode="json")) == text,
        code_version=(prov.code_version, code_version(prov.analysis.name)),
        warnings=_quirks(again),
    )

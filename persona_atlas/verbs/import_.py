"""Convert the group's legacy recipe-sweep JSON (#201/#218 run_result.json) into a result.json.

Several files of one sweep merge into one result; a file given later supersedes an earlier
one for the same recipe pair and layer, and the superseded values are kept. Every number is
carried over exactly. Quirks (bare NaN, booleans or numbers stored as strings) are tolerated
with a warning. With --verify, re-import the files a committed result names and fail on any
difference.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from persona_atlas.errors import AtlasError
from persona_atlas.schema import ISSUE_MAX

NAME = "import"
HELP = "import legacy recipe-sweep result JSON into results/issue-<N>/result.json"
_SHOWN_DIFFERENCES = 20


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "legacy", nargs="*", type=Path, help="legacy run_result.json file(s), oldest first"
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
        if args.legacy or args.issue is not None or args.title or args.out or args.force:
            raise AtlasError("--verify takes only the result path; it reads everything else there")
        return _verify(args.verify)
    if not args.legacy or args.issue is None or not args.title:
        raise AtlasError(
            "atlas import needs legacy file(s), --issue and --title",
            hint='atlas import old.json new.json --issue 201 --title "..."',
        )
    outcome = legacy_import.import_legacy(args.legacy, issue=args.issue, title=args.title)
    for warning in outcome.warnings:
        print(f"atlas import: warning: {warning}", file=sys.stderr)
    out = args.out or Path("results") / f"issue-{args.issue}" / "result.json"
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


def _verify(result: Path) -> int:
    from persona_atlas.analysis.legacy_import import verify_import

    check = verify_import(result)
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

"""Give every number in a report's prose a verdict against its result.json and run.json.

A typed number is *supported* when a stored value its context refers to (the recipe pair,
layer and metric its sentence or table row names) rounds to it at the precision it is written
with (percentages also match fractions ×100; bounds such as ``≥ 0.99`` are checked exactly);
*contradicted* when its context identifies a stored value that disagrees; *unverified* when
the JSON holds nothing its context identifies; *exempt* in code, URLs, issue references,
dates, versions and names; *allowed* by a ``<!-- lint-allow TOKEN: reason -->`` pragma. Bound
numbers (``{{ value("path", "fmt") }}``) must resolve and format; structure rules (sections,
confidence line, hero, captions, card, hedging) are errors. Exits 1 on a contradicted number
or any other failure, and under ``--strict`` on an unverified one too. ``--format html``
writes the annotated view. See docs/lint.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from persona_atlas.errors import InputFileError
from persona_atlas.verbs._empty import nothing_found

HELP = "give every number in reports a verdict against result.json (exit 1 on a contradicted one)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "paths",
        nargs="*",
        type=Path,
        help="reports or result folders (default: every results/*/report.md)",
    )
    p.add_argument(
        "--format",
        choices=("text", "json", "html"),
        default="text",
        help="output format (html: the annotated view of one report, each number coloured "
        "by its verdict)",
    )
    p.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="write the output here, not to stdout"
    )
    p.add_argument(
        "--allow-empty",
        action="store_true",
        help="exit 0 when no report is found (default: finding none is an error)",
    )
    p.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="also show every number's verdict, its reason and the JSON path used",
    )
    p.add_argument(
        "--strict",
        action="store_true",
        help="also fail on unverified numbers (the JSON holds nothing their context names), "
        "not only on contradicted ones; `make check` lints results/ this way",
    )
    p.add_argument(
        "--against",
        action="append",
        type=Path,
        metavar="JSON",
        help="lint the given file(s) against these JSON files or folders of them instead "
        "(numbers only; for write-ups outside results/, e.g. the group's own)",
    )


def run(args: argparse.Namespace) -> int:
    from persona_atlas.lint import lint_file, lint_report
    from persona_atlas.lint.output import dumps, summary_line, text_lines

    paths = [p / "report.md" if p.is_dir() else p for p in args.paths] or sorted(
        Path("results").glob("*/report.md")
    )
    if not paths:
        if args.allow_empty:
            print("atlas lint: no reports found (results/*/report.md)", file=sys.stderr)
            return 0
        raise nothing_found("lint", "*/report.md")
    if args.format == "html" and len(paths) != 1:
        raise InputFileError(
            f"--format html shows one report, {len(paths)} were given",
            hint="name one report: atlas lint results/<slug>/report.md --format html -o OUT.html",
        )
    if args.against:
        lints = [lint_file(p, args.against, strict=args.strict) for p in paths]
    else:
        lints = [lint_report(p, strict=args.strict) for p in paths]
    if args.format == "html":
        from persona_atlas.lint.annotate import as_html

        out = as_html(lints[0])
    elif args.format == "json":
        out = dumps(lints) + "\n"
    else:
        lines = [line for lint in lints for line in text_lines(lint, verbose=args.verbose)]
        out = "".join(f"{line}\n" for line in [*lines, summary_line(lints)])
    if args.output:
        from persona_atlas.files import atomic_write_text

        atomic_write_text(args.output, out)
    else:
        sys.stdout.write(out)
    return 1 if any(lint.failed for lint in lints) else 0

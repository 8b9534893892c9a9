"""Fail on stale results and figures.

For every ``results/*/result.json`` (or the ones given): a result is stale when an input's
sha256, the analysis parameters (vs the experiment config naming the same issue) or the
analysis code version differ from its provenance; a figure is stale when its spec or the
data it draws no longer match. Inputs stored outside git that are not present are reported
as unverifiable (a failure only with ``--strict-external``). Exits 1 on any failure.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from persona_atlas.verbs._empty import nothing_found

HELP = "fail on stale results and figures (inputs, parameters, code version)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "paths",
        nargs="*",
        type=Path,
        help="result.json files or result folders (default: every results/*/result.json)",
    )
    p.add_argument(
        "--strict-external",
        action="store_true",
        help="treat inputs stored outside git that are not present as failures",
    )
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    p.add_argument(
        "--allow-empty",
        action="store_true",
        help="exit 0 when no result is found (default: finding none is an error)",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="also list what was verified")


def run(args: argparse.Namespace) -> int:
    from persona_atlas.staleness import check_result

    paths = [p / "result.json" if p.is_dir() else p for p in args.paths] or sorted(
        Path("results").glob("*/result.json")
    )
    if not paths:
        if args.allow_empty:
            print("atlas check: no results found (results/*/result.json)", file=sys.stderr)
            return 0
        raise nothing_found("check", "*/result.json")
    checks = [check_result(p) for p in paths]
    strict = args.strict_external
    if args.format == "json":
        doc = [
            {
                "result": str(c.result_path),
                "failed": c.failed(strict_external=strict),
                "findings": [f.__dict__ for f in c.findings],
                "verified": c.verified,
            }
            for c in checks
        ]
        print(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        for c in checks:
            for f in c.findings:
                what = f.message if f.message.startswith(f.subject) else f"{f.subject}: {f.message}"
                print(f"{c.result_path}  {f.status}  {what}")
            if args.verbose:
                for v in c.verified:
                    print(f"{c.result_path}  ok  {v}")
        stale = sum(c.count("stale") > 0 for c in checks)
        errors = sum(c.count("error") > 0 for c in checks)
        unverifiable = sum(c.count("unverifiable") for c in checks)
        fresh = sum(not c.findings for c in checks)
        print(
            f"{len(checks)} result(s): {fresh} fresh, {stale} stale, {errors} unreadable; "
            f"{unverifiable} unverifiable input(s)"
            + (" (failing: --strict-external)" if strict and unverifiable else "")
        )
    return 1 if any(c.failed(strict_external=strict) for c in checks) else 0

"""Draw the figures of one or more results: Vega-Lite spec, SVG, PNG and meta.json per figure,
under ``results/<slug>/figures/``. Figures are fed only from ``result.json``; a re-run with
nothing changed rewrites no file."""

from __future__ import annotations

import argparse
from pathlib import Path

from persona_atlas.errors import InputFileError

HELP = "draw every figure of results/issue-N (default: all results)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "results",
        nargs="*",
        type=Path,
        help="result folders (results/issue-N); default: every results/*/result.json",
    )
    p.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help="draw only this figure (repeatable), e.g. --only verdict_partition",
    )
    p.add_argument("--root", type=Path, default=Path("results"), help="default: results")
    p.add_argument("--list", action="store_true", help="list the figures each result gets")
    p.add_argument("--progress", action="store_true", help="show a progress bar even when piped")


def result_dirs(explicit: list[Path], root: Path) -> list[Path]:
    if explicit:
        for folder in explicit:
            if not (folder / "result.json").exists():
                raise InputFileError(
                    f"{folder}: no result.json here",
                    hint="pass a result folder such as results/issue-201",
                )
        return explicit
    found = sorted(p.parent for p in root.glob("*/result.json"))
    if not found:
        raise InputFileError(f"{root}: no */result.json found", hint="run `atlas analyze` first")
    return found


def run(args: argparse.Namespace) -> int:
    from persona_atlas.figures import build_figures, jobs_for
    from persona_atlas.schema import load_result

    for folder in result_dirs(args.results, args.root):
        if args.list:
            for job in jobs_for(load_result(folder / "result.json")):
                print(f"{folder / 'figures' / job.name}\t{job.chart}\t{job.caption}")
            continue
        written = build_figures(folder, only=args.only, progress=True if args.progress else None)
        names = sorted({p.name.split(".")[0] for p in written})
        print(
            f"{folder}: {len(names)} figure(s) updated" + (f": {', '.join(names)}" if names else "")
        )
    return 0

"""Run an analysis and write results/<slug>/result.json (strict JSON, atomic, with provenance).

TARGET is an experiment config (runs its ``analysis`` section) or a results folder /
result.json (re-runs the analysis recorded in its provenance: name, parameters, inputs).
With --verify nothing is written: the result is recomputed and compared with the file on
disk, ignoring provenance.created and the git commit/dirty fields; any other difference
is printed by JSON path and the command exits 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "compute every metric and verdict of an experiment into result.json"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("target", type=Path, help="experiments/<name>.yaml or results/issue-<N>")
    p.add_argument(
        "--verify",
        action="store_true",
        help="recompute and exit 1 (printing the differing paths) if the result would change",
    )
    p.add_argument(
        "--rtol",
        type=float,
        default=0.0,
        help="with --verify: relative tolerance for floats (default 0: exact)",
    )
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress bar (default: only on a terminal)",
    )


def run(args: argparse.Namespace) -> int:
    from persona_atlas.analysis.analyses import plan_experiment, plan_rerun, run_and_write, verify

    target: Path = args.target
    is_config = target.suffix in (".yaml", ".yml")
    plan = plan_experiment(target) if is_config else plan_rerun(target)
    progress = sys.stderr.isatty() if args.progress is None else args.progress
    if args.verify:
        diffs = verify(plan, rtol=args.rtol, progress=progress)
        if diffs:
            print(f"{plan.result_path}: {len(diffs)} value(s) would change:", file=sys.stderr)
            for line in diffs[:200]:
                print(f"  {line}", file=sys.stderr)
            if len(diffs) > 200:
                print(f"  ... and {len(diffs) - 200} more", file=sys.stderr)
            return 1
        print(f"{plan.result_path}: up to date")
        return 0
    result = run_and_write(plan, progress=progress)
    counts = result.metrics.get("verdict_counts")
    summary = f" ({counts})" if counts else ""
    print(f"wrote {plan.result_path}: {result.kind}, verdict {result.verdict}{summary}")
    return 0

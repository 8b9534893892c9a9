"""Run an analysis and write results/<slug>/result.json (strict JSON, atomic, with provenance).

TARGET is an experiment config (runs its ``analysis`` section) or a results folder /
result.json (re-runs the analysis recorded in its provenance: name, parameters, inputs).
With --verify nothing is written: the result is recomputed and compared with the file on
disk, ignoring provenance.created and the git commit/dirty fields; a value that is not the
same (strings, integers, verdicts exactly; floats to a relative 1e-9, as docs/analysis.md
defines) is printed by JSON path and the command exits 1. After writing, the result's figures are
redrawn (``--no-figures`` skips that). An existing result of another issue, analysis or
source is not replaced (nor its figures redrawn) without ``--force``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from persona_atlas.errors import ConfigError

HELP = "compute every metric and verdict of an experiment into result.json"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "target",
        type=Path,
        nargs="?",
        help="experiments/<name>.yaml or results/issue-<N> (with --verify: default every result)",
    )
    p.add_argument(
        "--verify",
        action="store_true",
        help="recompute and exit 1 (printing the differing paths) if the result would change",
    )
    p.add_argument(
        "--rtol",
        type=_tolerance,
        default=None,
        help="with --verify: relative tolerance of a float (default 1e-9, docs/analysis.md; "
        "0 compares bit for bit)",
    )
    p.add_argument(
        "--figures",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="draw the result's figures afterwards (default: yes; same as `atlas figures`)",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="replace an existing result of another issue, analysis or source",
    )
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress bar (default: only on a terminal)",
    )


def run(args: argparse.Namespace) -> int:
    from persona_atlas.analysis.analyses import plan_experiment, plan_rerun, run_and_write

    progress = sys.stderr.isatty() if args.progress is None else args.progress
    if args.verify:
        targets = [args.target] if args.target else sorted(Path("results").glob("*/result.json"))
        from persona_atlas.analysis.sameness import RTOL

        rtol = RTOL if args.rtol is None else args.rtol
        failed = [t for t in targets if _verify(t, rtol, progress)]
        return 1 if failed else 0
    if args.target is None:
        raise ConfigError(
            "no target given", hint="atlas analyze experiments/<name>.yaml | results/issue-<N>"
        )
    target: Path = args.target
    is_config = target.suffix in (".yaml", ".yml")
    plan = plan_experiment(target) if is_config else plan_rerun(target)
    # another result at the target is refused before anything is written: no figure either
    result, written = run_and_write(plan, force=args.force, progress=progress)
    counts = result.metrics.get("verdict_counts")
    summary = f" ({counts})" if counts else ""
    done = "wrote" if written else "unchanged (not rewritten)"
    print(f"{done} {plan.result_path}: {result.kind}, verdict {result.verdict}{summary}")
    if args.figures:
        from persona_atlas.figures import build_figures

        drawn = build_figures(Path(plan.result_path).parent, progress=progress)
        print(
            f"figures: {len(drawn)} file(s) updated in {Path(plan.result_path).parent / 'figures'}"
        )
    return 0


def _tolerance(text: str) -> float:
    value = float(text)
    if not 0.0 <= value < 1.0:  # NaN fails too
        raise argparse.ArgumentTypeError(f"{text!r} is not a relative tolerance in [0, 1)")
    return value


def _verify(target: Path, rtol: float, progress: bool) -> bool:
    """Recompute one result; print what would change. True when it differs."""
    from persona_atlas.analysis.analyses import plan_experiment, plan_rerun, verify
    from persona_atlas.analysis.legacy_import import ANALYSIS_NAME, verify_import
    from persona_atlas.schema import load_result

    if target.suffix in (".yaml", ".yml"):
        plan = plan_experiment(target)
    else:
        path = target / "result.json" if target.is_dir() else target
        if load_result(path).provenance.analysis.name == ANALYSIS_NAME:  # legacy import
            diffs = verify_import(path).differences
            _report(path, diffs)
            return bool(diffs)
        plan = plan_rerun(target)
    diffs = verify(plan, rtol=rtol, progress=progress)
    _report(Path(plan.result_path), diffs)
    return bool(diffs)


def _report(path: Path, diffs: list[str]) -> None:
    if not diffs:
        print(f"{path}: up to date")
        return
    print(f"{path}: {len(diffs)} value(s) would change:", file=sys.stderr)
    for line in diffs[:200]:
        print(f"  {line}", file=sys.stderr)
    if len(diffs) > 200:
        print(f"  ... and {len(diffs) - 200} more", file=sys.stderr)

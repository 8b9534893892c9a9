"""Extract persona vectors: run every recipe of an experiment config over its personas and
questions, write per-recipe centroid files, the responses and run.json (docs/extract.md).

Resumable (re-run the same command after an interruption), shardable across GPUs or nodes
(--shard k/N, then --merge), and checkable (--smoke compares batched with one-at-a-time
capture).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from persona_atlas.schema import RunFile

HELP = "extract hidden-state centroids for every persona and recipe of a config"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("config", type=Path, help="experiment YAML with an `extract:` section")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument(
        "--shard", metavar="k/N", help="run only personas k, k+N, k+2N, ... (0-based k)"
    )
    mode.add_argument(
        "--merge", action="store_true", help="combine the shards' parts into the final files"
    )
    mode.add_argument(
        "--smoke",
        action="store_true",
        help="check batched capture equals one-at-a-time capture (cosine >= 0.9999); no files",
    )
    p.add_argument(
        "--parts",
        type=Path,
        action="append",
        default=[],
        metavar="DIR",
        help="with --merge: another folder of parts (e.g. copied from another node); repeatable",
    )
    p.add_argument(
        "--force", action="store_true", help="recompute everything, even finished personas"
    )
    p.add_argument("--smoke-personas", type=int, default=3, help="personas for --smoke")
    p.add_argument("--smoke-questions", type=int, default=4, help="questions for --smoke")
    bar = p.add_mutually_exclusive_group()
    bar.add_argument("--progress", action="store_true", default=None, help="always show the bar")
    bar.add_argument("--no-progress", dest="progress", action="store_false", help="never show it")


def run(args: argparse.Namespace) -> int:
    from persona_atlas.extract import runner
    from persona_atlas.extract.shard import Shard

    if args.smoke:
        from persona_atlas.extract.smoke import run_smoke

        report = run_smoke(
            args.config, n_personas=args.smoke_personas, n_questions=args.smoke_questions
        )
        print(report.render())
        return 0 if report.passed else 1
    result: RunFile | None
    if args.merge:
        result = runner.merge(args.config, args.parts)
    else:
        shard = Shard.parse(args.shard) if args.shard else None
        result = runner.run_extract(
            args.config, shard=shard, progress=args.progress, force=args.force
        )
    if result is None:
        print(f"atlas extract: shard {args.shard} done; merge with --merge", file=sys.stderr)
        return 0
    n = result.personas.count
    print(
        f"atlas extract: {n} personas x {result.questions.count} questions, "
        f"{len(result.recipes)} recipes, {len(result.layers)} layers -> "
        f"{len(result.outputs)} files + run.json"
    )
    return 0

"""Running a kind's analysis (``persona_atlas/kinds/``), and the two ways to plan one.

``analyze_experiment`` runs the ``analysis`` section of an experiment YAML;
``rerun_result`` re-runs the analysis a result.json records in its provenance (name +
params + inputs), which is how CI recomputes committed results and ``--verify`` detects a
result that would change.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from persona_atlas.analysis.output import AnalysisOutput
from persona_atlas.analysis.overwrite_guard import check_overwrite, origin_of
from persona_atlas.analysis.result_writer import (
    anchored,
    build_result,
    differences,
    map_paths,
    params_of,
    project_root,
    relative_to_root,
    write_result,
)
from persona_atlas.analysis.sameness import RTOL
from persona_atlas.config import load_config
from persona_atlas.config_types import KindConfig
from persona_atlas.errors import InputFileError
from persona_atlas.files import outside_repository
from persona_atlas.kinds import KINDS, get_kind
from persona_atlas.schema import ResultFile, load_result

AnalysisFn = Callable[..., AnalysisOutput]


def get_analysis(name: str) -> AnalysisFn:
    """The function that computes kind ``name`` (imported on first use, so ``atlas --help``
    stays fast)."""
    module, func = get_kind(name).run.split(":")
    fn: AnalysisFn = getattr(importlib.import_module(module), func)
    return fn


@dataclass
class Planned:
    """An analysis ready to run: where its result goes and everything it needs."""

    issue: int
    title: str
    config: KindConfig
    result_path: Path


def plan_experiment(config_path: str | Path) -> Planned:
    """Resolve an experiment YAML into a runnable analysis (centroids default to out_dir)."""
    exp = load_config(config_path)
    analysis = exp.analysis  # validated by its kind's config model
    # a kind reading an extraction defaults to the one the experiment's extract section writes
    if exp.extract is not None and getattr(analysis, "centroids", False) is None:
        analysis = analysis.model_copy(update={"centroids": exp.extract.out_dir})
    root = project_root()
    return Planned(exp.issue, exp.title, anchored(analysis, root), exp.result_dir / "result.json")


def plan_rerun(result_dir: str | Path) -> Planned:
    """The analysis recorded in ``<result_dir>/result.json``'s provenance."""
    path = Path(result_dir)
    path = path / "result.json" if path.is_dir() else path
    old = load_result(path)
    info = old.provenance.analysis
    if old.provenance.imported_from is not None or info.name not in KINDS:
        raise InputFileError(
            f"{path}: produced by {info.name!r}, not a registered analysis; cannot re-run it",
            hint=f"re-runnable kinds: {', '.join(KINDS)}",
        )
    try:
        config = get_kind(info.name).config.model_validate({**info.params, "name": info.name})
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(x) for x in first["loc"])
        raise InputFileError(
            f"{path}: provenance.analysis.params.{loc}: {first['msg']}",
            hint="the result predates a config change; re-run from the experiment YAML",
        ) from None
    _refuse_paths_outside(config, path)
    return Planned(old.issue, old.title, config, path)


def _refuse_paths_outside(config: KindConfig, path: Path) -> None:
    """A committed result comes with a pull request: re-running it (``--verify`` in CI) reads
    only files inside the repository, never through a link (docs/security.md)."""
    root = project_root()

    def check(p: Path) -> Path:
        absolute = p.is_absolute()
        rel = relative_to_root(p, root) if absolute else p.as_posix()
        why = (
            "path leaves the repository; inputs are read from inside it only"
            if Path(rel).is_absolute()
            else outside_repository(rel, root)
        )
        if why:
            raise InputFileError(
                f"{path}: provenance.analysis.params names {p}: {why}",
                hint="re-run it from its experiment YAML where that file lives",
            )
        return p

    map_paths(config, check)


def compute(plan: Planned, *, progress: bool = False) -> ResultFile:
    """Run the analysis and build its validated result (nothing written)."""
    root = project_root()
    fn = get_analysis(plan.config.name)
    config = map_paths(plan.config, lambda p: root / p)
    output = fn(config, progress=progress)
    return build_result(plan.issue, plan.title, plan.config, output, root)


def run_and_write(
    plan: Planned, *, force: bool = False, progress: bool = False
) -> tuple[ResultFile, bool]:
    """Compute, then atomically replace the result file: (result, whether it was written —
    not when the file already held it but for time and commit; ``write_result``).

    A result of another issue, analysis or source at the target is refused before computing
    and again, with the inputs the analysis read, before anything is written (``--force``
    replaces it)."""
    planned = origin_of(plan.issue, plan.config.name, params_of(plan.config), None)
    check_overwrite(plan.result_path, planned, force=force)
    result = compute(plan, progress=progress)
    return result, write_result(plan.result_path, result, force=force)


def verify(plan: Planned, *, rtol: float = RTOL, progress: bool = False) -> list[str]:
    """Values of the committed result that a fresh recomputation does not reproduce (empty:
    the same result, by the rules of ``sameness``)."""
    old = load_result(plan.result_path)
    return differences(old, compute(plan, progress=progress), rtol=rtol)

"""Build every figure of a result folder, and tell whether a built figure is stale."""

from __future__ import annotations

import functools
import re
import sys
from pathlib import Path

from persona_atlas.errors import AtlasError, InputFileError
from persona_atlas.figures import render
from persona_atlas.figures.registry import FigureJob, jobs_for
from persona_atlas.files import sha256_file
from persona_atlas.schema import ResultFile, load_result

# {{ figure("name", "caption") }} in report.md: the caption the page shows goes into meta.
_FIGURE_CALL = re.compile(
    r"""figure\(\s*(?P<q1>["'])(?P<name>[^"']+)(?P=q1)\s*,\s*"""
    r"""(?P<q2>["'])(?P<caption>(?:(?!(?P=q2))[^\\]|\\.)*)(?P=q2)"""
)


def report_captions(result_dir: Path) -> dict[str, str]:
    """Captions given to ``figure(...)`` calls in ``<result_dir>/report.md``."""
    report = result_dir / "report.md"
    if not report.exists():
        return {}
    text = report.read_text(encoding="utf-8")
    return {m["name"]: m["caption"].replace("\\", "") for m in _FIGURE_CALL.finditer(text)}


def build_figures(
    result_dir: Path,
    *,
    only: list[str] | None = None,
    progress: bool | None = None,
) -> list[Path]:
    """Draw every figure ``result_dir/result.json`` gets into ``result_dir/figures/``.

    ``only`` restricts to those figure names (unknown names raise). Returns the paths
    written; a re-run with nothing changed returns ``[]`` and touches no file.
    """
    from tqdm import tqdm

    from persona_atlas.gitinfo import head_commit

    result_dir = Path(result_dir)
    result_path = result_dir / "result.json"
    result = load_result(result_path)
    jobs = _select(jobs_for(result), only, result_path)
    captions = report_captions(result_dir)
    result_sha = sha256_file(result_path)
    commit = head_commit(result_dir)
    out_dir = result_dir / "figures"
    written: list[Path] = []
    show = sys.stderr.isatty() if progress is None else progress
    for job in tqdm(jobs, desc=f"figures {result_dir.name}", disable=not show, file=sys.stderr):
        spec = render.to_spec(job.build(result))
        written += render.write_figure(
            out_dir,
            job.name,
            spec,
            chart=job.chart,
            caption=captions.get(job.name, job.caption),
            result_sha256=result_sha,
            commit=commit,
        )
    return written


def _select(jobs: list[FigureJob], only: list[str] | None, where: Path) -> list[FigureJob]:
    if only is None:
        return jobs
    known = {j.name for j in jobs}
    if unknown := [n for n in only if n not in known]:
        raise AtlasError(
            f"{where}: no figure named {', '.join(map(repr, unknown))} for this result",
            hint=f"figures it gets: {', '.join(sorted(known)) or '(none)'}",
        )
    return [j for j in jobs if j.name in only]


@functools.lru_cache(maxsize=2)
def _load_once(path: str, sha256: str) -> ResultFile:
    """A result read once per content hash: the check asks about each of its figures."""
    return load_result(path)


def figure_is_stale(fig_meta_path: Path, result_path: Path) -> str | None:
    """Why the figure behind ``<name>.meta.json`` no longer matches its result, or None.

    Fresh when the result's bytes are those it was drawn from; when they differ, the chart
    is rebuilt from the current result and the figure is stale only if the data it draws
    changed (a new timestamp elsewhere in result.json does not make a figure stale).
    """
    fig_meta_path = Path(fig_meta_path)
    name = fig_meta_path.name.removesuffix(".meta.json")
    meta = render.read_meta(fig_meta_path)
    if meta is None:
        return f"{fig_meta_path}: missing; run `atlas figures`"
    files = render.paths(fig_meta_path.parent, name)
    for suffix in render.SUFFIXES:
        if not files[suffix].exists():
            return f"{files[suffix]}: missing"
    if render.spec_sha256_of(files[".vl.json"]) != meta.spec_sha256:
        return f"{files['.vl.json']}: spec bytes differ from spec_sha256 in its meta.json"
    result_sha = sha256_file(result_path)
    if result_sha == meta.result_sha256:
        return None
    result = _load_once(str(result_path), result_sha)
    job = next((j for j in jobs_for(result) if j.name == name), None)
    if job is None:
        return f"figure {name!r}: {result_path} no longer produces this figure"
    try:
        spec = render.to_spec(job.build(result))
    except InputFileError as exc:
        return exc.message
    if render.data_hash(spec) != meta.data_sha256:
        return (
            f"figure {name!r}: the data it draws changed in {result_path} "
            f"(data_sha256 {meta.data_sha256[:12]} → {render.data_hash(spec)[:12]})"
        )
    return None

"""``atlas check``: is each committed result still what its inputs, parameters and code give?

A result is **stale** when
- an input's sha256 differs from the one in ``provenance.inputs`` (or a committed input is
  gone), or the legacy file of an imported result changed;
- the analysis parameters differ: the experiment config in ``experiments/*.yaml`` that names
  the same issue and the same analysis resolves (exactly as ``atlas analyze`` resolves it) to
  parameters other than ``provenance.analysis.params``;
- the analysis code version differs from `persona_atlas.analysis.versioning.code_version`;
- an input is an extraction's run.json and the personas or questions file, the extract
  settings, the model weights or a file it wrote no longer match what it recorded
  (`persona_atlas.staleness.extraction`).

A figure is stale when its spec was edited or the data it draws no longer matches the result
(`persona_atlas.figures.build.figure_is_stale`). An input stored outside git
(``location: external``) that is not present is **unverifiable**: reported, never passing,
failing only under ``--strict-external``.
"""

from __future__ import annotations

from pathlib import Path

from persona_atlas.errors import AtlasError, StaleResultError
from persona_atlas.schema import FileRef, ResultFile, load_result
from persona_atlas.staleness.extraction import check_extractions
from persona_atlas.staleness.findings import Finding, ResultCheck, Status, hashed_file
from persona_atlas.staleness.params import check_params, expected_params, param_differences

__all__ = [
    "Finding",
    "ResultCheck",
    "Status",
    "check_result",
    "expected_params",
    "hashed_file",
    "param_differences",
    "raise_if_stale",
]


def check_result(
    result_path: str | Path, *, root: Path | None = None, experiments: Path | None = None
) -> ResultCheck:
    """Check one ``results/<slug>/result.json`` and the figures next to it."""
    path = Path(result_path)
    root = root or _project_root()
    check = ResultCheck(path)
    try:
        result = load_result(path)
    except AtlasError as exc:
        check.findings.append(Finding(str(path), "error", str(exc)))
        return check
    prov = result.provenance
    experiments = experiments or root / "experiments"
    _code_version(result, check)
    for ref in prov.inputs:
        _input(ref, root, check)
    if prov.imported_from is not None:
        src = prov.imported_from
        hashed_file(src.path, src.sha256, root, check, "legacy source", external=False)
    check_extractions(result, root, experiments, check)
    check_params(result, root, experiments, check)
    _figures(path, check)
    return check


def _code_version(result: ResultFile, check: ResultCheck) -> None:
    from persona_atlas.analysis.versioning import code_version

    # the version of the code of the result's kind (or importer) only: see kinds/
    analysis = result.provenance.analysis.name
    try:
        current = code_version(analysis)
    except AtlasError as exc:
        check.findings.append(Finding(str(check.result_path), "stale", str(exc)))
        return
    recorded = result.provenance.code_version
    if recorded != current:
        verb = "atlas import" if result.provenance.imported_from else "atlas analyze"
        check.findings.append(
            Finding(
                str(check.result_path),
                "stale",
                f"analysis code version {recorded} ≠ current {current}; re-run `{verb}`",
            )
        )
    else:
        check.verified.append(f"code version {current}")


def _input(ref: FileRef, root: Path, check: ResultCheck) -> None:
    external = ref.location == "external"
    if "://" in ref.path:
        check.findings.append(
            Finding(ref.path, "unverifiable", "input lives at a URI outside git; not re-hashed")
        )
        return
    hashed_file(ref.path, ref.sha256, root, check, "input", external=external)


def _figures(result_path: Path, check: ResultCheck) -> None:
    from persona_atlas.figures.build import figure_is_stale

    folder = result_path.parent / "figures"
    metas = sorted(folder.glob("*.meta.json"))
    for spec in sorted(folder.glob("*.vl.json")):
        meta = spec.with_name(spec.name.removesuffix(".vl.json") + ".meta.json")
        if meta not in metas:
            check.findings.append(Finding(str(spec), "stale", "no .meta.json; run `atlas figures`"))
    for meta in metas:
        try:
            why = figure_is_stale(meta, result_path)
        except AtlasError as exc:
            why = str(exc)
        if why:
            check.findings.append(Finding(str(meta), "stale", f"{why}; run `atlas figures`"))
        else:
            check.verified.append(f"figure {meta.name.removesuffix('.meta.json')}")


def raise_if_stale(check: ResultCheck, *, strict_external: bool = False) -> None:
    """For callers that must refuse a stale result (a publish step)."""
    if check.failed(strict_external=strict_external):
        first = next(f for f in check.findings if f.status != "unverifiable" or strict_external)
        raise StaleResultError(
            f"{check.result_path}: {first.subject}: {first.message}",
            hint="run `atlas check` for every finding",
        )


def _project_root() -> Path:
    from persona_atlas.gitinfo import repo_root

    return repo_root(str(Path.cwd())) or Path.cwd()

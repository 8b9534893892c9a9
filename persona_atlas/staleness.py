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
  (`persona_atlas.extraction_check`).

A figure is stale when its spec was edited or the data it draws no longer matches the result
(`persona_atlas.figures.build.figure_is_stale`). An input stored outside git
(``location: external``) that is not present is **unverifiable**: reported, never passing,
failing only under ``--strict-external``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from persona_atlas import jsonpath
from persona_atlas.errors import AtlasError, StaleResultError
from persona_atlas.files import sha256_file
from persona_atlas.schema import FileRef, ResultFile, load_result

Status = Literal["stale", "unverifiable", "error"]


@dataclass(frozen=True)
class Finding:
    subject: str  # the file the finding is about
    status: Status
    message: str


@dataclass
class ResultCheck:
    """Everything `check_result` found for one result; empty ``findings`` means fresh."""

    result_path: Path
    findings: list[Finding] = field(default_factory=list)
    verified: list[str] = field(default_factory=list)  # what was checked and held

    def count(self, status: Status) -> int:
        return sum(f.status == status for f in self.findings)

    def failed(self, *, strict_external: bool = False) -> bool:
        bad = {"stale", "error"} | ({"unverifiable"} if strict_external else set())
        return any(f.status in bad for f in self.findings)


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
    from persona_atlas.extraction_check import check_extractions

    prov = result.provenance
    experiments = experiments or root / "experiments"
    _code_version(result, check)
    for ref in prov.inputs:
        _input(ref, root, check)
    if prov.imported_from is not None:
        src = prov.imported_from
        hashed_file(src.path, src.sha256, root, check, "legacy source", external=False)
    check_extractions(result, root, experiments, check)
    _params(result, root, experiments, check)
    _figures(path, check)
    return check


def _code_version(result: ResultFile, check: ResultCheck) -> None:
    from persona_atlas.analysis.versioning import code_version

    recorded, current = result.provenance.code_version, code_version()
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


def hashed_file(
    rel: str,
    recorded: str,
    root: Path,
    check: ResultCheck,
    what: str,
    external: bool,
    todo: str = "",
) -> None:
    """Stale when the committed file at ``rel`` is missing or its sha256 is not ``recorded``;
    ``todo`` (what to do) ends the message."""
    absolute = Path(rel).is_absolute()
    p = Path(rel) if absolute else root / rel
    then = f"; {todo}" if todo else ""
    if absolute and not p.resolve().is_relative_to(root.resolve()):
        msg = f"{what} is recorded outside the repository; not opened, cannot verify its sha256"
        check.findings.append(Finding(rel, "unverifiable", msg))
        return
    problem = None if absolute else outside_repository(rel, root)
    if problem:
        check.findings.append(Finding(rel, "error", f"{what} {problem}"))
        return
    if not p.is_file():
        if external or Path(rel).is_absolute():
            msg = f"{what} stored outside git is not present here; cannot verify its sha256"
            check.findings.append(Finding(rel, "unverifiable", msg))
        else:
            check.findings.append(Finding(rel, "stale", f"{what} is missing{then}"))
        return
    actual = sha256_file(p)
    if actual != recorded:
        msg = f"{what} sha256 {actual[:12]} ≠ recorded {recorded[:12]}{then}"
        check.findings.append(Finding(rel, "stale", msg))
    else:
        check.verified.append(f"{what} {rel}")


def outside_repository(rel: str, root: Path) -> str | None:
    """Why the repository path ``rel`` must not be read, or None.

    result.json and run.json come with pull requests: a path up and out of the repository,
    or through a committed link, would hash a file from elsewhere (a key, a huge file).
    """
    here = root
    for part in Path(rel).parts:
        here = here / part
        if here.is_symlink():
            return (
                f"path goes through the symbolic link {here.relative_to(root).as_posix()}; "
                "inputs are read as plain files only"
            )
    if not (root / rel).resolve().is_relative_to(root.resolve()):
        return "path leaves the repository; inputs are read from inside it only"
    return None


def expected_params(config_path: Path) -> tuple[str, dict[str, Any]]:
    """(analysis name, params) that ``atlas analyze`` would record for this config."""
    from persona_atlas.analysis.analyses import plan_experiment
    from persona_atlas.analysis.result_writer import params_of

    plan = plan_experiment(config_path)
    return plan.config.name, params_of(plan.config)


def _params(result: ResultFile, root: Path, experiments: Path, check: ResultCheck) -> None:
    from persona_atlas.config import load_config

    recorded = result.provenance.analysis
    for cfg_path in sorted(experiments.glob("*.yaml")) + sorted(experiments.glob("*.yml")):
        try:
            if load_config(cfg_path).issue != result.issue:
                continue
            name, params = expected_params(cfg_path)
        except AtlasError as exc:
            check.findings.append(Finding(str(cfg_path), "error", str(exc)))
            continue
        if name != recorded.name:
            continue
        diffs = param_differences(recorded.params, params)
        if diffs:
            listed = "; ".join(diffs[:5]) + ("; …" if len(diffs) > 5 else "")
            check.findings.append(
                Finding(
                    str(check.result_path),
                    "stale",
                    f"analysis parameters differ from {shown(cfg_path, root)}: {listed}; re-run "
                    f"`atlas analyze {shown(cfg_path, root)}`",
                )
            )
        else:
            check.verified.append(f"params == {shown(cfg_path, root)}")


def param_differences(recorded: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    """``path: recorded → expected`` for every leaf that differs (1 and 1.0 are equal)."""
    a, b = dict(jsonpath.flatten(recorded)), dict(jsonpath.flatten(expected))
    out = []
    for key in sorted(a.keys() | b.keys()):
        if key not in a or key not in b or not _equal(a[key], b[key]):
            out.append(f"{key}: {a.get(key, '(absent)')!r} → {b.get(key, '(absent)')!r}")
    return out


def _equal(x: Any, y: Any) -> bool:
    if isinstance(x, bool) or isinstance(y, bool):
        return x is y
    return bool(x == y)


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


def shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)

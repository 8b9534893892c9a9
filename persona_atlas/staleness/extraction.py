"""``atlas check`` for a result analysed from an extraction: does its run.json still hold?

A result made from ``atlas extract`` output lists that extraction's ``run.json`` among its
inputs. run.json records the sha256 of the personas and questions files, the model weights,
every extract setting, and every file the extraction wrote. The result is **stale** when

- the personas or questions file changed or is gone;
- the experiment config that names the result's issue and writes to the run's folder now
  has other extract settings (``max_new_tokens``, ``layers``, anything) than run.json's;
- the model weights present here hash to something else than run.json's;
- a file the extraction wrote (centroids, per-question arrays, responses) is missing or its
  sha256 differs from run.json's ``outputs``.

The weights are found and hashed as ``atlas extract`` hashed them
(`persona_atlas.model_files`, no torch). Weights that are not installed here are
**unverifiable** (reported, failing only under ``--strict-external``), like any input
stored outside git.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from persona_atlas.errors import AtlasError
from persona_atlas.model_files import weights_sha256
from persona_atlas.run_layout import is_run_file
from persona_atlas.schema import ResultFile, RunFile, load_run
from persona_atlas.staleness.findings import Finding, ResultCheck, hashed_file, shown
from persona_atlas.staleness.params import configs, param_differences


def check_extractions(
    result: ResultFile, root: Path, experiments: Path, check: ResultCheck
) -> None:
    """Check every run.json among the result's inputs."""
    for ref in result.provenance.inputs:
        if is_run_file(ref.path) and "://" not in ref.path:
            check_run(ref.path, result.issue, root, experiments, check)


def check_run(rel: str, issue: int, root: Path, experiments: Path, check: ResultCheck) -> None:
    path = Path(rel) if Path(rel).is_absolute() else root / rel
    if not path.is_file():
        return  # a missing run.json is already a missing (or unverifiable) input
    try:
        run = load_run(path)
    except AtlasError as exc:
        check.findings.append(Finding(rel, "error", str(exc)))
        return
    config = extract_config(path, issue, root, experiments)
    if config is None:
        redo = "re-run `atlas extract` for this folder, then `atlas analyze`"
    else:
        redo = f"re-run `atlas extract {shown(config[0], root)}`, then `atlas analyze`"
    for what, data in (("personas file", run.personas), ("questions file", run.questions)):
        external = data.location == "external"
        hashed_file(data.path, data.sha256, root, check, f"extraction {what}", external, redo)
    _weights(run, rel, check, redo)
    if config is not None:
        _settings(run, rel, config, root, check, redo)
    restore = "the extraction's files no longer match its run.json: " + redo
    for out in run.outputs:
        external = out.location == "external"
        hashed_file(out.path, out.sha256, root, check, "extraction output", external, restore)


def extract_config(
    run_path: Path, issue: int, root: Path, experiments: Path
) -> tuple[Path, dict[str, Any]] | None:
    """The experiment config naming ``issue`` whose ``extract.out_dir`` is the run's folder,
    with its extract settings in JSON form; None when no config says how it was made."""
    from persona_atlas.config import load_config

    folder = run_path.parent.resolve()
    for cfg_path in configs(experiments):
        try:
            exp = load_config(cfg_path)
        except AtlasError:
            continue  # reported by the parameter check
        if exp.issue != issue or exp.extract is None:
            continue
        out_dir = exp.extract.out_dir
        if (out_dir if out_dir.is_absolute() else root / out_dir).resolve() == folder:
            return cfg_path, exp.extract.model_dump(mode="json")
    return None


def recorded_settings(run: RunFile) -> dict[str, Any] | None:
    """run.json's extract settings, with defaults filled in for settings added since."""
    from pydantic import ValidationError

    from persona_atlas.config import ExtractConfig

    raw = run.config.get("extract")
    if not isinstance(raw, dict):
        return None
    try:
        return ExtractConfig.model_validate(raw).model_dump(mode="json")
    except ValidationError:
        return dict(raw)  # a setting since removed: compared as recorded


def _settings(
    run: RunFile,
    rel: str,
    config: tuple[Path, dict[str, Any]],
    root: Path,
    check: ResultCheck,
    redo: str,
) -> None:
    cfg_path, current = config
    recorded = recorded_settings(run)
    if recorded is None:
        check.findings.append(Finding(rel, "stale", f"records no extract settings; {redo}"))
        return
    recorded.pop("out_dir", None)
    current = {k: v for k, v in current.items() if k != "out_dir"}
    diffs = param_differences(recorded, current)
    if diffs:
        listed = "; ".join(diffs[:5]) + ("; …" if len(diffs) > 5 else "")
        check.findings.append(
            Finding(
                rel,
                "stale",
                f"extract settings differ from {shown(cfg_path, root)}: {listed}; {redo}",
            )
        )
    else:
        check.verified.append(f"extract settings == {shown(cfg_path, root)}")


def _weights(run: RunFile, rel: str, check: ResultCheck, redo: str) -> None:
    recorded = run.model.weights_sha256
    if recorded is None:
        return
    try:
        current = weights_sha256(run.model.id)
    except AtlasError:
        current = None
    if current is None:
        msg = f"model weights of {run.model.id!r} are not present here; cannot verify their sha256"
        check.findings.append(Finding(rel, "unverifiable", msg))
    elif current != recorded:
        msg = (
            f"model weights of {run.model.id!r}: sha256 {current[:12]} ≠ recorded "
            f"{recorded[:12]}; {redo}"
        )
        check.findings.append(Finding(rel, "stale", msg))
    else:
        check.verified.append(f"model weights {run.model.id}")

"""Do a result's analysis parameters still match the experiment config that made it?"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from persona_atlas import jsonpath
from persona_atlas.errors import AtlasError
from persona_atlas.schema import ResultFile
from persona_atlas.staleness.findings import Finding, ResultCheck, shown


def configs(experiments: Path) -> list[Path]:
    """The experiment configs, in the order every check reads them."""
    return sorted(experiments.glob("*.yaml")) + sorted(experiments.glob("*.yml"))


def expected_params(config_path: Path) -> tuple[str, dict[str, Any]]:
    """(analysis name, params) that ``atlas analyze`` would record for this config."""
    from persona_atlas.analysis.analyses import plan_experiment
    from persona_atlas.analysis.result_writer import params_of

    plan = plan_experiment(config_path)
    return plan.config.name, params_of(plan.config)


def check_params(result: ResultFile, root: Path, experiments: Path, check: ResultCheck) -> None:
    """Stale when a config naming the result's issue and analysis resolves to other params."""
    from persona_atlas.config import load_config

    recorded = result.provenance.analysis
    for cfg_path in configs(experiments):
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

"""What a chart may read from a result: named tables and metrics, nothing else.

Every accessor takes the chart's name so a missing table, column or metric raises an
:class:`InputFileError` that names the chart and the exact result.json path it needed.
"""

from __future__ import annotations

from typing import Any

from persona_atlas.errors import InputFileError
from persona_atlas.jsonpath import PathError, resolve
from persona_atlas.schema import ResultFile, Scalar

_HINT = (
    "re-run `atlas analyze` so the result carries it (see docs/data-contracts.md), "
    "or build only the other figures with `atlas figures --only NAME`"
)


def _missing(chart: str, result: ResultFile, path: str) -> InputFileError:
    return InputFileError(
        f"figure {chart!r}: result.json for issue {result.issue} (kind {result.kind!r}) "
        f"has no `{path}`",
        hint=_HINT,
    )


def has_table(result: ResultFile, name: str) -> bool:
    return name in result.tables


def table(result: ResultFile, chart: str, name: str, columns: list[str]) -> list[dict[str, Scalar]]:
    """Rows of ``tables.<name>`` as dicts restricted to ``columns`` (all must exist)."""
    if name not in result.tables:
        raise _missing(chart, result, f"tables.{name}")
    t = result.tables[name]
    index = {c: i for i, c in enumerate(t.columns)}
    for column in columns:
        if column not in index:
            raise InputFileError(
                f"figure {chart!r}: `tables.{name}` has no column {column!r} "
                f"(columns: {', '.join(t.columns)})",
                hint=_HINT,
            )
    picks = [index[c] for c in columns]
    return [{c: row[i] for c, i in zip(columns, picks, strict=True)} for row in t.rows]


def metric(result: ResultFile, chart: str, path: str) -> Any:
    """The value at ``metrics.<path>``; missing raises naming the chart and the path."""
    try:
        return resolve({"metrics": result.metrics}, f"metrics.{path}")
    except PathError:
        raise _missing(chart, result, f"metrics.{path}") from None


def optional_metric(result: ResultFile, path: str, default: Any = None) -> Any:
    try:
        return resolve({"metrics": result.metrics}, f"metrics.{path}")
    except PathError:
        return default


# Current names first, then the names the group's legacy result files use.
_THRESHOLD_NAMES = {
    "pass_cos_min": ("pass_cos_min", "success_cos_min"),
    "pass_mc_r": ("pass_mc_r", "success_mc_r"),
    "kill_cos_min": ("kill_cos_min",),
    "kill_mc_r": ("kill_mc_r",),
}


def thresholds(result: ResultFile, chart: str, *, required: bool = True) -> dict[str, float]:
    """``metrics.thresholds.{pass,kill}_{cos_min,mc_r}`` as floats.

    With ``required=False`` a result without a thresholds block gets ``{}`` (charts then
    draw no threshold rules); a block that is present but incomplete still raises.
    """
    if not required and optional_metric(result, "thresholds") is None:
        return {}
    block = metric(result, chart, "thresholds")
    if not isinstance(block, dict):
        raise _missing(chart, result, "metrics.thresholds.pass_cos_min")
    out: dict[str, float] = {}
    for name, aliases in _THRESHOLD_NAMES.items():
        value = next((block[a] for a in aliases if a in block), None)
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise _missing(chart, result, f"metrics.thresholds.{name}")
        out[name] = float(value)
    return out

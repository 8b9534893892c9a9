"""``correlations``: each predictor against an outcome over cells, four ways.

1. Raw Spearman (``analysis.correlation``) and, with covariates, rank-based partial Spearman
   (``analysis.partial_spearman``), each with a bootstrap percentile interval:
   ``scipy.stats.bootstrap`` resamples the cells with replacement (paired, ``bootstrap``
   resamples, seeded by ``seed``). A resample in which rho is undefined (a constant series)
   is left out of the percentiles and counted in ``metrics.bootstrap.degenerate``.
2. Strata: the raw Spearman rho within each bin of a field (or each value of it), with
   ``correlation``'s Fisher z interval.
3. Leave-group-out: the raw Spearman rho with each group's cells left out in turn; the
   metrics keep its range.

A cell takes part in a correlation when the outcome, the predictor and every covariate the
correlation uses are numbers (a null or a bare NaN in the source leaves it out) Fields
may come from a second file (``join_source`` / ``joins``, ``source.py``), looked up by the
record's key fields.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats as sps

from persona_atlas.analysis.correlation import CI_METHODS, correlation
from persona_atlas.analysis.output import AnalysisOutput
from persona_atlas.analysis.statistics import partial_spearman
from persona_atlas.errors import InputFileError
from persona_atlas.kinds.correlations.config import CorrelationsConfig, Stratum
from persona_atlas.kinds.correlations.source import Cells, read_cells
from persona_atlas.kinds.correlations.tables import CELLS, CORRELATIONS, LEAVE_GROUP_OUT, STRATA
from persona_atlas.schema import Scalar

BOOTSTRAP_CI = "percentile over resampled cells (scipy.stats.bootstrap, paired)"


def _column(cells: Cells, name: str) -> NDArray[np.float64]:
    return np.array([math.nan if v is None else v for v in cells.numbers[name]])


def _rho(*arrays: NDArray[np.float64]) -> float:
    """Partial Spearman of the first two arrays on the rest; NaN where undefined."""
    x, y, *z = arrays
    try:
        return partial_spearman(x, y, np.column_stack(z) if z else None).r
    except ValueError:
        return math.nan


def _bootstrap(
    arrays: list[NDArray[np.float64]], config: CorrelationsConfig
) -> tuple[float | None, float | None, int]:
    """(ci_lo, ci_hi, resamples where rho was undefined)."""
    rng = np.random.default_rng(config.seed)
    res = sps.bootstrap(
        tuple(arrays), _rho, n_resamples=config.bootstrap, paired=True, vectorized=False,
        confidence_level=1.0 - config.alpha, method="percentile", random_state=rng,
    )  # fmt: skip
    dist = res.bootstrap_distribution
    degenerate = int(np.sum(~np.isfinite(dist)))
    if degenerate == 0:
        return float(res.confidence_interval.low), float(res.confidence_interval.high), 0
    finite = dist[np.isfinite(dist)]
    if finite.size == 0:
        return None, None, degenerate
    lo, hi = np.percentile(finite, [50.0 * config.alpha, 100.0 - 50.0 * config.alpha])
    return float(lo), float(hi), degenerate


def _usable(*arrays: NDArray[np.float64]) -> NDArray[np.bool_]:
    return np.logical_and.reduce([np.isfinite(a) for a in arrays])


def _spearman(x: NDArray[np.float64], y: NDArray[np.float64], alpha: float) -> dict[str, Any]:
    """Raw Spearman via ``correlation``; an undefined one gets null values and a reason."""
    try:
        est = correlation(x, y, method="spearman", alpha=alpha)
    except ValueError as exc:
        return {"rho": None, "p": None, "ci_lo": None, "ci_hi": None, "n": len(x), "why": str(exc)}
    return {"rho": est.r, "p": est.p, "ci_lo": est.ci_low, "ci_hi": est.ci_high, "n": est.n}


def _null_reasons(table: str, rows: list[list[Scalar]], why: list[str | None]) -> dict[str, str]:
    nulls = {}
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if value is None:
                nulls[f"tables.{table}.rows[{i}][{j}]"] = why[i] or "undefined"
    return nulls


def _strata_keys(
    cells: Cells, stratum: Stratum, usable: NDArray[np.bool_]
) -> list[tuple[str, NDArray[np.bool_]]]:
    """(stratum name, mask of its cells) in bin order, or in order of first appearance
    among the ``usable`` cells (a value only unusable cells have is no stratum)."""
    if stratum.edges is None:
        values = cells.labels[stratum.field]
        levels = list(
            dict.fromkeys(v for v, ok in zip(values, usable, strict=True) if ok and v is not None)
        )
        return [(lv, np.array([v == lv for v in values])) for lv in levels]
    v = _column(cells, stratum.field)
    edges = stratum.edges
    out = []
    for k, (lo, hi) in enumerate(itertools.pairwise(edges)):
        last = k == len(edges) - 2
        mask = (v >= lo) & ((v <= hi) if last else (v < hi))
        out.append((f"[{lo:g}, {hi:g}{']' if last else ')'}", mask))
    return out


def _cell_rows(
    cells: Cells, config: CorrelationsConfig
) -> tuple[list[list[Scalar]], dict[str, str]]:
    """Rows of the ``cells`` table and why each of their nulls is null."""
    fields = [*config.predictors, *config.covariates]
    rows: list[list[Scalar]] = []
    nulls: dict[str, str] = {}
    for i, name in enumerate(cells.names):
        outcome = cells.numbers[config.outcome][i]
        values = [cells.numbers[f][i] for f in fields]
        if outcome is None or all(cells.numbers[p][i] is None for p in config.predictors):
            continue
        for j, value in enumerate(values):
            if value is None:
                nulls[f"tables.cells.rows[{len(rows)}][{2 + j}]"] = (
                    f"the source has no number for {fields[j]} in this cell"
                )
        rows.append([name, outcome, *values])
    return rows, nulls


def run(config: CorrelationsConfig, *, progress: bool = False) -> AnalysisOutput:
    numeric = list(dict.fromkeys([config.outcome, *config.predictors, *config.covariates]))
    numeric += [s.field for s in config.strata if s.edges is not None and s.field not in numeric]
    categorical = [s.field for s in config.strata if s.edges is None]
    if config.group is not None:
        categorical.append(config.group)
    categorical = list(dict.fromkeys(categorical))
    join_source = Path(config.join_source) if config.join_source is not None else None
    cells = read_cells(
        Path(config.source), config.rows, numeric, categorical, config.label,
        join_source=join_source, joins=config.joins,
    )  # fmt: skip
    y = _column(cells, config.outcome)
    covs = [_column(cells, c) for c in config.covariates]
    metrics: dict[str, Any] = {
        "outcome": config.outcome,
        "n_records": len(cells),
        "source_warnings": len(cells.warnings),
        "joined": cells.joined,
        "bootstrap": {
            "resamples": config.bootstrap, "seed": config.seed, "alpha": config.alpha,
            "ci_method": BOOTSTRAP_CI, "degenerate": 0,
        },
        "correlations": {},
    }  # fmt: skip
    rows: list[list[Scalar]] = []
    why: list[str | None] = []
    for name in config.predictors:
        x = _column(cells, name)
        methods: list[tuple[str, list[NDArray[np.float64]]]] = [("spearman", [])]
        if covs:
            methods.append(("partial_spearman", covs))
        for method, zs in methods:
            keep = _usable(x, y, *zs)
            arrays = [a[keep] for a in (x, y, *zs)]
            n = int(keep.sum())
            if n < 4:
                raise InputFileError(
                    f"{config.source}: {n} cells have {name}, {config.outcome}"
                    + (" and the covariates" if zs else "")
                    + "; a correlation needs at least 4",
                    hint="check the field names and analysis.rows",
                )
            xs, ys, *zk = arrays
            fit = partial_spearman(xs, ys, np.column_stack(zk) if zk else None)
            lo, hi, degenerate = _bootstrap(arrays, config)
            metrics["bootstrap"]["degenerate"] += degenerate
            rows.append([name, method, ", ".join(config.covariates if zs else []),
                         fit.r, fit.p, lo, hi, n])  # fmt: skip
            why.append(None if lo is not None else "every bootstrap resample was degenerate")
            metrics["correlations"].setdefault(name, {})[method] = {
                "rho": fit.r, "p": fit.p, "ci_lo": lo, "ci_hi": hi, "n": n,
            }  # fmt: skip
    nulls = _null_reasons("correlations", rows, why)

    strata_rows: list[list[Scalar]] = []
    strata_why: list[str | None] = []
    for stratum in config.strata:
        for name in config.predictors:
            x = _column(cells, name)
            for label, mask in _strata_keys(cells, stratum, _usable(x, y)):
                keep = mask & _usable(x, y)
                s = _spearman(x[keep], y[keep], config.alpha)
                strata_rows.append([stratum.field, label, name, s["rho"], s["p"],
                                    s["ci_lo"], s["ci_hi"], s["n"]])  # fmt: skip
                strata_why.append(s.get("why"))
    nulls |= _null_reasons("strata", strata_rows, strata_why)

    logo_rows: list[list[Scalar]] = []
    logo_why: list[str | None] = []
    if config.group is not None:
        groups = cells.labels[config.group]
        metrics["leave_group_out"] = {"group": config.group}
        for name in config.predictors:
            x = _column(cells, name)
            found: list[tuple[float, str]] = []
            usable = _usable(x, y)
            for level in dict.fromkeys(g for g, ok in zip(groups, usable, strict=True) if ok):
                if level is None:
                    continue
                keep = np.array([g != level for g in groups]) & usable
                s = _spearman(x[keep], y[keep], config.alpha)
                logo_rows.append([name, level, s["rho"], s["p"], s["n"]])
                logo_why.append(s.get("why"))
                if s["rho"] is not None:
                    found.append((s["rho"], level))
            if found:
                low, high = min(found), max(found)
                metrics["leave_group_out"][name] = {
                    "rho_min": low[0], "dropped_at_min": low[1],
                    "rho_max": high[0], "dropped_at_max": high[1],
                }  # fmt: skip
    nulls |= _null_reasons("leave_group_out", logo_rows, logo_why)
    metrics["strata_ci_method"] = CI_METHODS["spearman"]
    cell_rows, cell_nulls = _cell_rows(cells, config)
    nulls |= cell_nulls
    return AnalysisOutput(
        kind="correlations",
        metrics=metrics,
        tables={
            "correlations": CORRELATIONS.table(rows),
            "strata": STRATA.table(strata_rows),
            "leave_group_out": LEAVE_GROUP_OUT.table(logo_rows),
            "cells": CELLS.table(cell_rows, extra=[*config.predictors, *config.covariates]),
        },
        nulls=nulls,
        inputs=[str(config.source), *([str(join_source)] if join_source else [])],
    )

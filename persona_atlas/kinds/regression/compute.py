"""The regression analysis: OLS of an outcome on a predictor over items, with the checks a
small-n regression needs. Every statistic comes from ``persona_atlas.analysis``.

The fit uses the items not held out; the held-out items are the "new points" checked
against its prediction intervals. Correlations are reported over the fitted items and over
every item; Cook's distance, leverage and the standard leave-one-out coverage use every
item (a point's influence on, and fit to, the whole data).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

# the statistics API, imported from its modules so that the code version covers only these
from persona_atlas.analysis.correlation import correlation
from persona_atlas.analysis.output import AnalysisOutput
from persona_atlas.analysis.regression import (
    cooks_distance,
    loo_new_points_inside,
    loo_pi_coverage,
    ols_fit,
    ols_prediction_interval,
    vif,
)
from persona_atlas.analysis.statistics import partial_spearman, wilson_interval
from persona_atlas.errors import InputFileError
from persona_atlas.files import read_json
from persona_atlas.kinds.regression import tables as contract
from persona_atlas.kinds.regression.config import RegressionConfig
from persona_atlas.schema import Scalar, Table

GRID_POINTS = 50
#: How far a rate · trials may sit from a whole number (float noise in stored rates).
WHOLE_TOLERANCE = 1e-6
MIN_FIT = 4  # correlation intervals need n ≥ 4


def _at(src: Path, data: Any, path: str) -> Any:
    node = data
    for step in path.split("."):
        if not isinstance(node, dict) or step not in node:
            raise InputFileError(
                f"{src}: no key {path!r} (missing {step!r})",
                hint="fix the key path in the experiment's analysis section",
            )
        node = node[step]
    return node


def _per_item(
    src: Path, data: Any, path: str, items: list[str], *, whole: bool = False
) -> NDArray[np.float64]:
    mapping = _at(src, data, path)
    if not isinstance(mapping, dict):
        raise InputFileError(f"{src}: {path} must map each item to a number")
    missing = [i for i in items if i not in mapping]
    if missing:
        raise InputFileError(f"{src}: {path} has no value for {', '.join(missing)}")
    values = []
    for item in items:
        v = mapping[item]
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            raise InputFileError(f"{src}: {path}.{item} is {v!r}, not a finite number")
        if whole and not isinstance(v, int):
            raise InputFileError(f"{src}: {path}.{item} is {v!r}, not a whole count")
        values.append(float(v))
    return np.array(values)


def _items(src: Path, data: Any, config: RegressionConfig) -> list[str]:
    items = _at(src, data, config.items)
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise InputFileError(f"{src}: {config.items} must be a list of item names")
    if len(set(items)) != len(items):
        raise InputFileError(f"{src}: {config.items} names an item twice")
    unknown = [i for i in config.held_out if i not in items]
    if unknown:
        raise InputFileError(
            f"{src}: held-out item(s) {', '.join(unknown)} not in {config.items}",
            hint="analysis.held_out must name items of the source file",
        )
    if len(items) - len(config.held_out) < MIN_FIT:
        raise InputFileError(
            f"{src}: {len(items) - len(config.held_out)} items left to fit; need at least {MIN_FIT}"
        )
    return items


def _counts(
    src: Path, data: Any, config: RegressionConfig, items: list[str]
) -> tuple[NDArray[np.float64], list[int] | None]:
    """Outcome per item, and the success count k of each rate (None: not a rate)."""
    n = config.trials
    if config.successes is not None:
        k = _per_item(src, data, config.successes, items, whole=True)
        assert n is not None  # the config model requires trials with successes
        bad = [i for i, v in zip(items, k, strict=True) if not 0 <= v <= n]
        if bad:
            raise InputFileError(
                f"{src}: {config.successes}: counts outside 0..{n} for {', '.join(bad)}"
            )
        return k / n, [int(v) for v in k]
    assert config.outcome is not None
    y = _per_item(src, data, config.outcome, items)
    if n is None:
        return y, None
    k = y * n
    bad = [
        i
        for i, v in zip(items, k, strict=True)
        if abs(v - round(v)) > WHOLE_TOLERANCE or not 0 <= round(v) <= n
    ]
    if bad:
        raise InputFileError(
            f"{src}: {config.outcome}: not a rate k / {n} with whole k for {', '.join(bad)}",
            hint="set analysis.trials to the number of trials behind each rate",
        )
    return y, [round(v) for v in k]


def _corr(
    x: NDArray[np.float64], y: NDArray[np.float64], method: str, alpha: float
) -> dict[str, Scalar]:
    try:
        c = correlation(x, y, method=method, alpha=alpha)
    except ValueError as exc:
        raise InputFileError(f"{method} correlation: {exc}") from None
    return {"r": c.r, "p": c.p, "n": c.n, "ci_low": c.ci_low, "ci_high": c.ci_high}


def _held_out_checks(
    items: list[str],
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    held: NDArray[np.bool_],
    alpha: float,
) -> tuple[list[list[Scalar]], list[list[Scalar]], dict[str, Scalar]]:
    """Rows of ``prediction_intervals`` and ``new_point_drops``, and the group's check."""
    fit = ~held
    new = ols_prediction_interval(x[fit], y[fit], x[held], alpha)
    pi_rows: list[list[Scalar]] = []
    for j, at in enumerate(np.flatnonzero(held)):
        lo, hi = float(new.lower[j]), float(new.upper[j])
        pi_rows.append([items[int(at)], float(x[at]), float(y[at]), float(new.fit[j]), lo, hi,
                        (hi - lo) / 2, bool(lo <= y[at] <= hi)])  # fmt: skip
    check = loo_new_points_inside(x[fit], y[fit], x[held], y[held], alpha)
    fitted_items = [items[int(f)] for f in np.flatnonzero(fit)]
    drop_rows: list[list[Scalar]] = []
    for name, row in zip(fitted_items, check.inside, strict=True):
        inside = int(row.sum())
        drop_rows.append([name, inside, len(row) - inside, bool(row.all())])
    summary: dict[str, Scalar] = {
        "passes": check.passes, "total": check.total,
        "every_drop_keeps_inside": check.every_drop_keeps_inside,
        "full_fit_inside": int(check.full_fit_inside.sum()),
    }  # fmt: skip
    return pi_rows, drop_rows, summary


def _covariate_checks(
    src: Path, data: Any, config: RegressionConfig, items: list[str],
    x: NDArray[np.float64], y: NDArray[np.float64],
) -> tuple[dict[str, Scalar], dict[str, Scalar]]:  # fmt: skip
    """VIF of the predictor and each covariate; Spearman of x and y partial on them."""
    columns = []
    for cov in config.covariates:
        values = _per_item(src, data, cov.values, items)
        if cov.transform == "log":
            if np.any(values <= 0):
                raise InputFileError(f"{src}: {cov.values}: log needs positive values")
            values = np.log(values)
        columns.append(values)
    covariates = np.column_stack(columns)  # [n, n_covariates]
    factors = vif(np.column_stack([x, covariates]))
    vifs: dict[str, Scalar] = {"predictor": float(factors[0])}
    vifs |= {cov.name: float(f) for cov, f in zip(config.covariates, factors[1:], strict=True)}
    partial = partial_spearman(x, y, covariates)
    return vifs, {"r": partial.r, "p": partial.p, "n": partial.n}


def run(config: RegressionConfig, *, progress: bool = False) -> AnalysisOutput:
    """OLS, correlations, prediction intervals, both leave-one-out checks, Cook's distance,
    VIF and Wilson intervals for the items of ``analysis.source``."""
    src = Path(config.source)
    data = read_json(src)
    try:
        return _run(src, data, config)
    except ValueError as exc:  # degenerate data the statistics refuse (constant x, ...)
        raise InputFileError(f"{src}: {exc}") from None


def _run(src: Path, data: Any, config: RegressionConfig) -> AnalysisOutput:
    items = _items(src, data, config)
    x = _per_item(src, data, config.predictor, items)
    y, k = _counts(src, data, config, items)
    held = np.array([i in config.held_out for i in items])
    fit_mask = ~held
    alpha = config.alpha

    correlations = {
        "fit_pearson": _corr(x[fit_mask], y[fit_mask], "pearson", alpha),
        "fit_spearman": _corr(x[fit_mask], y[fit_mask], "spearman", alpha),
        "all_pearson": _corr(x, y, "pearson", alpha),
        "all_spearman": _corr(x, y, "spearman", alpha),
    }
    fit = ols_fit(x[fit_mask], y[fit_mask])
    fitted = fit.coef[0] + fit.coef[1] * x
    infl = cooks_distance(x, y)
    loo = loo_pi_coverage(x, y, alpha)

    metrics: dict[str, Any] = {
        "n_items": len(items),
        "n_fit": int(fit_mask.sum()),
        "n_held_out": int(held.sum()),
        "alpha": alpha,
        "ols": {
            "slope": float(fit.coef[1]), "intercept": float(fit.coef[0]),
            "slope_stderr": float(fit.stderr[1]), "slope_p": float(fit.p[1]),
            "r2": fit.r2, "n": fit.n, "x_title": config.x_title, "y_title": config.y_title,
        },
        **correlations,
        "cooks": {
            "threshold": infl.threshold,
            "n_influential": int(infl.flagged.sum()),
            "max": float(infl.cooks_d.max()),
        },
        "loo_pi_coverage": {
            "covered": int(loo.covered.sum()), "n": len(items), "rate": loo.coverage,
            "wilson_low": loo.wilson[0], "wilson_high": loo.wilson[1],
        },
    }  # fmt: skip
    nulls: dict[str, str] = {}
    tables: dict[str, Table] = {}

    pi_rows: list[list[Scalar]] = []
    drop_rows: list[list[Scalar]] = []
    metrics["loo_new_points_inside"] = None
    if held.any():
        pi_rows, drop_rows, metrics["loo_new_points_inside"] = _held_out_checks(
            items, x, y, held, alpha
        )
    else:
        nulls["metrics.loo_new_points_inside"] = "no items are held out (analysis.held_out)"
    tables["prediction_intervals"] = contract.PREDICTION_INTERVALS.table(pi_rows)
    tables["new_point_drops"] = contract.NEW_POINT_DROPS.table(drop_rows)

    metrics["vif"] = metrics["partial_spearman"] = None
    if config.covariates:
        metrics["vif"], metrics["partial_spearman"] = _covariate_checks(
            src, data, config, items, x, y
        )
    else:
        for key in ("vif", "partial_spearman"):
            nulls[f"metrics.{key}"] = "no covariates given (analysis.covariates)"

    other_rows: list[list[Scalar]] = []
    for label, path in config.other_predictors.items():
        values = _per_item(src, data, path, items)
        p, s = _corr(values, y, "pearson", alpha), _corr(values, y, "spearman", alpha)
        other_rows.append([label, len(items), p["r"], p["p"], s["r"], s["p"]])
    tables["other_predictors"] = contract.OTHER_PREDICTORS.table(other_rows)

    item_rows: list[list[Scalar]] = []
    for i, name in enumerate(items):
        if k is None:
            wilson: tuple[Scalar, Scalar] = (None, None)
            counts: tuple[Scalar, Scalar] = (None, None)
        else:
            assert config.trials is not None
            wilson = wilson_interval(k[i], config.trials, alpha, z=config.wilson_z)
            counts = (k[i], config.trials)
        item_rows.append([
            name, float(x[i]), float(y[i]), *counts, *wilson, bool(held[i]),
            float(fitted[i]), float(y[i] - fitted[i]), float(infl.cooks_d[i]),
            float(infl.leverage[i]), bool(infl.flagged[i]), float(loo.lower[i]),
            float(loo.upper[i]), bool(loo.covered[i]),
        ])  # fmt: skip
    if k is None:
        for column in ("successes", "trials", "wilson_low", "wilson_high"):
            nulls[f"tables.items.{column}"] = "the outcome is not a rate (analysis.trials unset)"
    tables["items"] = contract.ITEMS.table(item_rows)
    tables["ols_points"] = contract.OLS_POINTS.table(
        [[items[i], float(x[i]), float(y[i]), bool(held[i])] for i in range(len(items))]
    )
    grid = np.linspace(float(x.min()), float(x.max()), GRID_POINTS)  # [GRID_POINTS]
    band = ols_prediction_interval(x[fit_mask], y[fit_mask], grid, alpha)
    tables["ols_fit"] = contract.OLS_FIT.table(
        [[float(g), float(f), float(lo), float(hi)]
         for g, f, lo, hi in zip(grid, band.fit, band.lower, band.upper, strict=True)]
    )  # fmt: skip
    return AnalysisOutput(
        kind="regression", metrics=metrics, tables=tables, nulls=nulls, inputs=[str(src)]
    )

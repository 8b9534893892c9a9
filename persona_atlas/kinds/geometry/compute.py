"""Two persona geometries compared: correlations of their distance triangles, Mantel tests,
partial Spearman, leave-one-persona-out jackknife and cluster-collapsed RSA.

Every statistic runs on distances (``matrices.load_matrix`` turns a similarity into
1 − value), over the strict upper triangles, so a positive value means the two geometries
agree. The statistics API (``persona_atlas.analysis``) does the work.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats as sps

from persona_atlas.analysis.correlation import correlation
from persona_atlas.analysis.output import AnalysisOutput
from persona_atlas.analysis.permutation import upper_triangle
from persona_atlas.analysis.sameness import DIGITS
from persona_atlas.analysis.statistics import (
    cluster_collapsed_rsa,
    jackknife,
    mantel,
    partial_spearman,
)
from persona_atlas.errors import ConfigError, InputFileError
from persona_atlas.kinds.geometry.config import GeometryConfig, MatrixSource
from persona_atlas.kinds.geometry.matrices import aligned, load_matrix
from persona_atlas.kinds.geometry.tables import JACKKNIFE, RSA_PAIRS, STATISTICS
from persona_atlas.schema import Scalar

Row = list[Scalar]


#: Significant digits the mean-centred values keep: entries tied in the input (e.g. two
#: personas at distance 0 from a third) stay tied after centring, whose float rounding
#: would otherwise order them at random for the rank statistics.
CENTRED_DIGITS = 12


def double_centred(m: NDArray[np.float64]) -> NDArray[np.float64]:
    """``m`` with each row's and column's mean removed (grand mean added back): what is left
    once every persona's overall distance from the others is taken out."""
    centred = m - m.mean(axis=0)[None, :] - m.mean(axis=1)[:, None] + m.mean()
    scale = float(np.max(np.abs(centred))) or 1.0
    return np.round(centred / scale, CENTRED_DIGITS) * scale


def _estimate(x: NDArray[np.float64], y: NDArray[np.float64], method: str) -> dict[str, float]:
    try:
        c = correlation(x, y, method=method)
    except ValueError as exc:
        raise InputFileError(f"{method} correlation of the distance triangles: {exc}") from None
    return {"r": c.r, "p": c.p, "ci_lo": c.ci_low, "ci_hi": c.ci_high}


def _triangle_r(dx: NDArray[np.float64], dy: NDArray[np.float64], method: str) -> float:
    """The jackknife's statistic: scipy's r alone (``correlation`` would also compute an
    interval, and refuses the 3 pairs of 3 personas left from 4). NaN when constant."""
    ux, uy = upper_triangle(dx), upper_triangle(dy)
    if np.ptp(ux) == 0.0 or np.ptp(uy) == 0.0:
        return math.nan
    fn = sps.spearmanr if method == "spearman" else sps.pearsonr
    return float(fn(ux, uy)[0])


def _strata(config: GeometryConfig, personas: list[str]) -> list[str] | None:
    if config.clusters is None:
        return None
    missing = [p for p in personas if p not in config.clusters]
    unknown = sorted(set(config.clusters) - set(personas))
    if missing or unknown:
        raise ConfigError(
            f"analysis.clusters: no cluster for {missing[:8]}; unknown personas {unknown[:8]}",
            hint="give exactly one cluster per persona of the x matrix",
        )
    return [config.clusters[p] for p in personas]


def _title(source: MatrixSource, axis: str) -> str:
    if source.title:
        return source.title
    return f"{axis}: 1 − similarity" if source.measure == "similarity" else f"{axis}: distance"


def _rsa_rows(personas: list[str], dx: NDArray[np.float64], dy: NDArray[np.float64]) -> list[Row]:
    iu = np.triu_indices(len(personas), k=1)
    ux, uy = dx[iu], dy[iu]  # [n_pairs]
    decoupling = np.abs(sps.rankdata(ux) - sps.rankdata(uy)) / len(ux)
    return [
        [personas[i], personas[j], round(float(a), DIGITS), round(float(b), DIGITS), float(d)]
        for i, j, a, b, d in zip(*iu, ux, uy, decoupling, strict=True)
    ]


def run(config: GeometryConfig, *, progress: bool = False) -> AnalysisOutput:
    """Compare the geometries of ``analysis.x`` and ``analysis.y``."""
    x = load_matrix(config.x, "x")
    personas, n = x.labels, len(x.labels)
    dx, dy = x.distance, aligned(x, load_matrix(config.y, "y"), "y")
    ux, uy = upper_triangle(dx), upper_triangle(dy)  # [n_pairs]
    mx, my = upper_triangle(double_centred(dx)), upper_triangle(double_centred(dy))
    method, perms, seed = config.method, config.permutations, config.seed
    metrics: dict[str, Any] = {
        "n_personas": n, "n_pairs": int(ux.size), "method": method,
        "permutations": perms, "seed": seed,
        "measures": {"x": config.x.measure, "y": config.y.measure},
    }  # fmt: skip
    nulls: dict[str, str] = {}
    rows: list[Row] = []

    def add(name: str, value: float, p: float | None, lo: float | None, hi: float | None) -> None:
        rows.append([name, value, p, lo, hi])

    for key, (a, b) in {"raw": (ux, uy), "mean_centred": (mx, my)}.items():
        metrics[key] = {m: _estimate(a, b, m) for m in ("pearson", "spearman")}
        for m, e in metrics[key].items():
            add(f"{'raw' if key == 'raw' else 'mc'}_{m}", e["r"], e["p"], e["ci_lo"], e["ci_hi"])

    whole = mantel(dx, dy, permutations=perms, method=method, seed=seed)
    metrics["mantel"] = {"r": whole.r, "p": whole.p}
    add("mantel", whole.r, whole.p, None, None)

    strata = _strata(config, personas)
    if strata is None:
        metrics["mantel_stratified"] = metrics["cluster_rsa"] = None
        why = "no analysis.clusters given"
        nulls["metrics.mantel_stratified"] = nulls["metrics.cluster_rsa"] = why
    else:
        k = len(set(strata))
        st = mantel(dx, dy, permutations=perms, method=method, seed=seed, strata=strata)
        metrics["mantel_stratified"] = {"r": st.r, "p": st.p, "n_clusters": k}
        add("mantel_stratified", st.r, st.p, None, None)
        if k < 3:
            metrics["cluster_rsa"] = None
            nulls["metrics.cluster_rsa"] = f"{k} clusters; the cluster-collapsed RSA needs 3"
        else:
            cr = cluster_collapsed_rsa(dx, dy, strata, method=method, permutations=perms, seed=seed)
            metrics["cluster_rsa"] = {"r": cr.r, "p": cr.p, "n_clusters": k}
            add("cluster_rsa", cr.r, cr.p, None, None)

    if config.covariates:
        cov = [
            upper_triangle(aligned(x, load_matrix(c, f"covariate {c.name}"), f"covariate {c.name}"))
            for c in config.covariates
        ]
        try:
            ps = partial_spearman(ux, uy, np.column_stack(cov))
        except ValueError as exc:
            raise InputFileError(f"partial Spearman given the covariates: {exc}") from None
        metrics["partial_spearman"] = {
            "r": ps.r, "p": ps.p, "df": ps.df, "covariates": [c.name for c in config.covariates],
        }  # fmt: skip
        add("partial_spearman", ps.r, ps.p, None, None)
    else:
        metrics["partial_spearman"] = None
        nulls["metrics.partial_spearman"] = "no analysis.covariates given"

    jk = jackknife(
        lambda keep: _triangle_r(dx[np.ix_(keep, keep)], dy[np.ix_(keep, keep)], method), n
    )
    metrics["jackknife"] = {
        "estimate": jk.estimate, "se": jk.se, "bias": jk.bias, "min": jk.min, "max": jk.max,
        "most_influential": personas[jk.most_influential],
    }  # fmt: skip
    if not np.all(np.isfinite(jk.replicates)):
        dropped = personas[int(np.flatnonzero(~np.isfinite(jk.replicates))[0])]
        raise InputFileError(
            f"jackknife: without {dropped!r} a distance triangle is constant",
            hint="compare matrices whose distances vary among more than one persona's pairs",
        )
    add("jackknife", jk.estimate, None, jk.min, jk.max)

    metrics["rsa"] = {
        "spearman": metrics["raw"]["spearman"]["r"], "n_pairs": int(ux.size),
        "x_title": _title(config.x, "x"), "y_title": _title(config.y, "y"),
    }  # fmt: skip
    inputs = [str(s.file) for s in (config.x, config.y, *config.covariates)]
    return AnalysisOutput(
        kind="geometry",
        metrics=metrics,
        tables={
            "statistics": STATISTICS.table(rows),
            "jackknife": JACKKNIFE.table(
                [[p, float(v)] for p, v in zip(personas, jk.replicates, strict=True)]
            ),
            "rsa_pairs": RSA_PAIRS.table(_rsa_rows(personas, dx, dy)),
        },
        nulls=nulls,
        inputs=list(dict.fromkeys(inputs)),
    )

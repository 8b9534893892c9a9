"""CPU side: DuckDB store, metric registry, statistics, verdicts, result.json.

The statistics below are the public API, meant to be called from a notebook as well as by
the analyses: ``from persona_atlas.analysis import mantel, wilson_interval``.
"""

from persona_atlas.analysis.correlation import CorrelationEstimate, correlation
from persona_atlas.analysis.regression import (
    CoverageResult,
    Influence,
    NewPointsCheck,
    OlsFit,
    PredictionInterval,
    cooks_distance,
    loo_new_points_inside,
    loo_pi_coverage,
    ols_fit,
    ols_prediction_interval,
    vif,
)
from persona_atlas.analysis.statistics import (
    CorrelationResult,
    JackknifeResult,
    MantelResult,
    cluster_collapsed_rsa,
    jackknife,
    js_divergence,
    mantel,
    partial_spearman,
    wilson_interval,
)

__all__ = [
    "CorrelationEstimate",
    "CorrelationResult",
    "CoverageResult",
    "Influence",
    "JackknifeResult",
    "MantelResult",
    "NewPointsCheck",
    "OlsFit",
    "PredictionInterval",
    "cluster_collapsed_rsa",
    "cooks_distance",
    "correlation",
    "jackknife",
    "js_divergence",
    "loo_new_points_inside",
    "loo_pi_coverage",
    "mantel",
    "ols_fit",
    "ols_prediction_interval",
    "partial_spearman",
    "vif",
    "wilson_interval",
]

"""CPU side: DuckDB store, metric registry, statistics, verdicts, result.json.

The statistics below are the public API, meant to be called from a notebook as well as by
the analyses: ``from persona_atlas.analysis import mantel, wilson_interval``.
"""

from persona_atlas.analysis.regression import (
    CoverageResult,
    Influence,
    PredictionInterval,
    cooks_distance,
    loo_pi_coverage,
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
    "CorrelationResult",
    "CoverageResult",
    "Influence",
    "JackknifeResult",
    "MantelResult",
    "PredictionInterval",
    "cluster_collapsed_rsa",
    "cooks_distance",
    "jackknife",
    "js_divergence",
    "loo_pi_coverage",
    "mantel",
    "ols_prediction_interval",
    "partial_spearman",
    "vif",
    "wilson_interval",
]

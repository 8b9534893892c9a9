"""``correlations``: predictors against an outcome over cells.

Raw and partial Spearman with seeded bootstrap percentile intervals, the correlation within
each stratum of a field, and leave-group-out ranges (``compute.py``); the cells come from
one JSON file whose quirks (bare NaN, booleans as strings) are tolerated with warnings
(``source.py``).
"""

from __future__ import annotations

from persona_atlas.kinds.base import Kind, Vocabulary
from persona_atlas.kinds.correlations.config import CorrelationsConfig
from persona_atlas.kinds.correlations.tables import TABLES

KIND = Kind(
    name="correlations",
    doc="Predictors against an outcome over cells: raw and partial Spearman with "
    "bootstrap percentile intervals, the correlation within strata, and the range of the "
    "correlation when each group is left out.",
    config=CorrelationsConfig,
    run="persona_atlas.kinds.correlations.compute:run",
    tables=TABLES,
    figures=("correlation_forest",),
    modules=(
        "persona_atlas.analysis.correlation",
        "persona_atlas.analysis.statistics",
        "persona_atlas.analysis.legacy_import.quirks",
    ),
    vocabulary=Vocabulary.of(item_columns=("predictor",)),
)

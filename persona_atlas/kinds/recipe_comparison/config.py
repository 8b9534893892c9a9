"""The ``analysis`` keys of a recipe comparison, and the verdict rules it shares with every
kind that compares recipes (``stored-matrix-comparison``, the #201 importer)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from persona_atlas.config_types import (
    MAX_PERMUTATIONS,
    MAX_SEED,
    KindConfig,
    Section,
    Unit,
    check_recipe,
    whole,
)


class PairConfig(Section):
    x: str
    """First recipe of the pair."""
    y: str
    """Second recipe of the pair."""
    category: Literal["load-bearing", "sanity", "other"] = "other"
    """How the verdict of this pair is read (load-bearing pairs decide the headline)."""

    _check = field_validator("x", "y")(lambda cls, v: check_recipe(v))


class Thresholds(Section):
    pass_cos_min: Unit = 0.95
    """PASS needs per-persona cos_min above this..."""
    pass_mc_r: Unit = 0.90
    """...and mc_r above this."""
    kill_cos_min: Unit = 0.85
    """KILL when cos_min is below this (at most ``pass_cos_min``)..."""
    kill_mc_r: Unit = 0.70
    """...or mc_r is below this (at most ``pass_mc_r``). Everything else is GREY."""

    @model_validator(mode="after")
    def _kill_below_pass(self) -> Thresholds:
        for metric in ("cos_min", "mc_r"):
            kill, ok = getattr(self, f"kill_{metric}"), getattr(self, f"pass_{metric}")
            if kill > ok:
                raise ValueError(
                    f"kill_{metric} ({kill}) is above pass_{metric} ({ok}): a value between "
                    "them would be both PASS and KILL; allowed: kill at most pass"
                )
        return self


class RecipeVerdictConfig(KindConfig):
    """Keys of every kind that gives recipe pairs a verdict."""

    pairs: list[PairConfig] = Field(default_factory=list)
    """Recipe pairs to compare; empty means every pair of extracted recipes."""
    thresholds: Thresholds = Field(default_factory=Thresholds)
    """Verdict thresholds (recorded in provenance)."""
    mantel_permutations: int = whole(1000, 0, MAX_PERMUTATIONS)
    """Permutations for the Mantel p-value of mc_r (0 disables it)."""
    mantel_method: Literal["pearson", "spearman"] = "pearson"
    """Correlation the Mantel test permutes (mc_r itself is a Pearson correlation)."""
    seed: int = whole(0, 0, MAX_SEED)
    """Seed for permutation tests."""


def check_metric(name: str) -> str:
    """A name of the metric registry (``analysis/metrics.py``)."""
    from persona_atlas.analysis.metrics import METRICS

    if name not in METRICS:
        raise ValueError(f"unknown metric {name!r}; registered metrics: {', '.join(METRICS)}")
    return name


class RecipeComparisonConfig(RecipeVerdictConfig):
    name: str = "recipe-comparison"
    """Registered kind to run (docs/kinds.md)."""
    centroids: Path | None = None
    """Folder of extraction outputs (``centroids/``, ``per_question/``, ``run.json``);
    defaults to the extract section's ``out_dir``."""
    metrics: list[Annotated[str, AfterValidator(check_metric)]] | None = None
    """Metric names to compute; null means all registered metrics."""

"""The ``analysis`` keys of a regression: where the items, outcome and predictor live in the
source JSON, which items are held out of the fit, and the interval levels."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from persona_atlas.config_types import KindConfig, Section, whole

_KEY_PATH = re.compile(r"[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+)*")


def _key_path(path: str) -> str:
    if not _KEY_PATH.fullmatch(path):
        raise ValueError(
            f"{path!r} is not a key path: keys of letters, digits, _ or -, joined by ."
        )
    return path


#: A dotted key path into the source JSON (``cosines_to_assistant.layer_20``).
KeyPath = Annotated[str, AfterValidator(_key_path)]
MAX_TRIALS = 1_000_000_000


class Covariate(Section):
    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_]+$")
    """Short name of the covariate (its VIF is reported under ``metrics.vif.<name>``)."""
    values: KeyPath
    """Key path of the object mapping each item to the covariate's value."""
    transform: Literal["none", "log"] = "none"
    """``log``: use the natural log of the value (every value must be positive)."""


class RegressionConfig(KindConfig):
    name: str = "regression"
    """Registered kind to run (docs/kinds.md)."""
    source: Path
    """The JSON file holding the items and their values (committed under the result's
    ``inputs/``)."""
    items: KeyPath
    """Key path of the list of item names (e.g. ``personas``)."""
    outcome: KeyPath | None = None
    """Key path of the object mapping each item to its outcome (a rate when ``trials`` is
    set). Give this or ``successes``."""
    successes: KeyPath | None = None
    """Key path of the object mapping each item to its success count k (the outcome is then
    k / ``trials``). Give this or ``outcome``."""
    trials: int | None = whole(None, 1, MAX_TRIALS)
    """Trials n behind each rate: each outcome is k / n with a whole k, and gets a Wilson
    interval. Leave out for an outcome that is not a rate."""
    predictor: KeyPath
    """Key path of the object mapping each item to the predictor (the x of the fit)."""
    covariates: list[Covariate] = Field(default_factory=list)
    """Other predictors (prompt length, ...): the variance inflation factor (VIF) of the
    predictor with them, and the Spearman correlation of predictor and outcome partial on
    them. They do not enter the fit."""
    other_predictors: dict[str, KeyPath] = Field(default_factory=dict)
    """Label → key path of other candidate predictors (the same quantity at other layers):
    each gets Pearson and Spearman with the outcome over every item, nothing else."""
    held_out: list[str] = Field(default_factory=list)
    """Items left out of the fit and checked against its prediction intervals."""
    alpha: float = Field(0.05, gt=0.0, lt=0.5, allow_inf_nan=False)
    """1 − confidence level of every interval (0.05: 95% intervals)."""
    wilson_z: float | None = Field(None, gt=0.0, le=10.0, allow_inf_nan=False)
    """Critical value of the Wilson intervals; left out: the exact Φ⁻¹(1 − alpha/2).
    Set 1.96 to match scripts that round it."""
    x_title: str = "predictor"
    """Axis title of the predictor on the figure."""
    y_title: str = "outcome"
    """Axis title of the outcome on the figure."""

    @field_validator("held_out")
    @classmethod
    def _distinct(cls, items: list[str]) -> list[str]:
        if len(set(items)) != len(items):
            raise ValueError("held_out lists an item twice")
        return items

    @field_validator("covariates")
    @classmethod
    def _distinct_names(cls, covariates: list[Covariate]) -> list[Covariate]:
        names = [c.name for c in covariates]
        if len(set(names)) != len(names):
            raise ValueError("two covariates share a name")
        return covariates

    @model_validator(mode="after")
    def _one_outcome(self) -> RegressionConfig:
        if (self.outcome is None) == (self.successes is None):
            raise ValueError("give exactly one of outcome (a value per item) and successes")
        if self.successes is not None and self.trials is None:
            raise ValueError("successes needs trials (the n of each k / n)")
        return self

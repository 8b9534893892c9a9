"""The ``analysis`` keys of a ``correlations`` result: where the cells are, which fields to
correlate, and how to resample, stratify and drop groups."""

from __future__ import annotations

import itertools
from pathlib import Path

from pydantic import Field, field_validator, model_validator

from persona_atlas.config_types import MAX_SEED, KindConfig, Section, whole

#: Bootstrap resamples: enough for stable 95% percentile bounds, bounded so a typo is an error.
MIN_RESAMPLES = 100
MAX_RESAMPLES = 100_000


class Stratum(Section):
    """One stratification: the correlation within each bin of ``field``."""

    field: str
    """The record field that defines the strata."""
    edges: list[float] | None = None
    """Increasing bin edges for a numeric field (bin i holds edges[i] ≤ v < edges[i+1], the
    last bin closed); omitted: one stratum per distinct value (a categorical field)."""

    @field_validator("edges")
    @classmethod
    def _increasing(cls, edges: list[float] | None) -> list[float] | None:
        if edges is None:
            return edges
        if len(edges) < 2:
            raise ValueError("needs at least two edges (one bin)")
        if any(b <= a for a, b in itertools.pairwise(edges)):
            raise ValueError(f"edges must increase strictly, got {edges}")
        return edges


class Join(Section):
    """A field looked up in ``join_source`` for each record: nested objects indexed by the
    record's ``keys`` values (``at.<value of keys[0]>.<value of keys[1]>...``)."""

    field: str
    """Name of the new field (usable as a predictor, covariate or outcome)."""
    at: str
    """JSON path in ``join_source`` to the nested objects (``matrices.layer_10``)."""
    keys: list[str] = Field(min_length=1)
    """Record fields whose values index the nested objects, outermost first; a record whose
    values are not there gets null (it drops out of that field's correlations)."""


class CorrelationsConfig(KindConfig):
    name: str = "correlations"
    """Registered kind to run (docs/kinds.md)."""
    source: Path
    """The JSON file that holds the cells (bare NaN/Infinity are read as null with a
    warning; numbers and booleans stored as strings are converted with a warning)."""
    rows: str = ""
    """JSON path (``persona_atlas.jsonpath`` syntax, e.g. ``cells`` or ``data.rows``) to the
    list of records, one per cell; empty: the file itself is the list."""
    join_source: Path | None = None
    """A second JSON file that ``joins`` look fields up in (same quirks tolerated)."""
    joins: list[Join] = Field(default_factory=list)
    """Fields added to every record from ``join_source``."""
    label: list[str] = Field(default_factory=list)
    """Fields joined with ``_`` to name a cell (default: its position)."""
    outcome: str
    """The record field every predictor is correlated with."""
    predictors: list[str] = Field(min_length=1)
    """Numeric record fields, each correlated with ``outcome``."""
    covariates: list[str] = Field(default_factory=list)
    """Numeric fields partialled out (rank-based partial Spearman); empty: raw only."""
    strata: list[Stratum] = Field(default_factory=list)
    """Stratifications: the raw Spearman correlation within each stratum."""
    group: str | None = None
    """Field whose groups are left out in turn (leave-group-out); omitted: none."""
    bootstrap: int = whole(2000, MIN_RESAMPLES, MAX_RESAMPLES)
    """Bootstrap resamples of the cells for the percentile interval of each rho."""
    seed: int = whole(0, 0, MAX_SEED)
    """Seed of the bootstrap resampling."""
    alpha: float = Field(0.05, gt=0.0, lt=0.5, allow_inf_nan=False)
    """1 − confidence level of the bootstrap intervals."""

    @model_validator(mode="after")
    def _distinct_fields(self) -> CorrelationsConfig:
        if self.joins and self.join_source is None:
            raise ValueError("joins need join_source (the file they look their fields up in)")
        used = [self.outcome, *self.predictors, *self.covariates]
        repeated = sorted({f for f in used if used.count(f) > 1})
        if repeated:
            raise ValueError(
                f"outcome, predictors and covariates must be distinct fields; repeated: "
                f"{', '.join(repeated)}"
            )
        return self

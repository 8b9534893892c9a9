"""The ``analysis`` keys of a geometry comparison: two matrix sources, optional clusters and
covariate matrices, the Mantel permutations and seed."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from persona_atlas.config_types import MAX_PERMUTATIONS, MAX_SEED, KindConfig, Section, whole


class MatrixSource(Section):
    """One persona × persona matrix inside a JSON file."""

    file: Path
    """The JSON file that holds the matrix."""
    matrix: str
    """Path to the matrix inside the file (``matrices.layer_20``): a list of rows, or an
    object of rows (persona → persona → value), whose keys are then the labels."""
    labels: str | None = None
    """Path to the persona names in row order (a list); needed when ``matrix`` is a list
    of rows, refused when it is an object of rows."""
    measure: Literal["distance", "similarity"]
    """What the values are. Every statistic compares distances: a similarity (e.g. cosine)
    becomes 1 − value, so a positive correlation always means the two geometries agree."""
    title: str = ""
    """Axis title of the RSA scatter (default: ``x`` / ``y`` with the measure)."""


class CovariateSource(MatrixSource):
    name: str
    """Name of the covariate in the ``statistics`` table (``prompt_length_diff``)."""

    @field_validator("name")
    @classmethod
    def _plain(cls, name: str) -> str:
        if not name.replace("_", "").isalnum():
            raise ValueError(f"covariate name {name!r}: use letters, digits and _ only")
        return name


class GeometryConfig(KindConfig):
    name: str = "geometry"
    """Registered kind to run (docs/kinds.md)."""
    x: MatrixSource
    """The first persona × persona matrix (e.g. cosine similarity of centroids)."""
    y: MatrixSource
    """The second matrix over the same personas (e.g. JS divergence of next-token
    distributions); its rows are reordered to ``x``'s labels."""
    clusters: dict[str, str] | None = None
    """Persona → cluster (family). Enables the stratified Mantel test (labels permuted
    within clusters) and the cluster-collapsed RSA (needs at least 3 clusters)."""
    covariates: list[CovariateSource] = Field(default_factory=list)
    """Matrices to partial out (e.g. prompt-length difference): the partial Spearman of the
    two distance triangles given theirs."""
    method: Literal["pearson", "spearman"] = "spearman"
    """Correlation the Mantel tests, the jackknife and the cluster-collapsed RSA use."""
    permutations: int = whole(9999, 1, MAX_PERMUTATIONS)
    """Label permutations B of each Mantel test (one-sided p = (b + 1) / (B + 1))."""
    seed: int = whole(0, 0, MAX_SEED)
    """Seed of the permutations: same inputs and seed, same p-values."""

    @model_validator(mode="after")
    def _distinct_covariates(self) -> GeometryConfig:
        names = [c.name for c in self.covariates]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"covariates: names {dup} are used twice; give each its own name")
        return self

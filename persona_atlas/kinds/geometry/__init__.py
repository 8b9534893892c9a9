"""``geometry``: two persona × persona matrices over the same personas compared.

E.g. cosine similarity of centroids against JS divergence of next-token distributions
(#269): raw and mean-centred correlations, Mantel (plain and stratified by cluster), partial
Spearman given covariate matrices, a leave-one-persona-out jackknife and cluster-collapsed
RSA, all on distances (a similarity becomes 1 − value).
"""

from __future__ import annotations

from persona_atlas.kinds.base import Kind, Vocabulary
from persona_atlas.kinds.geometry.config import GeometryConfig
from persona_atlas.kinds.geometry.tables import TABLES

KIND = Kind(
    name="geometry",
    doc="Two persona × persona matrices over the same personas (e.g. centroid cosine "
    "and next-token JS divergence) compared as distances: raw and mean-centred Pearson "
    "and Spearman of the strict upper triangles, Mantel and stratified Mantel, partial "
    "Spearman given covariate matrices, leave-one-persona-out jackknife and "
    "cluster-collapsed RSA.",
    config=GeometryConfig,
    run="persona_atlas.kinds.geometry.compute:run",
    tables=TABLES,
    figures=("rsa_scatter",),
    modules=(
        "persona_atlas.analysis.correlation",
        "persona_atlas.analysis.statistics",
        "persona_atlas.analysis.permutation",
    ),
    vocabulary=Vocabulary.of(
        synonyms={"role": "persona"},
        item_columns=("a", "b", "dropped"),
    ),
)

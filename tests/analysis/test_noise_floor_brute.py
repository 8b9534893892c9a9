"""Every column of the sweep's ``noise_floor`` table against a brute-force recomputation.

The noise floor is one recipe's split halves compared with each other (per-persona cosine
between the half-A and half-B centroids, and mc_r between their mean-centred cosine
matrices). Here each value is recomputed from the stored halves with plain float64 loops
and ``math.fsum``, independent of the registry's Gram-matrix shortcuts.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from safetensors.numpy import load_file

from persona_atlas.analysis import sweep
from persona_atlas.analysis.synthetic import write_synthetic_extraction
from persona_atlas.config import RECIPES, AnalysisConfig

LAYERS = [0, 3]
N_PERSONAS = 11
TOL = 1e-12


@pytest.fixture(scope="module")
def extraction(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run")
    write_synthetic_extraction(
        out, recipes=["A", "B"], n_personas=N_PERSONAS, layers=LAYERS, hidden=16, seed=3,
        half_noise=0.8,
    )  # fmt: skip
    return out


@pytest.fixture(scope="module")
def result(extraction: Path):
    return sweep.run(AnalysisConfig(centroids=extraction, mantel_permutations=0))


def cosine(a: list[float], b: list[float]) -> float:
    dot = math.fsum(x * y for x, y in zip(a, b))
    return dot / math.sqrt(math.fsum(x * x for x in a) * math.fsum(y * y for y in b))


def percentile_5(values: list[float]) -> float:
    """Linear interpolation between closest ranks (numpy's default), written out."""
    s = sorted(values)
    pos = 0.05 * (len(s) - 1)
    lo = math.floor(pos)
    return s[lo] + (pos - lo) * (s[min(lo + 1, len(s) - 1)] - s[lo])


def mean_centred_upper(rows: list[list[float]]) -> list[float]:
    """Strict upper triangle of the cosine matrix of the rows minus their mean row."""
    mean = [math.fsum(col) / len(rows) for col in zip(*rows)]
    centred = [[x - m for x, m in zip(r, mean)] for r in rows]
    n = len(rows)
    return [cosine(centred[i], centred[j]) for i in range(n) for j in range(i + 1, n)]


def pearson(a: list[float], b: list[float]) -> float:
    ma, mb = math.fsum(a) / len(a), math.fsum(b) / len(b)
    return cosine([x - ma for x in a], [y - mb for y in b])


def brute_force(extraction: Path, recipe: str, li: int) -> dict[str, float]:
    t = load_file(str(extraction / "centroids" / f"{RECIPES[recipe]}.safetensors"))
    half_a = [[float(v) for v in row] for row in t["half_a"][:, li]]
    half_b = [[float(v) for v in row] for row in t["half_b"][:, li]]
    per = [cosine(a, b) for a, b in zip(half_a, half_b)]
    return {
        "cos_min": min(per),
        "cos_p5": percentile_5(per),
        "cos_mean": math.fsum(per) / len(per),
        "mc_r": pearson(mean_centred_upper(half_a), mean_centred_upper(half_b)),
    }


def test_every_noise_floor_column_matches_brute_force(extraction, result):
    table = result.tables["noise_floor"]
    assert table.columns == ["recipe", "layer", "cos_min", "cos_p5", "cos_mean", "mc_r"]
    rows = table.records()
    assert sorted((r["recipe"], r["layer"]) for r in rows) == [
        (r, layer) for r in ("A", "B") for layer in LAYERS
    ]
    for row in rows:
        expected = brute_force(extraction, row["recipe"], LAYERS.index(row["layer"]))
        # the columns must be told apart: p5 strictly between min and mean
        assert expected["cos_min"] + 1e-6 < expected["cos_p5"] < expected["cos_mean"]
        for column, value in expected.items():
            assert row[column] == pytest.approx(value, abs=TOL), (
                row["recipe"],
                row["layer"],
                column,
            )


def test_noise_floor_summary_is_the_range_of_the_table(extraction, result):
    rows = result.tables["noise_floor"].records()
    summary = result.metrics["noise_floor"]
    for column in ("cos_min", "mc_r"):
        brute = [
            brute_force(extraction, r["recipe"], LAYERS.index(r["layer"]))[column] for r in rows
        ]
        assert summary[column]["min"] == pytest.approx(min(brute), abs=TOL)
        assert summary[column]["max"] == pytest.approx(max(brute), abs=TOL)

"""The repository's own results are reproducible, lint clean and fresh (what `make check` runs).

Every committed result is recomputed from its committed inputs (centroids, stored matrices or
legacy files) and must come out the same result (``sameness``: strings, integers and verdicts
identical, floats to 1e-9; tests/analysis/test_cross_kernel.py does it under other BLAS
kernels); every report must lint clean; nothing is stale.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from persona_atlas.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _in_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def test_every_committed_result_recomputes_as_the_same_result() -> None:
    results = sorted((ROOT / "results").glob("*/result.json"))
    assert len(results) >= 3, results
    assert main(["analyze", "--verify"]) == 0


def test_every_report_lints_clean_and_nothing_is_stale() -> None:
    assert main(["lint"]) == 0
    assert main(["check"]) == 0


def test_every_result_has_a_report() -> None:
    for result in (ROOT / "results").glob("*/result.json"):
        assert (result.parent / "report.md").exists(), result.parent
    assert os.path.isdir(ROOT / "results")


def test_committed_centroids_stay_under_the_size_budget() -> None:
    # centroids live in git only while small; past 5 MB they belong outside git, referenced
    # by path + sha256 (docs/data-contracts.md)
    for folder in (ROOT / "results").glob("*/centroids"):
        total = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
        assert total < 5_000_000, f"{folder}: {total / 1e6:.2f} MB of committed centroids"

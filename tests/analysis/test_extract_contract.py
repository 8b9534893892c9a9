"""The analysis reads exactly what extraction writes (docs/data-contracts.md)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from persona_atlas.analysis import sweep
from persona_atlas.config import AnalysisConfig, PairConfig
from persona_atlas.errors import InputFileError

store = pytest.importorskip("persona_atlas.extract.store")


def parts(n_personas: int, n_questions: int, layers: int, hidden: int, empty: int | None = None):
    rng = np.random.default_rng(0)
    shared = rng.standard_normal((n_personas, layers, hidden)).astype(np.float32) + 2
    out = []
    for i in range(n_personas):
        tensors: dict[str, np.ndarray] = {}
        for recipe in ("A", "B", "C1"):
            n_rows = 1 if recipe == "C1" else n_questions
            vecs = shared[i] + rng.standard_normal((n_rows, layers, hidden)).astype(np.float32)
            valid = np.ones(n_rows, bool)
            if recipe == "B" and i == empty:
                valid[:] = False  # every response empty: no question contributes
            stats = store.centroid_stats(vecs, valid, recipe, n_questions)
            stem = recipe  # A, B and C1 are their own file stems
            for key in ("centroid", "half_a", "half_b"):
                tensors[f"{stem}.{key}"] = np.ascontiguousarray(stats[key], np.float32)
            tensors[f"{stem}.count"] = np.array([stats["count"]], np.int64)
            if recipe != "C1":
                tensors[f"{stem}.vectors"] = vecs.astype(np.float16)
                tensors[f"{stem}.valid"] = valid.astype(np.uint8)
        out.append(store.Part(Path(f"{i}.safetensors"), f"persona_{i}", tensors, []))
    return out


def write(tmp_path: Path, **kw) -> None:
    store.write_outputs(
        tmp_path, parts(8, 6, 3, 16, **kw), recipes=["A", "B", "C1"], layers=[1, 4, 9],
        model_id="tiny", question_ids=[f"q{j}" for j in range(6)], per_question=True,
    )  # fmt: skip


def test_sweep_reads_extraction_outputs(tmp_path: Path):
    write(tmp_path)
    out = sweep.run(AnalysisConfig(centroids=tmp_path, mantel_permutations=19))
    cells = out.tables["cells"].records()
    assert {c["pair"] for c in cells} == {"A vs B", "A vs C1", "B vs C1"}
    assert [c["layer"] for c in cells[:3]] == [1, 1, 1]
    assert all(c["spread_spearman"] is not None for c in cells if c["pair"] == "A vs B")
    noise = {(r["recipe"], r["layer"]): r for r in out.tables["noise_floor"].records()}
    # C1 is question-independent: its halves are the centroid, so the floor is exactly 1
    assert noise[("C1", 4)]["cos_min"] == pytest.approx(1.0, abs=1e-6)
    assert noise[("C1", 4)]["mc_r"] == pytest.approx(1.0, abs=1e-6)
    assert all(r["cos_max"] <= 1.0 for r in cells)  # clipped: no 1.0000000046 in a report
    assert all(r[3] <= 1.0 for r in out.tables["per_persona_cos"].rows)
    assert noise[("A", 4)]["cos_min"] < 0.999


def test_persona_without_valid_questions_is_named(tmp_path: Path):
    write(tmp_path, empty=5)
    config = AnalysisConfig(centroids=tmp_path, pairs=[PairConfig(x="A", y="B")])
    with pytest.raises(
        InputFileError, match=r"recipe B, centroid, layer 1, persona 'persona_5': zero-norm"
    ):
        sweep.run(config)

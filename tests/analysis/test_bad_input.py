"""Bad extraction outputs through ``atlas analyze``: a clear error that names the place, and
the previous result.json left byte for byte as it was."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import save_file

from persona_atlas.analysis.centroid_store import map_tensors
from persona_atlas.analysis.synthetic import write_synthetic_extraction
from persona_atlas.cli import main

Edit = Callable[[dict[str, np.ndarray], dict[str, str]], None]
CONFIG = "issue: 9\ntitle: t\nanalysis:\n  centroids: run\n  mantel_permutations: 9\n"
RESULT = "results/issue-9/result.json"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A good 2-recipe extraction (6 personas, layers 3 and 7, 5 questions) and its result."""
    monkeypatch.chdir(tmp_path)
    write_synthetic_extraction(
        tmp_path / "run", recipes=["A", "B"], n_personas=6, layers=[3, 7], hidden=8, seed=2,
        n_questions=5, per_question_recipes=["A", "B"],
    )  # fmt: skip
    (tmp_path / "exp.yaml").write_text(CONFIG)
    assert main(["analyze", "--no-figures", "exp.yaml"]) == 0
    return tmp_path


def rewrite(path: Path, edit: Edit) -> None:
    views, meta = map_tensors(path)
    data = {k: np.array(v) for k, v in views.items()}
    edit(data, meta)
    save_file({k: np.ascontiguousarray(v) for k, v in data.items()}, str(path), metadata=meta)


def refused(project: Path, file: str, edit: Edit, capsys: pytest.CaptureFixture[str]) -> str:
    """Corrupt ``run/<file>``, re-run: exit 2, result untouched. Returns the error text."""
    rewrite(project / "run" / file, edit)
    before = (project / RESULT).read_bytes()
    capsys.readouterr()
    assert main(["analyze", "--no-figures", "exp.yaml"]) == 2
    assert (project / RESULT).read_bytes() == before
    return capsys.readouterr().err


def set_meta(key: str, value: object) -> Edit:
    def edit(data: dict[str, np.ndarray], meta: dict[str, str]) -> None:
        meta[key] = json.dumps(value)

    return edit


PERSONAS = [f"persona_{i:03d}" for i in range(6)]


# ----------------------------------------------------------------------------- centroids


def test_layers_differ_between_recipes(project, capsys):
    err = refused(project, "centroids/B.safetensors", set_meta("layers", [3, 8]), capsys)
    assert "B.safetensors: recipe B has layers [3, 8], recipe A has [3, 7]" in err


def test_same_personas_in_another_row_order(project, capsys):
    swapped = [PERSONAS[1], PERSONAS[0], *PERSONAS[2:]]
    err = refused(project, "centroids/B.safetensors", set_meta("personas", swapped), capsys)
    assert "recipe B has other personas than recipe A (same personas in a different row " in err
    assert "row 0 is 'persona_000' in A, 'persona_001' in B" in err


def test_persona_listed_twice(project, capsys):
    twice = [*PERSONAS[:5], PERSONAS[0]]
    err = refused(project, "centroids/A.safetensors", set_meta("personas", twice), capsys)
    assert "A.safetensors: recipe A: persona 'persona_000' is listed twice" in err


def test_split_half_shaped_differently_from_the_centroid(project, capsys):
    def shrink(data, meta):
        data["half_a"] = data["half_a"][:, :, :6]

    err = refused(project, "centroids/B.safetensors", shrink, capsys)
    assert "recipe B: split half half_a is [6, 2, 6], centroid is [6, 2, 8]" in err


def test_centroid_equal_to_the_mean_of_all_personas(project, capsys):
    def to_mean(data, meta):
        # integers, so the mean is exact in float32 and mean-centring leaves exactly zero
        rng = np.random.default_rng(0)
        rows = rng.integers(-9, 10, size=(5, 8)).astype(np.float32)
        rows[4] -= rows.sum(axis=0) % 5  # row sums divisible by 5: the mean is an integer
        data["centroid"][:5, 1] = rows
        data["centroid"][5, 1] = rows.mean(axis=0)  # = the mean of all six rows

    err = refused(project, "centroids/B.safetensors", to_mean, capsys)
    assert (
        "recipe B, centroid, layer 7, persona 'persona_005': centroid equals the mean of all "
        "personas" in err
    )


# ----------------------------------------------------------------------------- per-question


def test_per_question_array_of_the_wrong_shape(project, capsys):
    def drop_question(data, meta):
        data["vectors"] = data["vectors"][:, :4]

    err = refused(project, "per_question/A.safetensors", drop_question, capsys)
    assert (
        "A.safetensors: recipe A: vectors [6, 4, 2, 8] / valid [6, 5] do not match "
        "6 personas × 5 questions × 2 layers" in err
    )


def test_per_question_persona_list_differs(project, capsys):
    renamed = [*PERSONAS[:2], "pirate", *PERSONAS[3:]]
    err = refused(project, "per_question/B.safetensors", set_meta("personas", renamed), capsys)
    assert "recipe B: per-question personas differ from the centroid files" in err
    assert (
        "only in the per-question file: ['pirate']; only in the centroids: ['persona_002']" in err
    )


def test_per_question_personas_in_another_order(project, capsys):
    order = [*PERSONAS[:4], PERSONAS[5], PERSONAS[4]]
    err = refused(project, "per_question/A.safetensors", set_meta("personas", order), capsys)
    assert "row 4 is 'persona_005' in the per-question file, 'persona_004' in the centroids" in err


def test_nan_per_question_vector(project, capsys):
    def poison(data, meta):
        data["vectors"][4, 1, 1, 0] = np.nan

    err = refused(project, "per_question/B.safetensors", poison, capsys)
    assert (
        "recipe B, persona 'persona_004', question 'q001', layer 7: NaN or infinite values"
    ) in err


def test_zero_norm_per_question_vector(project, capsys):
    def zero(data, meta):
        data["vectors"][2, 3, 0] = 0.0  # valid = 1: a response that contributed nothing

    err = refused(project, "per_question/A.safetensors", zero, capsys)
    assert "recipe A, persona 'persona_002', question 'q003', layer 3: zero-norm vector" in err


def test_per_question_vectors_of_a_non_float_dtype(project, capsys):
    def as_int(data, meta):
        data["vectors"] = data["vectors"].astype(np.int64)

    err = refused(project, "per_question/A.safetensors", as_int, capsys)
    assert "recipe A: vectors are int64, expected float16" in err


def test_recipes_list_different_questions(project, capsys):
    other = [f"q{j:03d}" for j in range(4)] + ["q999"]
    err = refused(project, "per_question/B.safetensors", set_meta("questions", other), capsys)
    # the check lives in sweep._spreads; its message names the folder, not the recipes
    assert "run/per_question: recipes list different questions" in err

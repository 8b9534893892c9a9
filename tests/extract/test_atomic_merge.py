"""The merge is atomic, and analysis reads an extraction only as its run.json recorded it.

A merge killed while it writes leaves the previous complete run as it was; one killed while
it moves files into place leaves a folder that analysis refuses (no run.json, a staging
folder) until the next `atlas extract` finishes it. A centroid file whose bytes differ from
run.json's record is refused by analysis, naming the file and what to do.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from persona_atlas.analysis.centroid_store import CentroidStore
from persona_atlas.errors import InputFileError
from persona_atlas.extract import commit, store
from persona_atlas.extract.runner import run_extract
from persona_atlas.run_layout import STAGING_DIR
from persona_atlas.schema import load_run
from tests.extract.conftest import PERSONAS, QUESTIONS

FEW = dict(list(PERSONAS.items())[:3])
SMALL = {"questions": QUESTIONS[:4], "recipes": ["A", "B", "C1"], "per_question": True}


class Killed(Exception):
    """Stands in for SIGKILL: nothing after it runs."""


def files(out: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and "parts" not in p.parts
    }


def after(n: int, real, monkeypatch, module, name: str) -> None:
    """Make ``module.name`` die on its call number ``n + 1``."""
    calls = [0]

    def dying(*args, **kw):
        calls[0] += 1
        if calls[0] > n:
            raise Killed(name)
        return real(*args, **kw)

    monkeypatch.setattr(module, name, dying)


@pytest.fixture
def previous(experiment, tmp_path) -> tuple[Path, dict[str, bytes]]:
    """A complete run with layers [0, 2, 3]; its files, byte for byte."""
    cfg = experiment(personas=FEW, **SMALL)
    run_extract(cfg, progress=False)
    out = tmp_path / "out"
    assert CentroidStore(out).layers == [0, 2, 3]
    return cfg, files(out)


def test_kill_while_staging_leaves_the_previous_run_intact(
    experiment, tmp_path, monkeypatch, previous
):
    _, before = previous
    out = tmp_path / "out"
    cfg = experiment(personas=FEW, layers=[0, 3], **SMALL)
    after(1, store.write_tensors, monkeypatch, store, "write_tensors")
    with pytest.raises(Killed):
        run_extract(cfg, progress=False)
    assert (out / STAGING_DIR).is_dir()  # the interrupted merge's leftovers
    assert {k: v for k, v in files(out).items() if not k.startswith(STAGING_DIR)} == before
    assert CentroidStore(out).layers == [0, 2, 3]  # the previous run, complete and verified
    monkeypatch.undo()
    run_extract(cfg, progress=False)  # cleans the leftovers up and finishes
    assert not (out / STAGING_DIR).exists() and not (out / "parts").exists()
    assert CentroidStore(out).layers == [0, 3]


def test_kill_while_moving_into_place_is_refused_then_finished(
    experiment, tmp_path, monkeypatch, capsys, previous
):
    out = tmp_path / "out"
    cfg = experiment(personas=FEW, layers=[0, 3], **SMALL)
    after(1, commit.move, monkeypatch, commit, "move")
    with pytest.raises(Killed):
        run_extract(cfg, progress=False)
    assert not (out / "run.json").exists()  # taken away before the first file moved
    with pytest.raises(InputFileError, match="did not finish") as err:
        CentroidStore(out)
    assert "re-run `atlas extract CONFIG`" in str(err.value)
    monkeypatch.undo()
    capsys.readouterr()
    run = run_extract(cfg, progress=False)
    assert "interrupted merge" in capsys.readouterr().err
    assert run is not None and run.layers == [0, 3]
    assert not (out / STAGING_DIR).exists() and not (out / "parts").exists()
    store_ = CentroidStore(out)
    assert store_.layers == [0, 3] and store_.data_files()  # every file verified
    reference = experiment(personas=FEW, layers=[0, 3], out_dir=str(tmp_path / "clean"), **SMALL)
    run_extract(reference, progress=False)
    clean = files(tmp_path / "clean")
    got = files(out)
    assert got.keys() == clean.keys()
    assert all(got[k] == clean[k] for k in got if k.endswith(".safetensors"))


def test_outputs_of_the_previous_run_that_the_new_one_lacks_are_removed(
    experiment, tmp_path, previous
):
    out = tmp_path / "out"
    assert (out / "per_question" / "A.safetensors").exists()
    run_extract(
        experiment(personas=FEW, questions=QUESTIONS[:4], recipes=["A", "C1"]), progress=False
    )
    left = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert left == ["centroids/A.safetensors", "centroids/C1.safetensors", "run.json"]
    assert {o.path.rsplit("/", 1)[-1] for o in load_run(out / "run.json").outputs} == {
        "A.safetensors",
        "C1.safetensors",
    }
    assert list(CentroidStore(out).recipes) == ["A", "C1"]


def test_an_edited_centroid_file_is_refused(tmp_path, previous):
    out = tmp_path / "out"
    victim = out / "centroids" / "B.safetensors"
    data = bytearray(victim.read_bytes())
    data[-1] ^= 1  # one bit of one float
    victim.write_bytes(bytes(data))
    with pytest.raises(InputFileError, match=r"B\.safetensors: differs from what .*run\.json"):
        CentroidStore(out)
    CentroidStore(out, recipes=["A"])  # the others still verify


def test_a_centroid_file_from_another_run_is_refused(experiment, tmp_path, previous):
    changed = {**FEW, "pirate": "You are a pirate."}
    other = experiment(personas=changed, out_dir=str(tmp_path / "other"), **SMALL)
    run_extract(other, progress=False)
    shutil.copy(tmp_path / "other" / "run.json", tmp_path / "out" / "run.json")
    with pytest.raises(InputFileError, match="differs from what"):
        CentroidStore(tmp_path / "out")


def test_an_edited_per_question_file_is_refused(tmp_path, previous):
    victim = tmp_path / "out" / "per_question" / "A.safetensors"
    data = bytearray(victim.read_bytes())
    data[-2] ^= 1
    victim.write_bytes(bytes(data))
    with pytest.raises(InputFileError, match=r"per_question/A\.safetensors: differs"):
        CentroidStore(tmp_path / "out")


def test_a_file_run_json_does_not_list_is_refused(tmp_path, previous):
    out = tmp_path / "out"
    run = json.loads((out / "run.json").read_text())
    run["outputs"] = [
        o for o in run["outputs"] if not o["path"].endswith("centroids/C1.safetensors")
    ]
    (out / "run.json").write_text(json.dumps(run))
    with pytest.raises(InputFileError, match=r"C1\.safetensors: not among the files"):
        CentroidStore(out)


def test_outputs_are_recorded_where_they_end_up(tmp_path, previous):
    out = tmp_path / "out"
    run = load_run(out / "run.json")
    assert all(STAGING_DIR not in o.path for o in run.outputs)
    for o in run.outputs:
        assert Path(o.path).resolve().parent.parent in (out.resolve(), out.resolve().parent)
    assert np.isfinite(CentroidStore(out).layer("A", "centroid", 0)).all()

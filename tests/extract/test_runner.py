"""``atlas extract`` end to end on the tiny model: the file contract, shards, merge, resume."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from persona_atlas.cli import main
from persona_atlas.config import RECIPES
from persona_atlas.errors import InputFileError
from persona_atlas.extract.runner import merge, run_extract
from persona_atlas.extract.shard import Shard
from persona_atlas.extract.store import load_centroids
from persona_atlas.schema import load_run
from tests.extract.conftest import PERSONAS, QUESTIONS


def outputs(out: Path) -> dict[str, tuple[dict, dict]]:
    return {str(p.relative_to(out)): load_centroids(p) for p in sorted(out.rglob("*.safetensors"))}


def assert_same_outputs(a: Path, b: Path) -> None:
    fa, fb = outputs(a), outputs(b)
    assert fa.keys() == fb.keys()
    for name, (ta, ma) in fa.items():
        tb, mb = fb[name]
        assert ma == mb, name
        for k in ta:
            assert ta[k].dtype == tb[k].dtype and np.array_equal(ta[k], tb[k]), (name, k)
    assert (a / "responses.jsonl").read_text() == (b / "responses.jsonl").read_text()


def test_outputs_follow_the_data_contract(experiment):
    cfg = experiment(per_question=True)
    run = run_extract(cfg)
    out = cfg.parent / "out"
    P, Q, L, H = len(PERSONAS), len(QUESTIONS), 3, 64
    for recipe, stem in RECIPES.items():
        tensors, meta = load_centroids(out / "centroids" / f"{stem}.safetensors")
        assert meta["format"] == "persona-atlas/centroids" and meta["version"] == "1"
        assert meta["recipe"] == recipe and json.loads(meta["layers"]) == [0, 2, 3]
        assert json.loads(meta["personas"]) == list(PERSONAS)
        prefix_only = recipe in {"C1", "C2", "C3"}
        keys = ("centroid",) if prefix_only else ("centroid", "half_a", "half_b")
        assert set(tensors) == {*keys, "count"}  # C halves would equal the centroid: not stored
        for key in keys:
            assert tensors[key].shape == (P, L, H) and tensors[key].dtype == np.float32
        assert tensors["count"].dtype == np.int64 and tensors["count"].tolist() == [Q] * P
        if prefix_only:
            assert not (out / "per_question" / f"{stem}.safetensors").exists()
            continue
        pq, pmeta = load_centroids(out / "per_question" / f"{stem}.safetensors")
        assert pq["vectors"].shape == (P, Q, L, H) and pq["vectors"].dtype == np.float16
        assert pq["valid"].dtype == np.uint8 and pq["valid"].all()
        assert json.loads(pmeta["questions"]) == [f"q{i}" for i in range(Q)]
        # centroid = mean over questions; halves = first Q//2 vs the rest (fp16 storage)
        vec = pq["vectors"].astype(np.float32)
        np.testing.assert_allclose(
            tensors["centroid"], vec.mean(1), rtol=1e-3, atol=1e-2
        )  # fp16 storage
        np.testing.assert_allclose(
            tensors["half_a"], vec[:, : Q // 2].mean(1), rtol=1e-3, atol=1e-2
        )
        np.testing.assert_allclose(
            tensors["half_b"], vec[:, Q // 2 :].mean(1), rtol=1e-3, atol=1e-2
        )
    lines = (out / "responses.jsonl").read_text().splitlines()
    assert len(lines) == P * Q
    first = json.loads(lines[0])
    assert set(first) == {"persona", "question_id", "text", "token_ids", "n_tokens", "empty"}
    assert (first["persona"], first["question_id"]) == ("pirate", "q0")
    assert first["n_tokens"] == len(first["token_ids"]) <= 8
    assert not (out / "parts").exists()
    # run.json validates and records what was done
    assert run is not None
    saved = load_run(out / "run.json")
    assert saved == run
    assert saved.model.n_layers == 4 and saved.model.hidden_size == 64
    assert saved.tokenizer.template_family == "chatml"
    assert saved.tokenizer.injects_default_system_prompt
    assert saved.personas.count == P and saved.questions.count == Q
    assert saved.generation.backend == "hf" and saved.generation.max_new_tokens == 8
    assert {Path(o.path).name for o in saved.outputs} >= {"A.safetensors", "responses.jsonl"}
    assert saved.finished is not None and saved.started <= saved.finished  # ISO-8601 UTC
    assert saved.timings["generate+capture"] > 0 and saved.timings["personas_computed"] == P


def test_shards_then_merge_equal_one_run(experiment, tmp_path):
    whole = experiment()
    run_extract(whole)
    (tmp_path / "whole").mkdir()
    (tmp_path / "out").rename(tmp_path / "whole" / "out")
    cfg = experiment()
    assert run_extract(cfg, shard=Shard(1, 2)) is None
    with pytest.raises(
        InputFileError, match=r"3 of 5 personas have no part: \['pirate', 'chef', 'critic'\]"
    ):
        merge(cfg)
    assert run_extract(cfg, shard=Shard(0, 2)) is None
    run = merge(cfg)
    assert run.shard is None and run.personas.count == 5
    assert_same_outputs(tmp_path / "whole" / "out", tmp_path / "out")


def test_merge_refuses_duplicates_across_parts_folders(experiment, tmp_path):
    cfg = experiment(personas=dict(list(PERSONAS.items())[:2]))
    run_extract(cfg, shard=Shard(0, 1 + 1))
    run_extract(cfg, shard=Shard(1, 2))
    copy = tmp_path / "copied-parts"
    copy.mkdir()
    for p in (tmp_path / "out" / "parts").glob("00000.*"):
        (copy / p.name).write_bytes(p.read_bytes())
    with pytest.raises(InputFileError, match=r"more than one parts folder.*pirate"):
        merge(cfg, [copy])


def test_parts_from_another_node_merge_via_parts_flag(experiment, tmp_path):
    cfg = experiment(personas=dict(list(PERSONAS.items())[:2]))
    run_extract(cfg, shard=Shard(1, 2))
    moved = tmp_path / "node1"
    (tmp_path / "out" / "parts").rename(moved)
    run_extract(cfg, shard=Shard(0, 2))
    assert main(["extract", str(cfg), "--merge", "--parts", str(moved)]) == 0
    _, meta = load_centroids(tmp_path / "out" / "centroids" / "A.safetensors")
    assert json.loads(meta["personas"]) == ["pirate", "librarian"]


def test_corrupt_part_is_recomputed_not_used(experiment, tmp_path, capsys):
    cfg = experiment()
    run_extract(cfg, shard=Shard(0, 1 + 1))
    reference = {p.name: p.read_bytes() for p in (tmp_path / "out" / "parts").glob("*.safetensors")}
    victim = tmp_path / "out" / "parts" / "00002.safetensors"
    victim.write_bytes(victim.read_bytes()[:-100])  # truncated by a crash or a bad copy
    run_extract(cfg, shard=Shard(0, 2))
    assert "recomputing persona 'chef': hash mismatch (truncated or corrupt file)" in (
        capsys.readouterr().err
    )
    assert victim.read_bytes() == reference["00002.safetensors"]


def test_changed_settings_invalidate_parts(experiment, tmp_path, capsys):
    run_extract(experiment(), shard=Shard(0, 2))
    run_extract(experiment(layers=[1, 3]), shard=Shard(0, 2))
    err = capsys.readouterr().err
    assert err.count("made with different settings") == 3


@pytest.mark.parametrize("fused", [True, False])
def test_empty_responses_are_excluded_from_b_family_alike(experiment, tmp_path, monkeypatch, fused):
    from persona_atlas.extract import fused as fused_module
    from persona_atlas.extract import generate

    empty = (QUESTIONS[0], QUESTIONS[4])  # q0 (half a) and q4 (half b)
    real_generate = generate.HFGenerator.generate
    real_fused = fused_module.FusedHF._generate

    def some_empty(self, prompts, budget=None):
        out = real_generate(self, prompts, budget)
        return [[] if i in (0, 4) else ids for i, ids in enumerate(out)]

    def some_stop_at_once(self, prompts, plan):
        out = real_fused(self, prompts, plan)
        for b, ids in enumerate(prompts):
            if any(q in self.lm.tokenizer.decode(ids) for q in empty):
                out.new[b] = [self.lm.tokenizer.eos_token_id, *out.new[b]]
        return out

    monkeypatch.setattr(generate.HFGenerator, "generate", some_empty)
    monkeypatch.setattr(fused_module.FusedHF, "_generate", some_stop_at_once)
    generation = {"max_new_tokens": 8, "backend": "hf", "capture_during_generation": fused}
    cfg = experiment(per_question=True, generation=generation)
    run = run_extract(cfg)
    assert run is not None and run.generation.empty_responses == 2 * len(PERSONAS)
    out = tmp_path / "out"
    Q = len(QUESTIONS)
    for stem in ("B", "Bstar", "Bstar_no_last"):
        tensors, _ = load_centroids(out / "centroids" / f"{stem}.safetensors")
        assert tensors["count"].tolist() == [Q - 2] * len(PERSONAS)
        pq, _ = load_centroids(out / "per_question" / f"{stem}.safetensors")
        assert pq["valid"][:, [0, 4]].sum() == 0 and pq["valid"].sum() == (Q - 2) * len(PERSONAS)
        assert not pq["vectors"][:, 0].any()  # excluded rows hold zeros, flagged by `valid`
        vec = pq["vectors"].astype(np.float32)
        np.testing.assert_allclose(tensors["half_a"], vec[:, [1, 2]].mean(1), rtol=1e-3, atol=1e-2)
    a, _ = load_centroids(out / "centroids" / "A.safetensors")
    assert a["count"].tolist() == [Q] * len(PERSONAS)  # A does not need a response
    records = [json.loads(line) for line in (out / "responses.jsonl").read_text().splitlines()]
    assert [r["empty"] for r in records[:Q]] == [True, False, False, False, True, False]


def test_failed_persona_is_recorded_and_the_rest_finish(experiment, tmp_path, monkeypatch):
    from persona_atlas.errors import AtlasError
    from persona_atlas.extract import persona

    real = persona.run_persona

    def flaky(*args, **kw):
        if kw["name"] == "chef":
            raise RuntimeError("out of memory")
        return real(*args, **kw)

    monkeypatch.setattr(persona, "run_persona", flaky)
    cfg = experiment()
    with pytest.raises(AtlasError, match="1 persona\\(s\\) failed: chef: RuntimeError"):
        run_extract(cfg)
    parts = sorted(p.name for p in (tmp_path / "out" / "parts").glob("*.safetensors"))
    assert parts == [
        "00000.safetensors",
        "00001.safetensors",
        "00003.safetensors",
        "00004.safetensors",
    ]
    record = load_run(tmp_path / "out" / "parts" / "run.0-of-1.json")
    assert record.failures[0]["persona"] == "chef"
    monkeypatch.setattr(persona, "run_persona", real)
    assert run_extract(cfg) is not None  # the re-run computes only the failed persona


def test_shard_argument_is_validated():
    from persona_atlas.errors import ConfigError

    assert Shard.parse("2/4").members(10) == [2, 6]
    with pytest.raises(ConfigError, match="need 0 <= k < N"):
        Shard.parse("4/4")
    with pytest.raises(ConfigError, match="expected k/N"):
        Shard.parse("one")


def test_serialised_files_load_with_safetensors_and_are_deterministic(tmp_path):
    from safetensors.numpy import load_file

    from persona_atlas.extract.store import serialize

    rng = np.random.default_rng(0)
    tensors = {
        "b": rng.normal(size=(2, 3)).astype(np.float32),
        "a": np.arange(4, dtype=np.int64),
        "h": rng.normal(size=(5,)).astype(np.float16),
        "v": np.array([1, 0, 1], np.uint8),
    }
    meta = {"z": "1", "format": "x", "personas": json.dumps(["é", "b"])}
    data = serialize(tensors, meta)
    assert data == serialize(dict(reversed(tensors.items())), dict(reversed(meta.items())))
    (tmp_path / "t.safetensors").write_bytes(data)
    loaded = load_file(tmp_path / "t.safetensors")
    assert loaded.keys() == tensors.keys()
    for k, v in tensors.items():
        assert loaded[k].dtype == v.dtype and np.array_equal(loaded[k], v)
    assert load_centroids(tmp_path / "t.safetensors")[1] == meta


def test_finished_run_is_not_recomputed_unless_forced_or_changed(experiment, tmp_path, capsys):
    cfg = experiment(personas=dict(list(PERSONAS.items())[:2]))
    first = run_extract(cfg)
    again = run_extract(cfg)
    assert "is up to date" in capsys.readouterr().err
    assert again == first
    victim = tmp_path / "out" / "centroids" / "C1.safetensors"
    victim.write_bytes(victim.read_bytes()[:-8])  # an output damaged after the run
    run_extract(cfg)
    assert "up to date" not in capsys.readouterr().err
    tensors, _ = load_centroids(victim)
    assert tensors["centroid"].shape == (2, 3, 64)
    assert main(["extract", str(cfg), "--force", "--no-progress"]) == 0
    assert "up to date" not in capsys.readouterr().err

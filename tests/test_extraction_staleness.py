"""``atlas check`` verifies an extraction's run.json: its personas and questions files, its
extract settings against the experiment config, and every file it wrote."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from persona_atlas.analysis.versioning import code_version
from persona_atlas.cli import main
from persona_atlas.config import load_config
from persona_atlas.files import sha256_file
from persona_atlas.schema import ResultFile, RunFile, save
from persona_atlas.staleness import check_result, expected_params

EXTRACT = {
    "model": "org/some-model",
    "personas": "experiments/data/personas.yaml",
    "questions": "experiments/data/questions.yaml",
    "recipes": ["A", "B"],
    "layers": [2, 5],
    "generation": {"max_new_tokens": 32},
    "out_dir": "results/issue-9",
}
ANALYSIS = {
    "name": "recipe-comparison",
    "pairs": [{"x": "A", "y": "B", "category": "load-bearing"}],
    "mantel_permutations": 99,
}


def ref(root: Path, rel: str, **extra) -> dict:
    p = root / rel
    return {"path": rel, "sha256": sha256_file(p), "bytes": p.stat().st_size, **extra}


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project with an extraction (run.json, centroids) and a fresh result made from it."""
    monkeypatch.chdir(tmp_path)
    data = tmp_path / "experiments" / "data"
    data.mkdir(parents=True)
    (data / "personas.yaml").write_text("pirate: You are a pirate.\nchef: You are a chef.\n")
    (data / "questions.yaml").write_text("- Why is the sky blue?\n- How do I cook rice?\n")
    cfg = tmp_path / "experiments" / "nine.yaml"
    cfg.write_text(
        yaml.safe_dump({"issue": 9, "title": "t", "extract": EXTRACT, "analysis": ANALYSIS})
    )
    out = tmp_path / "results" / "issue-9"
    (out / "centroids").mkdir(parents=True)
    for stem in ("A", "B"):
        (out / "centroids" / f"{stem}.safetensors").write_bytes(stem.encode() * 64)
    (out / "responses.jsonl").write_text('{"persona": "pirate"}\n')
    outputs = ["centroids/A.safetensors", "centroids/B.safetensors", "responses.jsonl"]
    run = RunFile(
        issue=9,
        config=load_config(cfg).model_dump(mode="json"),
        model={"id": "org/some-model"},
        recipes=["A", "B"],
        layers=[2, 5],
        personas=ref(tmp_path, EXTRACT["personas"], count=2),
        questions=ref(tmp_path, EXTRACT["questions"], count=2),
        seed=0,
        dtype="float32",
        batch_token_budget=4096,
        git={"commit": None, "dirty": False},
        started="2026-12-01T00:00:00+00:00",
        outputs=[ref(tmp_path, f"results/issue-9/{o}") for o in outputs],
    )
    save(out / "run.json", run)
    name, params = expected_params(cfg)
    inputs = [f"results/issue-9/{o}" for o in outputs[:2]] + ["results/issue-9/run.json"]
    result = ResultFile(
        issue=9,
        title="t",
        kind="recipe-comparison",
        provenance={
            "git": {"commit": None, "dirty": False},
            "created": "2026-12-01T00:00:00Z",
            "code_version": code_version(),
            "analysis": {"name": name, "params": params},
            "inputs": [ref(tmp_path, i) for i in inputs],
        },
    )
    save(out / "result.json", result)
    return tmp_path


def findings(root: Path) -> list[tuple[str, str, str]]:
    check = check_result(root / "results" / "issue-9" / "result.json", root=root)
    return [(f.subject, f.status, f.message) for f in check.findings]


def edit_config(root: Path, **extract) -> None:
    cfg = root / "experiments" / "nine.yaml"
    doc = yaml.safe_load(cfg.read_text())
    doc["extract"].update(extract)
    cfg.write_text(yaml.safe_dump(doc))


def test_fresh_extraction_is_verified(root: Path) -> None:
    check = check_result(root / "results" / "issue-9" / "result.json", root=root)
    assert check.findings == []
    assert "extraction personas file experiments/data/personas.yaml" in check.verified
    assert "extraction questions file experiments/data/questions.yaml" in check.verified
    assert "extract settings == experiments/nine.yaml" in check.verified
    assert "extraction output results/issue-9/responses.jsonl" in check.verified


@pytest.mark.parametrize("which", ["personas", "questions"])
def test_an_edited_personas_or_questions_file_is_stale(root: Path, which: str) -> None:
    path = root / "experiments" / "data" / f"{which}.yaml"
    path.write_text(path.read_text().replace("You are", "You're").replace("Why", "How"))
    ((subject, status, message),) = findings(root)
    assert subject == f"experiments/data/{which}.yaml" and status == "stale"
    assert message.startswith(f"extraction {which} file sha256 ")
    assert message.endswith("re-run `atlas extract experiments/nine.yaml`, then `atlas analyze`")


@pytest.mark.parametrize(
    ("change", "shown"),
    [
        ({"generation": {"max_new_tokens": 64}}, "generation.max_new_tokens: 32 → 64"),
        ({"layers": [2, 5, 7]}, "layers"),
        ({"dtype": "bfloat16"}, "dtype: 'float32' → 'bfloat16'"),
        ({"padding_side": "left"}, "padding_side: 'right' → 'left'"),
    ],
)
def test_a_changed_extract_setting_is_stale(root: Path, change: dict, shown: str) -> None:
    edit_config(root, **change)
    ((subject, status, message),) = findings(root)
    assert subject == "results/issue-9/run.json" and status == "stale"
    assert message.startswith("extract settings differ from experiments/nine.yaml: ")
    assert shown in message
    assert message.endswith("re-run `atlas extract experiments/nine.yaml`, then `atlas analyze`")


def test_a_setting_added_since_with_its_default_is_not_a_change(root: Path) -> None:
    run_path = root / "results" / "issue-9" / "run.json"
    doc = json.loads(run_path.read_text())
    del doc["config"]["extract"]["padding_side"]  # recorded before the setting existed
    run_path.write_text(json.dumps(doc))
    result = root / "results" / "issue-9" / "result.json"
    res = json.loads(result.read_text())
    for i in res["provenance"]["inputs"]:
        if i["path"].endswith("run.json"):
            i["sha256"], i["bytes"] = sha256_file(run_path), run_path.stat().st_size
    result.write_text(json.dumps(res))
    assert findings(root) == []


def test_a_centroid_file_that_differs_from_run_json_is_stale(root: Path) -> None:
    """Even when the result was analysed from the changed file: run.json says otherwise."""
    victim = root / "results" / "issue-9" / "centroids" / "B.safetensors"
    victim.write_bytes(b"X" * 128)
    result = root / "results" / "issue-9" / "result.json"
    res = json.loads(result.read_text())
    for i in res["provenance"]["inputs"]:
        if i["path"].endswith("B.safetensors"):
            i["sha256"] = sha256_file(victim)
    result.write_text(json.dumps(res))
    ((subject, status, message),) = findings(root)
    assert subject == "results/issue-9/centroids/B.safetensors" and status == "stale"
    assert message.startswith("extraction output sha256 ")
    assert "no longer match its run.json" in message


def test_a_missing_output_is_stale(root: Path) -> None:
    (root / "results" / "issue-9" / "responses.jsonl").unlink()
    assert findings(root) == [
        (
            "results/issue-9/responses.jsonl",
            "stale",
            "extraction output is missing; the extraction's files no longer match its "
            "run.json: re-run `atlas extract experiments/nine.yaml`, then `atlas analyze`",
        )
    ]


def test_weights_are_checked_when_present(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from persona_atlas.staleness import extraction

    run_path = root / "results" / "issue-9" / "run.json"
    doc = json.loads(run_path.read_text())
    doc["model"]["weights_sha256"] = "a" * 64
    run_path.write_text(json.dumps(doc))
    monkeypatch.setattr(extraction, "weights_sha256", lambda spec: None)
    assert [(s, st) for s, st, message in findings(root) if "weights" in message] == [
        ("results/issue-9/run.json", "unverifiable")
    ]
    monkeypatch.setattr(extraction, "weights_sha256", lambda spec: "b" * 64)
    (weights,) = [m for _, st, m in findings(root) if "weights" in m]
    assert "'org/some-model': sha256 bbbbbbbbbbbb ≠ recorded aaaaaaaaaaaa" in weights


def test_cli_fails_and_names_the_file(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 0
    capsys.readouterr()
    edit_config(root, generation={"max_new_tokens": 16})
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert "results/issue-9/run.json: extract settings differ" in out
    assert "generation.max_new_tokens: 32 → 16" in out

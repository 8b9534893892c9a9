"""``atlas analyze`` and ``atlas analyze --verify`` load centroids the same way: a centroid
file changed after extraction is refused by both, naming the file, with no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from persona_atlas.cli import main
from persona_atlas.extract.runner import run_extract
from tests.extract.conftest import PERSONAS, QUESTIONS


def test_analyze_and_verify_refuse_a_tampered_centroid(
    experiment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.chdir(tmp_path)
    cfg = experiment(
        personas=dict(list(PERSONAS.items())[:4]), questions=QUESTIONS[:4], recipes=["A", "C1"]
    )
    doc = yaml.safe_load(cfg.read_text())
    doc["analysis"] = {"name": "recipe-comparison", "mantel_permutations": 9}
    cfg.write_text(yaml.safe_dump(doc))
    run_extract(cfg, progress=False)
    assert main(["analyze", str(cfg), "--no-progress"]) == 0
    victim = tmp_path / "out" / "centroids" / "A.safetensors"
    data = bytearray(victim.read_bytes())
    data[-1] ^= 1
    victim.write_bytes(bytes(data))
    capsys.readouterr()
    assert main(["analyze", "--verify", "results/issue-999", "--no-progress"]) != 0
    err = capsys.readouterr()
    text = err.out + err.err
    assert "A.safetensors: differs from what" in text and "Traceback" not in text
    assert main(["analyze", str(cfg), "--no-progress"]) != 0
    err = capsys.readouterr()
    assert "A.safetensors: differs from what" in err.err and "Traceback" not in err.err

"""``atlas analyze``: config → result.json with provenance; re-run and --verify from a result."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from persona_atlas.cli import main
from persona_atlas.files import sha256_file
from persona_atlas.schema import load_result

PILOT = (
    Path(__file__).resolve().parents[1]
    / "fixtures"
    / "reference"
    / ("extraction_method_comparison_results.json")
)
CONFIG = """\
issue: 7
title: "Pilot copy"
analysis:
  name: stored-matrix-comparison
  source: inputs/pilot.json
  pairs: [{x: A, y: B, category: load-bearing}]
  mantel_permutations: 199
  seed: 3
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "inputs").mkdir()
    shutil.copy(PILOT, tmp_path / "inputs" / "pilot.json")
    (tmp_path / "exp.yaml").write_text(CONFIG)
    return tmp_path


def test_analyze_config_writes_result_with_provenance(project: Path, capsys):
    assert main(["analyze", "exp.yaml"]) == 0
    assert "wrote results/issue-7/result.json" in capsys.readouterr().out
    result = load_result(project / "results/issue-7/result.json")
    prov = result.provenance
    assert prov.analysis.name == "stored-matrix-comparison"
    assert prov.analysis.params["mantel_permutations"] == 199
    assert prov.analysis.params["seed"] == 3
    assert prov.analysis.params["thresholds"] == {
        "pass_cos_min": 0.95,
        "pass_mc_r": 0.9,
        "kill_cos_min": 0.85,
        "kill_mc_r": 0.7,
    }
    assert prov.analysis.params["source"] == "inputs/pilot.json"
    (ref,) = prov.inputs
    assert ref.path == "inputs/pilot.json"
    assert ref.sha256 == sha256_file(PILOT) and ref.bytes == PILOT.stat().st_size
    assert prov.code_version.startswith("0.")
    assert result.kind == "recipe-comparison" and result.verdict == "KILL"
    text = (project / "results/issue-7/result.json").read_text()
    assert text.startswith('{\n  "schema_version": "1"')
    assert "NaN" not in text


def test_rerun_from_results_folder_and_verify(project: Path, capsys):
    assert main(["analyze", "exp.yaml"]) == 0
    path = project / "results/issue-7/result.json"
    before = json.loads(path.read_text())
    assert main(["analyze", "--verify", "results/issue-7"]) == 0
    assert "up to date" in capsys.readouterr().out
    # an identical recomputation leaves the file byte for byte (no churn in git, figures
    # stay fresh); a changed one is written
    capsys.readouterr()
    text = path.read_text()
    assert main(["analyze", "results/issue-7", "--no-figures"]) == 0
    assert "unchanged (not rewritten) results/issue-7/result.json" in capsys.readouterr().out
    assert path.read_text() == text
    assert json.loads(text) == before
    # ... except that a result recorded from a dirty tree is replaced by a clean one
    dirty = json.loads(text)
    dirty["provenance"]["git"]["dirty"] = True
    path.write_text(json.dumps(dirty))
    assert main(["analyze", "results/issue-7", "--no-figures"]) == 0
    assert "wrote results/issue-7/result.json" in capsys.readouterr().out
    assert json.loads(path.read_text())["provenance"]["git"]["dirty"] is False

    # a hand edit is caught, path by path
    after = json.loads(path.read_text())
    after["tables"]["cells"]["rows"][2][5] = 0.5
    after["metrics"]["n_personas"] = 21
    path.write_text(json.dumps(after))
    capsys.readouterr()
    assert main(["analyze", "--verify", "results/issue-7"]) == 1
    err = capsys.readouterr().err
    assert "2 value(s) would change" in err
    assert "tables.cells.rows[2][5]: 0.5 → 0.6152025461196899" in err
    assert "metrics.n_personas: 21 → 20" in err
    assert main(["analyze", "results/issue-7", "--no-figures"]) == 0
    assert "wrote results/issue-7/result.json" in capsys.readouterr().out
    assert json.loads(path.read_text())["metrics"]["n_personas"] == 20


def test_verify_notices_changed_input(project: Path, capsys):
    assert main(["analyze", "exp.yaml"]) == 0
    data = json.loads((project / "inputs/pilot.json").read_text())
    data["layer_10"]["per_persona_cosine"]["poet"] = 0.5
    (project / "inputs/pilot.json").write_text(json.dumps(data))
    assert main(["analyze", "--verify", "exp.yaml"]) == 1
    err = capsys.readouterr().err
    assert "provenance.inputs[0].sha256" in err
    assert "tables.cells.rows[0][5]: 0.58529132604599 → 0.5" in err


def test_bad_input_names_the_place_and_writes_nothing(project: Path, capsys):
    data = json.loads((project / "inputs/pilot.json").read_text())
    data["layer_15"]["cosine_matrix_b_mean_centered"][3] = data["layer_15"][
        "cosine_matrix_b_mean_centered"
    ][3][:-1]
    (project / "inputs/pilot.json").write_text(json.dumps(data))
    assert main(["analyze", "exp.yaml"]) == 2
    err = capsys.readouterr().err
    assert "layer_15.cosine_matrix_b_mean_centered" in err
    assert not (project / "results").exists()


def test_nan_in_input_is_refused_with_location(project: Path, capsys):
    text = (project / "inputs/pilot.json").read_text().replace("0.6555525064468384", "NaN", 1)
    (project / "inputs/pilot.json").write_text(text)
    assert main(["analyze", "exp.yaml"]) == 2
    err = capsys.readouterr().err
    assert "pilot.json:" in err and "NaN" in err
    assert not (project / "results").exists()


def test_failed_rerun_leaves_existing_result_untouched(project: Path, capsys):
    assert main(["analyze", "exp.yaml"]) == 0
    path = project / "results/issue-7/result.json"
    before = path.read_bytes()
    (project / "inputs/pilot.json").write_text("{}")
    assert main(["analyze", "results/issue-7"]) == 2
    assert "no layer_<L> entries" in capsys.readouterr().err
    assert path.read_bytes() == before


def test_unknown_analysis_and_missing_source(project: Path, capsys):
    (project / "exp.yaml").write_text(CONFIG.replace("stored-matrix-comparison", "nope"))
    assert main(["analyze", "exp.yaml"]) == 2
    err = capsys.readouterr().err
    assert "analysis.name: unknown kind 'nope'; registered kinds: recipe-comparison" in err
    assert "more error" not in err  # the other keys are not reported against no kind
    (project / "exp.yaml").write_text(CONFIG.replace("  source: inputs/pilot.json\n", ""))
    assert main(["analyze", "exp.yaml"]) == 2
    assert "analysis.source" in capsys.readouterr().err


def test_input_location_git_only_when_committed(project: Path, monkeypatch):
    import subprocess

    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}  # fmt: skip
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    assert main(["analyze", "exp.yaml"]) == 0  # not a git checkout: nothing is committed
    assert load_result(project / "results/issue-7/result.json").provenance.inputs[0].location == (
        "external"
    )
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    subprocess.run(["git", "add", "inputs/pilot.json"], cwd=project, check=True)
    subprocess.run(["git", "commit", "-qm", "input"], cwd=project, check=True)
    assert main(["analyze", "exp.yaml"]) == 0
    result = load_result(project / "results/issue-7/result.json")
    assert result.provenance.inputs[0].location == "git"
    assert result.provenance.git.commit is not None and result.provenance.git.dirty is True

"""The ``script`` kind: a repository script's values and tables become the result; the
script and its inputs are hashed (``atlas check``), ``--verify`` re-runs it; bad returns and
scripts outside the repository are refused with clear errors."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from persona_atlas.cli import main
from persona_atlas.errors import ConfigError
from persona_atlas.files import sha256_file
from persona_atlas.kinds import get_kind
from persona_atlas.kinds.script import api
from persona_atlas.schema import load_result
from persona_atlas.staleness import check_result

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "analyses" / "example_spread.py"
SCORES = ROOT / "tests" / "fixtures" / "script" / "scores.json"
CONFIG = """\
issue: 9
title: "Score spread"
analysis:
  name: script
  script: analyses/example_spread.py
  function: analyse
  inputs: {scores: data/scores.json}
  params: {threshold: 0.3}
"""
RESULT = "results/issue-9/result.json"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    repo = tmp_path / "repo"
    (repo / "analyses").mkdir(parents=True)
    (repo / "data").mkdir()
    (repo / "experiments").mkdir()
    shutil.copy(EXAMPLE, repo / "analyses" / "example_spread.py")
    shutil.copy(SCORES, repo / "data" / "scores.json")
    (repo / "experiments" / "issue-9.yaml").write_text(CONFIG)
    monkeypatch.chdir(repo)
    return repo


def _analyze(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", "experiments/issue-9.yaml"]) == 0
    assert f"wrote {RESULT}" in capsys.readouterr().out


def _stale(repo: Path) -> list[str]:
    """``subject: message`` of each stale finding of ``atlas check``."""
    check = check_result(repo / RESULT, root=repo, experiments=repo / "experiments")
    return [f"{f.subject}: {f.message}" for f in check.findings if f.status == "stale"]


def test_result_holds_the_functions_values_and_tables(project: Path, capsys) -> None:
    _analyze(capsys)
    result = load_result(project / RESULT)
    assert result.kind == "script" and result.verdict is None
    spread = result.metrics["spread"]
    assert spread == {"min": 0.09, "max": 0.42, "range": 0.42 - 0.09, "mean": 1.04 / 4}
    assert result.metrics["n"] == 4
    assert result.metrics["above_threshold"] == {
        "threshold": 0.3, "count": 2, "personas": ["pirate", "poet"],
    }  # fmt: skip
    table = result.tables["scores"]
    assert table.columns == ["persona", "score", "rank", "above_threshold"]
    assert table.rows[0] == ["pirate", 0.42, 1, True] and table.rows[3] == ["robot", 0.09, 4, False]
    prov = result.provenance
    assert prov.analysis.params == {
        "script": "analyses/example_spread.py", "function": "analyse",
        "inputs": {"scores": "data/scores.json"}, "params": {"threshold": 0.3},
    }  # fmt: skip
    refs = {r.path: r.sha256 for r in prov.inputs}
    assert refs == {
        "analyses/example_spread.py": sha256_file(EXAMPLE),
        "data/scores.json": sha256_file(SCORES),
    }
    assert _stale(project) == []


def test_verify_passes_then_fails_after_editing_the_script(project: Path, capsys) -> None:
    _analyze(capsys)
    assert main(["analyze", "--verify", "results/issue-9"]) == 0
    assert "up to date" in capsys.readouterr().out
    script = project / "analyses" / "example_spread.py"
    script.write_text(script.read_text().replace('"min": min(values)', '"min": 0.0'))
    assert main(["analyze", "--verify", "results/issue-9"]) == 1
    assert "metrics.spread.min" in capsys.readouterr().err


def test_check_reports_stale_after_editing_the_script(project: Path, capsys) -> None:
    _analyze(capsys)
    script = project / "analyses" / "example_spread.py"
    script.write_text(script.read_text() + "\n# a comment changes the hash\n")
    stale = _stale(project)
    assert any(m.startswith("analyses/example_spread.py: input sha256") for m in stale), stale


def test_check_reports_stale_after_editing_an_input(project: Path, capsys) -> None:
    _analyze(capsys)
    data = project / "data" / "scores.json"
    data.write_text(data.read_text().replace("0.42", "0.43"))
    stale = _stale(project)
    assert any(m.startswith("data/scores.json: input sha256") for m in stale), stale
    assert main(["check", "results/issue-9"]) != 0


def test_code_version_covers_only_the_kinds_folder() -> None:
    from persona_atlas.analysis.versioning import source_files

    files = {p.relative_to(ROOT).as_posix() for p in source_files("script")}
    # its folder, plus the declarations every kind shares (no statistics, no writer)
    shared = {"persona_atlas/analysis/output.py", "persona_atlas/kinds/base.py",
              "persona_atlas/kinds/__init__.py"}  # fmt: skip
    assert all(f.startswith("persona_atlas/kinds/script/") or f in shared for f in files), files
    assert "persona_atlas/kinds/script/compute.py" in files


def _write_script(repo: Path, body: str) -> None:
    (repo / "analyses" / "example_spread.py").write_text(
        "from persona_atlas.kinds.script import api\n\n\ndef analyse(inputs):\n" + body
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("    return {'n': 1}\n", "returned a dict, not an api.ScriptOutput"),
        (
            "    return api.ScriptOutput(values={'a': {'b': float('nan')}})\n",
            "values.a.b is nan, not a finite number",
        ),
        (
            "    return api.ScriptOutput(values={'x': [1, float('inf')]})\n",
            r"values.x\[1\] is inf",
        ),
        (
            "    return api.ScriptOutput(tables={'t': api.ScriptTable(['a', 'b'], [[1, 2], [3]])})\n",
            r"tables.t.rows\[1\] has 1 cells, the table has 2 columns",
        ),
        (
            "    return api.ScriptOutput(values={'s': {1, 2}})\n",
            "values.s is a set; allowed: str, int, float, bool or None",
        ),
        (
            "    return api.ScriptOutput(tables={'t': [[1]]})\n",
            "tables.t is a list, not an api.ScriptTable",
        ),
        ("    return api.ScriptOutput(values={'p': inputs.json('other')})\n", "input 'other'"),
    ],
)
def test_bad_returns_get_a_clear_error(project: Path, capsys, body: str, message: str) -> None:
    _write_script(project, body)
    assert main(["analyze", "experiments/issue-9.yaml"]) != 0
    err = capsys.readouterr().err
    assert re.search(message, err), err
    assert "Traceback" not in err
    assert not (project / RESULT).exists()  # nothing written


def test_numpy_numbers_are_plain_json() -> None:
    metrics, tables, _ = api.validate(
        api.ScriptOutput(
            values={"n": np.int64(3), "r": np.float64(0.5)},
            tables={"t": api.ScriptTable(["x"], [[np.float32(1.5)]])},
        )
    )
    assert metrics == {"n": 3, "r": 0.5} and type(metrics["n"]) is int
    assert tables["t"].rows == [[1.5]]


def test_missing_function_is_named(project: Path, capsys) -> None:
    _write_script(project, "    return None\n")
    exp = project / "experiments" / "issue-9.yaml"
    exp.write_text(CONFIG.replace("function: analyse", "function: main"))
    assert main(["analyze", "experiments/issue-9.yaml"]) != 0
    assert "defines no function 'main'" in capsys.readouterr().err


def test_script_outside_the_repository_is_refused(project: Path, capsys) -> None:
    canary = project.parent / "canary.txt"
    outside = project.parent / "evil.py"
    outside.write_text(f"open({str(canary)!r}, 'w').write('ran')\ndef analyse(i):\n    pass\n")
    exp = project / "experiments" / "issue-9.yaml"
    exp.write_text(CONFIG.replace("analyses/example_spread.py", str(outside)))
    assert main(["analyze", "experiments/issue-9.yaml"]) != 0
    assert "outside the repository" in capsys.readouterr().err
    assert not canary.exists() and not (project / RESULT).exists()
    exp.write_text(CONFIG.replace("analyses/example_spread.py", "../evil.py"))
    assert main(["analyze", "experiments/issue-9.yaml"]) != 0
    assert "outside the repository" in capsys.readouterr().err
    assert not canary.exists()


def test_script_through_a_symlink_is_refused(project: Path, capsys) -> None:
    from persona_atlas.kinds.script.loader import inside

    canary = project.parent / "canary.txt"
    outside = project.parent / "evil.py"
    outside.write_text(f"open({str(canary)!r}, 'w').write('ran')\n")
    (project / "analyses" / "link.py").symlink_to(outside)
    (project / "linked").symlink_to(project / "analyses")
    with pytest.raises(api.ScriptError, match="outside the repository"):
        inside(Path("analyses/link.py"), project, "script")  # its target leaves it
    with pytest.raises(api.ScriptError, match="linked is a symbolic link; refused"):
        inside(Path("linked/example_spread.py"), project, "script")  # inside, but a link
    exp = project / "experiments" / "issue-9.yaml"
    exp.write_text(CONFIG.replace("analyses/example_spread.py", "analyses/link.py"))
    assert main(["analyze", "experiments/issue-9.yaml"]) != 0
    assert not canary.exists() and not (project / RESULT).exists()


def test_config_refuses_bad_keys(project: Path) -> None:
    from persona_atlas.config import load_config

    exp = project / "experiments" / "issue-9.yaml"
    exp.write_text(CONFIG.replace("threshold: 0.3", "threshold: .nan"))
    with pytest.raises(ConfigError, match=r"analysis\.params: threshold is nan"):
        load_config(exp)
    exp.write_text(CONFIG.replace("threshold: 0.3", "threshold: [1, 2]"))
    with pytest.raises(ConfigError, match=r"analysis\.params\.threshold"):
        load_config(exp)
    exp.write_text(CONFIG.replace("example_spread.py", "example_spread.txt"))
    with pytest.raises(ConfigError, match="not a Python file"):
        load_config(exp)
    exp.write_text(CONFIG.replace("function: analyse", "function: os.system"))
    with pytest.raises(ConfigError, match=r"analysis\.function"):
        load_config(exp)
    exp.write_text(CONFIG.replace("{scores: data", "{2scores: data"))
    with pytest.raises(ConfigError, match=r"analysis\.inputs: .*input name '2scores'"):
        load_config(exp)
    assert get_kind("script").config.model_fields.keys() >= {"script", "inputs", "params"}


@pytest.mark.parametrize(
    ("returned", "message"),
    [
        (api.ScriptOutput(values={1: 2}), "values has the key 1; keys are non-empty strings"),
        (
            api.ScriptOutput(tables={"t": api.ScriptTable(["a", "a"], [])}),
            "tables.t.columns must be distinct non-empty strings",
        ),
        (
            api.ScriptOutput(tables={"t": api.ScriptTable(["a"], [[float("-inf")]])}),
            r"tables.t.rows\[0\].a is -inf, not a finite number",
        ),
        (api.ScriptOutput(tables={"bad name": api.ScriptTable(["a"], [])}), "table name"),
        (api.ScriptOutput(verdict=3), "verdict must be a str or None, not int"),  # type: ignore[arg-type]
    ],
)
def test_validate_names_what_a_result_cannot_hold(returned: object, message: str) -> None:
    with pytest.raises(api.ScriptError, match=message):
        api.validate(returned)


def test_verdict_and_params_reach_the_result(project: Path, capsys) -> None:
    _write_script(
        project,
        "    t = inputs.params['threshold']\n"
        "    return api.ScriptOutput(values={'t': t}, verdict='PASS' if t > 0.2 else 'FAIL')\n",
    )
    _analyze(capsys)
    result = load_result(project / RESULT)
    assert result.verdict == "PASS" and result.metrics == {"t": 0.3}

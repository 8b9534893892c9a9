"""Bad numbers and paths in user input are one-line errors naming the key and what is allowed."""

from __future__ import annotations

import typing
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from persona_atlas.cli import main, user_error
from persona_atlas.config import ExperimentConfig, load_config
from persona_atlas.errors import ConfigError, InputFileError
from persona_atlas.schema import ResultFile, load_result
from persona_atlas.validation import plain

ROOT = Path(__file__).resolve().parents[1]
PILOT = ROOT / "tests" / "fixtures" / "reference" / "extraction_method_comparison_results.json"
LEGACY = ROOT / "tests" / "fixtures" / "reference" / "issue_201_run_result.json"
EXTRACT = """\
issue: 5
title: t
extract:
  model: m
  personas: p.yaml
  questions: q.yaml
  layers: [1, 2]
  out_dir: build/x
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "exp.yaml"
    path.write_text(text)
    return path


def _analysis(tmp_path: Path, line: str) -> Path:
    return _write(tmp_path, f"issue: 7\ntitle: t\nanalysis:\n  {line}\n")


PERMUTATIONS = "allowed: a whole number from 0 to 1,000,000"
SEED = "allowed: a whole number from 0 to 4,294,967,295"


@pytest.mark.parametrize(
    ("line", "allowed"),
    [
        ("mantel_permutations: 1e12", PERMUTATIONS),  # YAML reads it as a string
        ("mantel_permutations: 1.0e+12", PERMUTATIONS),
        ("mantel_permutations: 1000000000000", PERMUTATIONS),
        ("mantel_permutations: -1", PERMUTATIONS),
        ("mantel_permutations: 100.0", PERMUTATIONS),
        ("mantel_permutations: true", PERMUTATIONS),
        ("seed: -1", SEED),
        ("seed: 4294967296", SEED),
        ("thresholds: {kill_mc_r: .nan}", "allowed: a number from -1 to 1"),
        ("thresholds: {pass_cos_min: 2}", "allowed: a number from -1 to 1"),
    ],
)
def test_bad_analysis_numbers_name_the_key_line_and_range(
    tmp_path: Path, line: str, allowed: str
) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(_analysis(tmp_path, line))
    key = line.split(":")[0].strip()
    message = str(info.value)
    assert "exp.yaml:4: analysis." in message and key in message
    assert allowed in message


def test_kill_threshold_above_pass_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"kill_mc_r \(0.95\) is above pass_mc_r \(0.9\)"):
        load_config(_analysis(tmp_path, "thresholds: {kill_mc_r: 0.95}"))


@pytest.mark.parametrize(
    ("old", "new", "allowed"),
    [
        ("layers: [1, 2]", "layers: [1, -2]", "from 0 to 9,999"),
        ("layers: [1, 2]", "layers: [1, 1.5]", "from 0 to 9,999"),
        ("layers: [1, 2]", "layers: [1, 100000]", "from 0 to 9,999"),
        ("out_dir: build/x", "out_dir: build/x\n  cpu_threads: 0", "from 1 to 1,024, or null"),
        ("out_dir: build/x", "out_dir: build/x\n  batch_token_budget: 1.0e+9", "16,777,216"),
        ("out_dir: build/x", "out_dir: build/x\n  seed: -3", "4,294,967,295"),
        (
            "out_dir: build/x",
            "out_dir: build/x\n  generation: {max_new_tokens: 0}",
            "from 1 to 32,768",
        ),
        ("out_dir: build/x", "out_dir: build/x\n  generation: {batch_size: 1e6}", "65,536"),
        (
            "out_dir: build/x",
            "out_dir: build/x\n  generation: {vllm_gpu_memory_utilization: 0}",
            "above 0 and at most 1",
        ),
    ],
)
def test_bad_extract_numbers_name_the_range(
    tmp_path: Path, old: str, new: str, allowed: str
) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(_write(tmp_path, EXTRACT.replace(old, new)))
    assert "exp.yaml:" in str(info.value) and "allowed: a " in str(info.value)
    assert allowed in str(info.value)


@pytest.mark.parametrize("issue", ["0", "-5", "12345678901234567890", "7.0", '"7"'])
def test_issue_must_be_a_whole_number_in_range(tmp_path: Path, issue: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(_write(tmp_path, f"issue: {issue}\ntitle: t\n"))
    assert "exp.yaml:1: issue:" in str(info.value)
    assert "allowed: a whole number from 1 to 1,000,000,000" in str(info.value)


def test_a_file_key_naming_a_folder_and_a_folder_key_naming_a_file(tmp_path: Path) -> None:
    (tmp_path / "inputs").mkdir()
    (tmp_path / "inputs" / "pilot.json").write_text("{}")
    text = "issue: 7\ntitle: t\nanalysis:\n  name: stored-matrix-comparison\n  source: {}\n"
    with pytest.raises(ConfigError) as info:
        load_config(_write(tmp_path, text.format(tmp_path / "inputs")))
    assert "exp.yaml:5: analysis.source:" in str(info.value)
    assert "is a folder; allowed: a file" in str(info.value)
    load_config(_write(tmp_path, text.format(tmp_path / "inputs" / "pilot.json")))
    with pytest.raises(ConfigError, match=r"exp.yaml:8: extract.out_dir: .* is a file; allowed"):
        load_config(_write(tmp_path, EXTRACT.replace("build/x", str(tmp_path / "exp.yaml"))))


def test_analyze_prints_config_errors_without_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "inputs").mkdir()
    (tmp_path / "inputs" / "pilot.json").write_bytes(PILOT.read_bytes())
    base = "issue: 7\ntitle: t\nanalysis:\n  name: stored-matrix-comparison\n  source: {}\n"
    _write(tmp_path, base.format("inputs/pilot.json") + "  mantel_permutations: 1.0e+12\n")
    assert main(["analyze", "exp.yaml", "--no-figures"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("atlas analyze: error: exp.yaml:6: analysis.mantel_permutations:")
    assert PERMUTATIONS in err and "Traceback" not in err
    _write(tmp_path, base.format("inputs"))
    assert main(["analyze", "exp.yaml", "--no-figures"]) == 2
    assert "analysis.source: inputs is a folder" in capsys.readouterr().err
    assert not (tmp_path / "results").exists()


@pytest.mark.parametrize("issue", ["0", "-5", "12345678901234567890", "seven"])
def test_import_issue_is_a_usage_error(
    tmp_path: Path, issue: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "result.json"
    with pytest.raises(SystemExit) as info:
        main(["import", str(LEGACY), f"--issue={issue}", "--title", "t", "--out", str(out)])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert f"argument --issue: '{issue}' is not an issue number" in err
    assert "from 1 to 1,000,000,000" in err and "Traceback" not in err
    assert not out.exists()


def test_import_of_a_folder_names_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "result.json"
    assert main(["import", str(tmp_path), "--issue", "3", "--title", "t", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "is a folder, not a JSON file" in err and "Traceback" not in err
    assert not out.exists()


def test_result_file_issue_range(tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    for issue in (0, 10**20):
        path.write_text(
            '{"schema_version": "1", "issue": ISSUE, "title": "t", "kind": "k", "provenance": '
            '{"git": {"commit": null, "dirty": false}, "created": "c", "code_version": "v", '
            '"analysis": {"name": "a"}}}'.replace("ISSUE", str(issue))
        )
        with pytest.raises(InputFileError, match=r"invalid result\.json at issue"):
            load_result(path)


def test_cli_boundary_turns_user_errors_into_one_line() -> None:
    with pytest.raises(ValidationError) as info:
        ResultFile.model_validate({"issue": -5, "title": "t", "kind": "k", "provenance": {}})
    message = user_error(info.value)
    assert message is not None and message.startswith("invalid ResultFile: issue: ")
    assert "got -5; allowed: a whole number from 1 to 1,000,000,000" in message
    assert user_error(IsADirectoryError(21, "Is a directory", "inputs")) == (
        "inputs: is a directory"
    )
    assert user_error(RuntimeError("a bug")) is None  # keeps its traceback


def test_cli_prints_a_validation_error_from_a_verb_without_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from persona_atlas.verbs import schema as schema_verb

    def invalid(args: object) -> int:
        ResultFile.model_validate({"issue": 0})
        return 0

    monkeypatch.setattr(schema_verb, "run", invalid)
    assert main(["schema"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("atlas schema: error: invalid ResultFile: issue: ")
    assert "Traceback" not in err


def _numeric_fields(model: type[BaseModel], prefix: str = "") -> list[tuple[str, str]]:
    from persona_atlas.validation import allowed

    out = []
    for name, field in model.model_fields.items():
        key = f"{prefix}{name}"
        bare = plain(field.annotation)
        args = [bare, *typing.get_args(bare)]
        sub = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        if sub:
            out += _numeric_fields(sub[0], key + ".")
        elif int in args or float in args or list[int] in args:
            out.append((key, allowed(field.annotation, field.metadata) or ""))
    return out


def test_every_numeric_config_key_has_a_documented_range() -> None:
    fields = dict(_numeric_fields(ExperimentConfig))
    assert "analysis.mantel_permutations" in fields and "extract.layers" in fields
    docs = (ROOT / "docs" / "configuration.md").read_text()
    for key, rule in fields.items():
        assert " to " in rule or "at most" in rule, f"{key}: no upper bound ({rule!r})"
        assert f"| `{key}` |" in docs and rule in docs, key
    assert "a whole number from 0 to 1,000,000" in docs

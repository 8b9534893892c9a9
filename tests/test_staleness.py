"""``atlas check``: stale inputs, parameters, code version and figures are failures;
inputs outside git are unverifiable, not passing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from persona_atlas.analysis.versioning import code_version
from persona_atlas.cli import main
from persona_atlas.errors import StaleResultError
from persona_atlas.files import sha256_bytes, sha256_file
from persona_atlas.schema import ResultFile, save
from persona_atlas.staleness import (
    check_result,
    expected_params,
    param_differences,
    raise_if_stale,
)

CONFIG = """\
issue: 7
title: staleness fixture
analysis:
  name: stored-matrix-comparison
  source: data/matrices.json
  pairs:
    - {x: A, y: B, category: load-bearing}
  mantel_permutations: 99
"""


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project with one input, one experiment config and a fresh result for issue 7."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "matrices.json").write_text('{"m": [1, 2]}\n')
    (tmp_path / "experiments").mkdir()
    cfg = tmp_path / "experiments" / "seven.yaml"
    cfg.write_text(CONFIG)
    name, params = expected_params(cfg)
    data = tmp_path / "data" / "matrices.json"
    result = ResultFile(
        issue=7,
        title="staleness fixture",
        kind="recipe-comparison",
        provenance={
            "git": {"commit": None, "dirty": False},
            "created": "2026-05-03T08:29:21Z",
            "code_version": code_version(name),
            "analysis": {"name": name, "params": params},
            "inputs": [
                {"path": "data/matrices.json", "sha256": sha256_file(data), "bytes": 14},
                {
                    "path": "big/A.safetensors",
                    "sha256": "a" * 64,
                    "bytes": 9,
                    "location": "external",
                },
            ],
        },
    )
    save(tmp_path / "results" / "issue-7" / "result.json", result)
    return tmp_path


def result_path(root: Path) -> Path:
    return root / "results" / "issue-7" / "result.json"


def findings(root: Path) -> list[tuple[str, str]]:
    return [(f.status, f.message) for f in check_result(result_path(root), root=root).findings]


def test_fresh_result_only_reports_the_external_input(root: Path) -> None:
    check = check_result(result_path(root), root=root)
    assert [(f.subject, f.status) for f in check.findings] == [
        ("big/A.safetensors", "unverifiable")
    ]
    assert not check.failed() and check.failed(strict_external=True)
    assert "params == experiments/seven.yaml" in check.verified


def test_external_input_present_is_verified(root: Path) -> None:
    (root / "big").mkdir()
    (root / "big" / "A.safetensors").write_bytes(b"123456789")
    ((status, message),) = findings(root)
    assert status == "stale" and message.startswith("input sha256 ")
    assert message.endswith(f"≠ recorded {'a' * 12}")


def test_changed_input_is_stale(root: Path) -> None:
    old = sha256_file(root / "data" / "matrices.json")
    (root / "data" / "matrices.json").write_text('{"m": [1, 3]}\n')
    new = sha256_file(root / "data" / "matrices.json")
    assert ("stale", f"input sha256 {new[:12]} ≠ recorded {old[:12]}") in findings(root)


def test_missing_committed_input_is_stale(root: Path) -> None:
    (root / "data" / "matrices.json").unlink()
    assert ("stale", "input is missing") in findings(root)


def test_changed_parameters_are_stale(root: Path) -> None:
    cfg = root / "experiments" / "seven.yaml"
    cfg.write_text(CONFIG.replace("mantel_permutations: 99", "mantel_permutations: 999"))
    ((_, message),) = [f for f in findings(root) if f[0] == "stale"]
    assert message.startswith(
        "analysis parameters differ from experiments/seven.yaml: mantel_permutations: 99 → 999"
    )


def test_config_for_another_issue_is_ignored(root: Path) -> None:
    cfg = root / "experiments" / "seven.yaml"
    cfg.write_text(CONFIG.replace("issue: 7", "issue: 8").replace("99", "5"))
    assert [s for s, _ in findings(root)] == ["unverifiable"]


def test_other_code_version_is_stale(root: Path) -> None:
    doc = json.loads(result_path(root).read_text())
    doc["provenance"]["code_version"] = "0.0.1+000000000000"
    result_path(root).write_text(json.dumps(doc))
    assert (
        "stale",
        f"analysis code version 0.0.1+000000000000 ≠ current {code_version('stored-matrix-comparison')}; re-run `atlas analyze`",
    ) in findings(root)


def write_figure(root: Path, name: str = "fig") -> Path:
    folder = result_path(root).parent / "figures"
    folder.mkdir(exist_ok=True)
    spec = json.dumps({"mark": "bar", "data": {"values": [{"a": 1}]}}).encode()
    (folder / f"{name}.vl.json").write_bytes(spec)
    (folder / f"{name}.svg").write_text("<svg/>")
    (folder / f"{name}.png").write_bytes(b"png")
    meta = {
        "spec_sha256": sha256_bytes(spec),
        "data_sha256": "0" * 64,
        "result_sha256": sha256_file(result_path(root)),
        "commit": None,
        "chart": "verdict_partition",
        "caption": "c",
    }
    (folder / f"{name}.meta.json").write_text(json.dumps(meta))
    return folder


def test_figures_fresh_edited_and_unpaired(root: Path) -> None:
    folder = write_figure(root)
    assert [s for s, _ in findings(root)] == ["unverifiable"]
    (folder / "fig.vl.json").write_text('{"mark": "line"}')
    (folder / "orphan.vl.json").write_text("{}")
    stale = sorted(m for s, m in findings(root) if s == "stale")
    assert len(stale) == 2
    assert stale[0].endswith(
        "fig.vl.json: spec bytes differ from spec_sha256 in its meta.json; run `atlas figures`"
    )
    assert stale[1] == "no .meta.json; run `atlas figures`"


def test_param_differences_are_leafwise() -> None:
    assert param_differences({"a": 1, "t": {"x": 0.9}}, {"a": 1.0, "t": {"x": 0.95}}) == [
        "t.x: 0.9 → 0.95"
    ]
    assert param_differences({"flag": True}, {"flag": 1}) == ["flag: True → 1"]
    assert param_differences({"a": 1}, {"b": 1}) == ["a: 1 → '(absent)'", "b: '(absent)' → 1"]


def test_unreadable_result_is_an_error(root: Path) -> None:
    result_path(root).write_text("{")
    ((status, message),) = findings(root)
    assert status == "error" and "result.json:1:2: invalid JSON" in message


def test_raise_if_stale(root: Path) -> None:
    raise_if_stale(check_result(result_path(root), root=root))
    with pytest.raises(StaleResultError, match=r"big/A\.safetensors"):
        raise_if_stale(check_result(result_path(root), root=root), strict_external=True)


def test_cli_exit_codes(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert last == "1 result(s): 0 fresh, 0 stale, 0 unreadable; 1 unverifiable input(s)"
    assert main(["check", "--strict-external"]) == 1
    capsys.readouterr()
    (root / "data" / "matrices.json").write_text("changed")
    assert main(["check", "--format", "json"]) == 1
    (doc,) = json.loads(capsys.readouterr().out)
    assert doc["failed"] is True
    assert sorted(f["status"] for f in doc["findings"]) == ["stale", "unverifiable"]

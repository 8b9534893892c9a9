"""A result.json is only replaced by the same result: same issue, analysis and source.

Everything runs in a scratch project (``tmp_path``) holding copies of the reference inputs;
the committed ``results/`` are never touched.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from persona_atlas.analysis.overwrite_guard import check_overwrite, origin_of
from persona_atlas.cli import main
from persona_atlas.errors import OverwriteError
from persona_atlas.schema import load_result

REF = Path(__file__).resolve().parents[1] / "fixtures" / "reference"
PILOT_CONFIG = """\
issue: {issue}
title: "Pilot copy"
analysis:
  name: stored-matrix-comparison
  source: {source}
  pairs: [{{x: A, y: B, category: load-bearing}}]
  mantel_permutations: 19
"""
IMPORT_201 = ["import", "inputs/issue_201_run_result.json", "--title", "Recipe sweep"]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    for name in ("extraction_method_comparison_results.json", "issue_201_run_result.json",
                 "issue_218_run_result.json"):  # fmt: skip
        shutil.copyfile(REF / name, inputs / name)
    shutil.copyfile(inputs / "extraction_method_comparison_results.json", inputs / "other.json")
    return tmp_path


def _config(project: Path, issue: int, source: str = "inputs/other.json") -> str:
    (project / "exp.yaml").write_text(PILOT_CONFIG.format(issue=issue, source=source))
    return "exp.yaml"


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_import_over_a_computed_result_is_refused_and_names_it(project: Path, capsys):
    assert main(["analyze", _config(project, 7), "--no-figures"]) == 0
    computed = project / "results/issue-7/result.json"
    before = computed.read_bytes()
    capsys.readouterr()

    assert main([*IMPORT_201, "--issue", "7"]) == 2
    err = capsys.readouterr().err
    assert computed.read_bytes() == before
    assert "results/issue-7/result.json holds another result" in err
    assert '#7 "Pilot copy"' in err  # issue and title of the result already there
    assert "analysis stored-matrix-comparison, inputs: [inputs/other.json]" in err
    assert "analysis: stored-matrix-comparison → import:legacy-recipe-sweep" in err
    assert "source: source inputs/other.json → files [inputs/issue_201_run_result.json]" in err
    assert "--force" in err and "issue:" in err and "Traceback" not in err

    assert main([*IMPORT_201, "--issue", "7", "--force"]) == 0
    assert load_result(computed).provenance.analysis.name == "import:legacy-recipe-sweep"


def test_config_with_a_mistyped_issue_rewrites_neither_result_nor_figures(
    project: Path, capsys, monkeypatch: pytest.MonkeyPatch
):
    assert main([*IMPORT_201, "--issue", "201"]) == 0
    folder = project / "results/issue-201"
    (folder / "figures").mkdir()
    (folder / "figures/cells.svg").write_text("<svg>the import's figure</svg>")
    before = _snapshot(folder)
    capsys.readouterr()

    import persona_atlas.analysis.analyses as analyses

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("computed although the result would be refused")

    monkeypatch.setattr(analyses, "compute", never)
    assert main(["analyze", _config(project, 201)]) == 2  # figures on: still none drawn
    err = capsys.readouterr().err
    assert '#201 "Recipe sweep" (analysis import:legacy-recipe-sweep' in err
    assert "inputs: [inputs/issue_201_run_result.json]" in err
    assert "analysis: import:legacy-recipe-sweep → stored-matrix-comparison" in err
    assert _snapshot(folder) == before


def test_rerunning_the_same_analysis_on_the_same_source_needs_no_force(project: Path, capsys):
    config = _config(project, 7)
    assert main(["analyze", config, "--no-figures"]) == 0
    path = project / "results/issue-7/result.json"
    assert main(["analyze", config, "--no-figures"]) == 0
    assert "unchanged (not rewritten)" in capsys.readouterr().out
    # new numbers from the same input file, other parameters, a new title: regeneration
    text = (project / "inputs/other.json").read_text()
    (project / "inputs/other.json").write_text(text.replace("0.6555525064468384", "0.5", 1))
    (project / "exp.yaml").write_text(
        (project / config).read_text().replace("19", "29").replace("Pilot copy", "Renamed")
    )
    assert main(["analyze", config, "--no-figures"]) == 0
    assert "wrote results/issue-7/result.json" in capsys.readouterr().out
    assert load_result(path).title == "Renamed"
    assert main(["analyze", "results/issue-7", "--no-figures"]) == 0  # re-run from the result

    # re-importing the same files into the same result is regeneration too
    assert main([*IMPORT_201, "--issue", "201"]) == 0
    assert main([*IMPORT_201, "--issue", "201"]) == 0
    assert "unchanged (not rewritten)" in capsys.readouterr().out


def test_same_analysis_on_another_source_is_refused_unless_forced(project: Path, capsys):
    assert main(["analyze", _config(project, 7), "--no-figures"]) == 0
    path = project / "results/issue-7/result.json"
    before = path.read_bytes()
    capsys.readouterr()
    config = _config(project, 7, "inputs/extraction_method_comparison_results.json")
    assert main(["analyze", config, "--no-figures"]) == 2
    err = capsys.readouterr().err
    assert (
        "source: source inputs/other.json → source "
        "inputs/extraction_method_comparison_results.json" in err
    )
    assert path.read_bytes() == before
    assert main(["analyze", config, "--no-figures", "--force"]) == 0
    assert load_result(path).provenance.analysis.params["source"] == (
        "inputs/extraction_method_comparison_results.json"
    )


def test_import_of_another_file_list_or_into_another_issue_is_refused(project: Path, capsys):
    both = ["inputs/issue_201_run_result.json", "inputs/issue_218_run_result.json"]
    assert main(["import", *both, "--issue", "201", "--title", "T"]) == 0
    out = project / "results/issue-201/result.json"
    before = out.read_bytes()
    assert main([*IMPORT_201, "--issue", "201"]) == 2  # one file fewer
    assert "files [inputs/issue_201_run_result.json, inputs/issue_218_run_result.json]" in (
        capsys.readouterr().err
    )
    assert main(["import", *both, "--issue", "202", "--title", "T", "--out", str(out)]) == 2
    assert "issue: #201 → #202" in capsys.readouterr().err
    assert out.read_bytes() == before


def test_an_unidentifiable_result_file_is_not_replaced(project: Path, capsys):
    path = project / "results/issue-7/result.json"
    path.parent.mkdir(parents=True)
    path.write_text('{"notes": "kept by hand"}')
    assert main(["analyze", _config(project, 7), "--no-figures"]) == 2
    assert "is not a result.json persona-atlas can identify" in capsys.readouterr().err
    assert path.read_text() == '{"notes": "kept by hand"}'
    assert main(["analyze", "exp.yaml", "--no-figures", "--force"]) == 0


def test_guard_api_compares_issue_analysis_and_source(project: Path):
    assert main([*IMPORT_201, "--issue", "201"]) == 0
    path = project / "results/issue-201/result.json"
    files = {"files": ["inputs/issue_201_run_result.json"]}
    check_overwrite(path, origin_of(201, "import:legacy-recipe-sweep", files, None))
    with pytest.raises(OverwriteError, match="issue: #201 → #7"):
        check_overwrite(path, origin_of(7, "import:legacy-recipe-sweep", files, None))
    check_overwrite(path, origin_of(7, "x", {}, None), force=True)
    check_overwrite(project / "nowhere.json", origin_of(7, "x", {}, None))

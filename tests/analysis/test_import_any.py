"""`atlas import` of any of the group's result JSON: the file's own values at their own
paths, quirks tolerated with warnings, provenance, re-import on `--verify`, bad input."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from persona_atlas.cli import main
from persona_atlas.errors import InputFileError
from persona_atlas.files import sha256_file
from persona_atlas.jsonpath import resolve
from persona_atlas.kinds.imported.convert import convert
from persona_atlas.kinds.imported.read import parse_bytes, read_file
from persona_atlas.schema import ResultFile, load_result

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT.parent / "shared" / "reference"
I213 = "writeups/227/data/eval_results/issue_213"
I415 = "writeups/415/data/eval_results/issue_415"

#: (file under ../shared/reference, {metric path: value the file holds there})
GROUP_FILES = {
    "213-correlations": (
        f"{I213}/combined/correlation_results.json",
        {"all.rho": 0.026086868983036384, "all.p_value": 0.9036935394490296, "all.n": 24},
    ),
    "213-grid": (
        f"{I213}/part_b/grid_summary.json",
        {"cells[0].mean_aligned": 90.6953125, "cells[0].cue_is_original": True},
    ),
    "415": (
        f"{I415}/analysis_summary.json",
        {
            "schema_version": 1,
            "predictor_table.table.predictor_1_cosine_to_assistant_L15"
            ".logp_end_of_response_diagonal_mean.spearman_rho_raw": 0.14956521739130432,
        },
    ),
    "517": (
        "writeups/517/data/eval_results/issue_517/base_vs_trained_comparison.json",
        {
            "schema_version": "i517_v1",
            "per_trait.logical_and_pushes_back.base_in_scenario.mean": 4.4,
        },
    ),
    "246": (
        "eps/issue_246_regression_results.json",
        {
            "primary_analysis.n10_regression.r": -0.4231642364164141,
            "layer_stats.layer_10.pearson_r": -0.7033886636220305,
            "source_rates.librarian": 0.67,
        },
    ),
    "pilot": ("eps/extraction_method_comparison_results.json", {}),
}


def _reference(rel: str) -> Path:
    path = REFERENCE / rel
    if not path.is_file():
        pytest.skip(f"{path} is not here (../shared/reference)")
    return path


def _import(files: list[Path], out: Path, *extra: str) -> int:
    argv = ["import", *map(str, files), "--issue", "7001", "--title", "t", "--out", str(out)]
    return main([*argv, *extra])


@pytest.mark.parametrize("name", list(GROUP_FILES))
def test_each_group_file_lands_at_its_own_paths(name: str, tmp_path: Path) -> None:
    rel, expected = GROUP_FILES[name]
    path = _reference(rel)
    out = tmp_path / "result.json"
    assert _import([path], out) == 0
    result = load_result(out)
    assert result.kind == "imported" and result.verdict is None
    original = json.loads(path.read_text(encoding="utf-8"))
    if name == "pilot":
        key = next(iter(original))
        expected = {
            f"{key}.raw_matrix_comparison.pearson_r": original[key]["raw_matrix_comparison"][
                "pearson_r"
            ]
        }
    doc = result.model_dump(mode="json")
    for where, value in expected.items():
        got = resolve(doc["metrics"], where)
        assert got == value and type(got) is type(value), where
    # provenance: the file's path, sha256 and size; the importer's name and code version
    (ref,) = result.provenance.inputs
    assert ref.path == path.resolve().as_posix()
    assert (ref.sha256, ref.bytes) == (sha256_file(path), path.stat().st_size)
    assert result.provenance.analysis.name == "imported"
    assert result.provenance.analysis.params == {"files": [ref.path]}
    assert result.provenance.code_version.startswith("0.")


def test_bare_nan_is_null_with_a_warning_naming_the_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _reference(GROUP_FILES["213-correlations"][0])
    out = tmp_path / "result.json"
    assert _import([path], out) == 0
    err = capsys.readouterr().err
    assert f"warning: {path.resolve().as_posix()}: by_prior.inert.rho: bare NaN read as null" in err
    result = load_result(out)
    assert result.metrics["by_prior"]["inert"]["rho"] is None  # type: ignore[index,call-overload]
    assert "bare NaN" in result.nulls["metrics.by_prior.inert.rho"]
    assert len(result.tables["import_quirks"].rows) == 4


def test_string_booleans_become_booleans_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _reference(GROUP_FILES["213-grid"][0])
    out = tmp_path / "result.json"
    assert _import([path], out) == 0
    assert (
        "cells[0].cue_is_original: boolean stored as the string 'true'" in capsys.readouterr().err
    )
    cells = load_result(out).tables["cells"]
    assert cells.columns[:3] == ["n_valid_judgments", "n_errors", "mean_aligned"]
    assert "per_prompt" not in cells.columns  # an object per record: stays in metrics
    assert cells.records()[0]["cue_is_original"] is True and len(cells.rows) == 40


SCHEMA_1 = b"""{
  "schema_version": 1,
  "effects": [
    {"persona": "villain", "point": 0.41, "ci_lo": 0.2, "ci_hi": 0.6, "verdict": "POSITIVE"},
    {"persona": "librarian", "point": NaN, "ci_lo": -Infinity, "ci_hi": Infinity},
    {"persona": "comedian", "extra": "True", "point": 1e400}
  ],
  "predictors": {"length": {"raw_spearman": {"rho": 0.5, "p": 0.01}, "p": 1, "p": 2}},
  "smoke": "False"
}"""


def test_schema_1_records_become_a_table_with_every_quirk_reported() -> None:
    f = parse_bytes(SCHEMA_1, "x/effects.json")
    out = convert([f])
    assert out.metrics["predictors"]["length"]["raw_spearman"] == {"rho": 0.5, "p": 0.01}
    assert out.metrics["predictors"]["length"]["p"] == 2  # the last of a duplicated key
    assert out.metrics["smoke"] is False
    effects = out.tables["effects"]
    assert effects.columns == ["persona", "point", "ci_lo", "ci_hi", "verdict", "extra"]
    assert effects.rows[1] == ["librarian", None, None, None, None, None]
    assert effects.rows[2] == ["comedian", None, None, None, None, True]
    warnings = f.warnings()
    assert "x/effects.json: effects[1].point: bare NaN read as null" in warnings
    assert "x/effects.json: effects[1].ci_lo: bare -Infinity read as null" in warnings
    assert "x/effects.json: effects[2].point: bare 1e400 read as null" in warnings
    assert any("predictors.length.p: duplicate key" in w and "1 dropped" in w for w in warnings)
    assert "x/effects.json: smoke: boolean stored as the string 'False', read as one" in warnings
    assert out.nulls["metrics.effects[1].ci_hi"].endswith("bare Infinity at effects[1].ci_hi")
    ResultFile.model_validate(
        {"issue": 1, "title": "t", "kind": "imported", "metrics": out.metrics,
         "tables": {k: t.model_dump() for k, t in out.tables.items()}, "nulls": out.nulls,
         "provenance": {"git": {"commit": None, "dirty": False}, "created": "now",
                        "code_version": "0", "analysis": {"name": "imported"}}}
    )  # fmt: skip


def test_several_files_sit_under_their_stems(tmp_path: Path) -> None:
    a, b = tmp_path / "first_run.json", tmp_path / "second.json"
    a.write_text('{"rho": 0.1, "rows": [{"x": 1}]}')
    b.write_text('[{"y": 2}, {"y": 3}]')
    out = convert([read_file(a, "first_run.json"), read_file(b, "second.json")])
    assert out.metrics == {
        "first_run": {"rho": 0.1, "rows": [{"x": 1}]},
        "second": [{"y": 2}, {"y": 3}],
    }
    assert set(out.tables) == {"first_run.rows", "second"}
    (tmp_path / "sub").mkdir()
    c = tmp_path / "sub" / "second.json"
    c.write_text("{}")
    with pytest.raises(InputFileError, match="share the file stem 'second'"):
        convert([read_file(b, "second.json"), read_file(c, "sub/second.json")])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"a": "caf\xe9"}', r"bad.json: not UTF-8 text: byte 0xe9 at offset 10"),
        (b'{"a": 1,}', r"bad.json:1:9: invalid JSON"),
        (b"", r"bad.json:1:1: invalid JSON"),
    ],
)
def test_bad_input_is_one_clear_error(data: bytes, message: str) -> None:
    with pytest.raises(InputFileError, match=message):
        parse_bytes(data, "bad.json")


def test_missing_file_is_an_error_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "result.json"
    assert _import([tmp_path / "nope.json"], out) == 2
    assert "nope.json: file not found" in capsys.readouterr().err
    assert not out.exists()


def test_verify_passes_then_fails_on_a_changed_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # a re-import reads only files inside the repository: make tmp_path one
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    monkeypatch.chdir(tmp_path)
    src = tmp_path / "effects.json"
    src.write_bytes(SCHEMA_1)
    out = tmp_path / "r" / "result.json"
    assert _import([src], out) == 0
    assert main(["import", "--verify", str(out)]) == 0
    assert main(["analyze", "--verify", str(out)]) == 0
    assert "up to date" in capsys.readouterr().out
    src.write_bytes(SCHEMA_1.replace(b"0.41", b"0.42"))
    assert main(["import", "--verify", str(out)]) == 1
    err = capsys.readouterr().err
    assert "metrics.effects[0].point: 0.41 → 0.42" in err
    assert main(["analyze", "--verify", str(out)]) == 1
    # re-importing the same file over its own result is regeneration: allowed, rewritten
    assert _import([src], out) == 0
    assert load_result(out).metrics["effects"][0]["point"] == 0.42  # type: ignore[index,call-overload]


def test_overwrite_guard_refuses_another_issue(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "effects.json"
    src.write_bytes(SCHEMA_1)
    out = tmp_path / "result.json"
    assert _import([src], out) == 0
    before = out.read_bytes()
    argv = ["import", str(src), "--issue", "7002", "--title", "t", "--out", str(out)]
    assert main(argv) == 2
    assert "holds another result" in capsys.readouterr().err
    assert out.read_bytes() == before
    assert main([*argv, "--force"]) == 0


def test_a_201_sweep_is_detected_and_as_imported_keeps_it_raw(tmp_path: Path) -> None:
    sweep = ROOT / "results" / "issue-201" / "inputs" / "issue_201_run_result.json"
    if not sweep.is_file():
        pytest.skip("no committed #201 input")
    out = tmp_path / "a" / "result.json"
    assert _import([sweep], out) == 0
    assert load_result(out).kind == "recipe-comparison"
    raw = tmp_path / "b" / "result.json"
    assert _import([sweep], raw, "--as", "imported") == 0
    result = load_result(raw)
    assert result.kind == "imported" and "cross_method_metrics" in result.metrics
    other = tmp_path / "other.json"
    other.write_text('{"rho": 1}')
    assert _import([sweep, other], tmp_path / "c" / "result.json") == 2


def test_lint_against_an_imported_result_does_not_crash(tmp_path: Path) -> None:
    path = _reference(GROUP_FILES["213-correlations"][0])
    out = tmp_path / "result.json"
    assert _import([path], out) == 0
    page = tmp_path / "old-writeup.md"
    page.write_text(
        "# #213\n\nOver all 24 cells the correlation is rho = 0.026 (p = 0.90); without "
        "edu_v0 it is -0.526 (p = 0.017, n = 20).\n",
        encoding="utf-8",
    )
    assert main(["lint", str(page), "--against", str(out)]) in (0, 1)


def test_as_recipe_comparison_on_another_shape_names_the_missing_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "effects.json"
    src.write_bytes(SCHEMA_1)
    out = tmp_path / "result.json"
    assert _import([src], out, "--as", "recipe-comparison") == 2
    assert "missing required key" in capsys.readouterr().err
    assert not out.exists()


def test_code_version_covers_the_kind_folder_not_the_registry_or_other_importers() -> None:
    from persona_atlas.analysis.versioning import source_files

    files = {p.relative_to(ROOT).as_posix() for p in source_files("imported")}
    assert "persona_atlas/kinds/imported/read.py" in files
    assert "persona_atlas/kinds/imported/convert.py" in files
    unrelated = ("legacy_import", "sweep.py", "kinds/__init__.py", "result_writer.py")
    assert not any(u in f for f in files for u in unrelated), files


def test_a_top_level_null_or_list_sits_under_the_stem_with_its_reason() -> None:
    out = convert([parse_bytes(b"null", "x/empty_run.json")])
    assert out.metrics == {"empty_run": None}
    assert out.nulls == {"metrics.empty_run": "x/empty_run.json stores null at its top level"}
    out = convert([parse_bytes(b'[{"a": 1}, {"b": "x"}]', "rows.json")])
    assert out.metrics == {"rows": [{"a": 1}, {"b": "x"}]}
    assert out.tables["rows"].rows == [[1, None], [None, "x"]]

"""``atlas import``: the group's #201/#218 JSON carried into result.json, number for number."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from persona_atlas.analysis.legacy_import import import_legacy, verify_import, write_import
from persona_atlas.cli import main
from persona_atlas.errors import InputFileError
from persona_atlas.files import dumps_strict, sha256_file
from persona_atlas.jsonpath import flatten, resolve
from persona_atlas.schema import ResultFile, load_result

ROOT = Path(__file__).resolve().parents[2]
REF = ROOT / "tests" / "fixtures" / "reference"
NAMES = {"a": "A", "b": "B", "bstar": "B*", "c1": "C1", "c2": "C2", "c3": "C3"}
CELL_FIELDS = {
    "cos_min": ("per_persona", "min"),
    "cos_p5": ("per_persona", "p5"),
    "cos_mean": ("per_persona", "mean"),
    "cos_max": ("per_persona", "max"),
    "raw_pearson": ("matrix_raw", "pearson_r"),
    "raw_spearman": ("matrix_raw", "spearman_r"),
    "mc_r": ("matrix_mc", "pearson_r"),
}


def _copies(root: Path) -> dict[str, Path]:
    out = {}
    for issue in ("201", "218"):
        dest = root / "inputs" / f"issue_{issue}_run_result.json"
        dest.parent.mkdir(exist_ok=True)
        shutil.copyfile(REF / f"issue_{issue}_run_result.json", dest)
        out[issue] = dest
    return out


@pytest.fixture()
def legacy(tmp_path: Path) -> dict[str, Path]:
    """Copies of the two legacy files inside a scratch 'repository' root."""
    return _copies(tmp_path)


@pytest.fixture(scope="module")
def merged(tmp_path_factory: pytest.TempPathFactory) -> tuple[ResultFile, dict[str, Path]]:
    """#201 then #218 imported once (root = a scratch folder holding inputs/)."""
    root = tmp_path_factory.mktemp("merged")
    paths = _copies(root)
    return _import([paths["201"], paths["218"]], root), paths


def _raw(issue: str) -> dict[str, Any]:
    return json.loads((REF / f"issue_{issue}_run_result.json").read_text())


def _import(paths: list[Path], root: Path) -> ResultFile:
    return import_legacy(paths, issue=201, title="Recipe sweep", root=root).result


def _records(result: ResultFile, table: str) -> dict[tuple[str, int], dict[str, Any]]:
    return {(r["pair"], r["layer"]): r for r in result.tables[table].records()}  # type: ignore[misc]


def _legacy_key(pair: str, layer: int) -> str:
    back = {v: k for k, v in NAMES.items()}
    x, y = pair.split(" vs ")
    return f"{back[x]}__{back[y]}__layer{layer}"


# ----------------------------------------------------------------------------- exact values


def test_every_cell_is_carried_over_exactly(merged: tuple[ResultFile, dict[str, Path]]) -> None:
    result, _ = merged
    raw = _raw("218")
    cells = _records(result, "cells")
    assert len(cells) == 420
    for (pair, layer), row in cells.items():
        key = _legacy_key(pair, layer)
        cell = raw["cross_method_metrics"][key]
        for column, (group, name) in CELL_FIELDS.items():
            assert row[column] == cell[group][name], (key, column)
        assert row["verdict"] == raw["partition"][key]
        assert row["category"] == cell["category"]
        assert row["spread_spearman"] is None and row["mantel_p"] is None


def test_spot_checked_cells_against_the_raw_json(
    merged: tuple[ResultFile, dict[str, Path]],
) -> None:
    result, _ = merged
    cells = _records(result, "cells")
    old = _records(result, "superseded_cells")
    # Values read off the raw files by eye (the #218 value wins, #201's is kept).
    assert cells[("A vs B", 0)]["cos_min"] == 0.704429566860199
    assert cells[("A vs B", 0)]["mc_r"] == 0.48899033665657043
    assert cells[("A vs B", 7)]["cos_min"] == 0.5327509045600891
    assert cells[("A vs B", 7)]["mc_r"] == 0.5315419435501099
    assert old[("A vs B", 7)]["mc_r"] == 0.5315883159637451
    assert cells[("A vs B", 7)]["raw_pearson"] == 0.20000965893268585
    assert old[("A vs B", 7)]["raw_pearson"] == 0.2000107616186142
    assert cells[("A vs B", 7)]["raw_spearman"] == 0.30965860381525767
    assert cells[("A vs B*", 0)]["cos_mean"] == 0.7610517144203186
    assert cells[("A vs B*", 0)]["raw_spearman"] == 0.5428386641929175
    assert cells[("A vs C3", 0)]["cos_min"] == 0.8976481556892395
    assert cells[("A vs C3", 0)]["mc_r"] == 0.848196268081665
    assert cells[("A vs C3", 0)]["verdict"] == "GREY"
    assert old[("A vs B", 27)]["cos_mean"] == 0.0673203244805336
    assert cells[("A vs B", 27)]["cos_mean"] == 0.06732314825057983
    noise = {(r["recipe"], r["layer"]): r for r in result.tables["noise_floor"].records()}
    assert noise[("A", 7)]["cos_min"] == 0.9995949864387512
    assert noise[("A", 7)]["mc_r"] == 0.999334990978241
    sens = _records(result, "bstar_no_last_sensitivity")
    assert sens[("A vs B*_no_last", 0)]["cos_min"] == 0.717495858669281
    assert sens[("A vs B*_no_last", 0)]["mc_r"] == 0.7802173495292664
    assert sens[("A vs B*_no_last", 0)]["delta_cos_min"] == 0.717495858669281 - 0.7315376996994019


def test_derived_metrics(merged: tuple[ResultFile, dict[str, Path]]) -> None:
    result, _ = merged
    m = result.metrics
    raw = _raw("218")["cross_method_metrics"]
    all_cos_min = [c["per_persona"]["min"] for c in raw.values()]
    all_mc_r = [c["matrix_mc"]["pearson_r"] for c in raw.values()]
    assert resolve(m, "ranges.cos_min.min") == min(all_cos_min) == -0.10222776234149933
    assert resolve(m, "ranges.cos_min.max") == max(all_cos_min) == 0.9304399490356445
    assert resolve(m, "ranges.mc_r.max") == max(all_mc_r)
    assert (m["n_personas"], m["n_questions"], m["n_matrix_pairs"]) == (275, 240, 37675)
    assert (m["n_layers"], m["n_pairs"], m["n_cells"]) == (28, 15, 420)
    ab = [raw[f"a__b__layer{layer}"] for layer in range(28)]
    best = max(range(28), key=lambda layer: ab[layer]["matrix_mc"]["pearson_r"])
    assert resolve(m, "pairs.A__B.best_layer_mc_r") == best == 24
    assert resolve(m, "pairs.A__B.mc_r.max") == ab[24]["matrix_mc"]["pearson_r"]
    assert resolve(m, "pairs.A__B.by_layer.layer_0.mc_r") == ab[0]["matrix_mc"]["pearson_r"]
    assert resolve(m, "pairs.A__B.by_layer.layer_27.cos_min") == ab[27]["per_persona"]["min"]
    assert resolve(m, "pairs.A__Bstar.cos_min.max") == max(
        raw[f"a__bstar__layer{layer}"]["per_persona"]["min"] for layer in range(28)
    )
    assert result.tables["verdict_by_pair"].records()[0] == {
        "pair": "A vs B",
        "category": "load-bearing",
        "PASS": 0,
        "GREY": 0,
        "KILL": 28,
    }
    assert result.verdict == "KILL"
    assert m["legacy_verdict_check"] == {
        "kill_any_load_bearing": True,
        "success_all_load_bearing": False,
        "sanity_all_pass": False,
        "agrees": True,
    }
    assert resolve(m, "ranges.spread_spearman") == {"min": None, "max": None}
    assert "per_question_persona_spread" in result.nulls["metrics.ranges.spread_spearman.min"]
    assert resolve(m, "legacy_verdict.kill_any_load_bearing") is True
    assert resolve(m, "legacy_verdict.source") == "issue_218_run_result"


# ----------------------------------------------------------------------------- verdicts


def test_verdict_counts_201_alone(legacy: dict[str, Path], tmp_path: Path) -> None:
    result = _import([legacy["201"]], tmp_path)
    assert result.metrics["verdict_counts"] == {"PASS": 0, "GREY": 0, "KILL": 60}
    assert result.metrics["verdict_check"] == {
        "n_checked": 60,
        "n_agree": 60,
        "n_disagree": 0,
        "n_unverifiable": 0,
    }
    assert result.tables["verdict_counts"].rows == [["PASS", 0], ["GREY", 0], ["KILL", 60]]


def test_verdict_counts_218_and_merged(legacy: dict[str, Path], tmp_path: Path) -> None:
    for paths in ([legacy["218"]], [legacy["201"], legacy["218"]]):
        result = _import(paths, tmp_path)
        assert result.metrics["verdict_counts"] == {"PASS": 0, "GREY": 1, "KILL": 419}
        assert resolve(result.metrics, "verdict_check.n_disagree") == 0
        assert result.tables["verdict_disagreements"].rows == []
    assert resolve(result.metrics, "sources.issue_201_run_result.verdict_counts.KILL") == 60
    assert resolve(result.metrics, "sources.issue_218_run_result.verdict_summary_agrees") is True


def test_a_stored_verdict_that_contradicts_the_thresholds_is_reported(tmp_path: Path) -> None:
    doc = _raw("201")
    doc["partition"]["a__b__layer7"] = "PASS"
    path = _write(tmp_path / "issue_201_run_result.json", json.dumps(doc))
    result = _import([path], tmp_path)
    assert result.tables["verdict_disagreements"].rows == [
        ["issue_201_run_result", "A vs B", 7, "PASS", "KILL"]
    ]
    assert resolve(result.metrics, "verdict_check.n_disagree") == 1


# ----------------------------------------------------------------------------- merging


def test_merge_keeps_superseded_values_and_lists_every_difference(
    merged: tuple[ResultFile, dict[str, Path]],
) -> None:
    result, _ = merged
    old, new = _raw("201")["cross_method_metrics"], _raw("218")["cross_method_metrics"]
    expected = []
    for key, cell in old.items():
        for column, (group, name) in CELL_FIELDS.items():
            a, b = new[key][group][name], cell[group][name]
            if a != b:
                expected.append((key, column, a, b, abs(a - b)))
    superseded = _records(result, "superseded_cells")
    assert len(superseded) == 60
    for (pair, layer), row in superseded.items():
        cell = old[_legacy_key(pair, layer)]
        assert row["mc_r"] == cell["matrix_mc"]["pearson_r"]
        assert (row["source"], row["superseded_by"]) == (
            "issue_201_run_result",
            "issue_218_run_result",
        )
    found = [
        (_legacy_key(r["key"], r["layer"]), r["column"], r["kept"], r["superseded"], r["abs_diff"])
        for r in result.tables["source_disagreements"].records()
        if r["table"] == "cells"
    ]
    assert sorted(found) == sorted(expected)
    merge = result.metrics["merge"]
    assert isinstance(merge, dict)
    assert merge["n_superseded_cells"] == 60
    assert merge["max_abs_diff"] == max(
        d[4] for d in [*expected, *_sensitivity_differences(old, new)]
    )
    assert 1e-6 < merge["max_abs_diff"] < 1e-4  # they differ in the 5th-6th decimal only
    assert merge["n_verdict_changes"] == 0
    assert resolve(result.metrics, "sources.issue_201_run_result.layers") == [7, 14, 21, 27]


def _sensitivity_differences(old: dict[str, Any], new: dict[str, Any]) -> list[tuple]:
    out = []
    for key, cell in old.items():
        if "bstar_no_last_sensitivity" not in cell:
            continue
        a, b = cell["bstar_no_last_sensitivity"], new[key]["bstar_no_last_sensitivity"]
        for group, name in [("per_persona", s) for s in ("min", "p5", "mean", "max")] + [
            ("matrix_mc", "pearson_r")
        ]:
            if a[group][name] != b[group][name]:
                out.append(
                    (
                        key,
                        name,
                        b[group][name],
                        a[group][name],
                        abs(a[group][name] - b[group][name]),
                    )
                )
    return out


def test_files_of_different_sweeps_do_not_merge(legacy: dict[str, Path], tmp_path: Path) -> None:
    doc = _raw("201")
    doc["n_roles"] = 20
    other = _write(tmp_path / "other.json", json.dumps(doc))
    with pytest.raises(InputFileError, match=r"other\.json: n_personas is 20 .* only files of one"):
        _import([legacy["218"], other], tmp_path)


# ----------------------------------------------------------------------------- provenance


def test_provenance_and_nulls(merged: tuple[ResultFile, dict[str, Path]]) -> None:
    result, legacy = merged
    prov = result.provenance
    assert prov.analysis.name == "import:legacy-recipe-sweep"
    assert prov.analysis.params["thresholds"] == {
        "pass_cos_min": 0.95,
        "pass_mc_r": 0.90,
        "kill_cos_min": 0.85,
        "kill_mc_r": 0.70,
    }
    assert prov.analysis.params["files"] == [
        "inputs/issue_201_run_result.json",
        "inputs/issue_218_run_result.json",
    ]
    assert [(f.path, f.sha256, f.bytes) for f in prov.inputs] == [
        (f"inputs/{p.name}", sha256_file(p), p.stat().st_size)
        for p in (legacy["201"], legacy["218"])
    ]
    assert prov.imported_from is not None
    assert prov.imported_from.path == "inputs/issue_218_run_result.json"
    assert prov.imported_from.commit == "22eafc2"
    assert prov.imported_from.note.startswith("imported from inputs/issue_201_run_result.json")
    assert "per-persona vectors were not kept" in result.nulls["tables.per_persona_cos"]
    assert "per_persona_cos" not in result.tables
    for i in range(420):
        assert result.nulls[f"tables.cells.rows[{i}][12]"] == (
            "inputs/issue_218_run_result.json stores null at per_question_persona_spread.spearman_r"
        )
        assert "no Mantel" in result.nulls[f"tables.cells.rows[{i}][13]"]
    flat = dict(flatten(result.model_dump(mode="json")))
    missing = {p for p, v in flat.items() if v is None and p.startswith(("metrics", "tables"))}
    assert missing <= set(result.nulls)


# ----------------------------------------------------------------------------- quirks, errors


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _quirky_201(tmp_path: Path) -> Path:
    text = (REF / "issue_201_run_result.json").read_text()
    doc = json.loads(text)
    doc["cross_method_metrics"]["a__b__layer14"]["matrix_mc"]["pearson_r"] = "@NAN@"
    doc["cross_method_metrics"]["a__b__layer21"]["per_persona"]["min"] = "0.25"
    doc["verdict"]["kill_any_load_bearing"] = "True"
    doc["verdict"]["sanity_all_pass"] = "false"
    text = json.dumps(doc, indent=1).replace('"@NAN@"', "NaN")
    return _write(tmp_path / "quirky" / "issue_201_run_result.json", text)


def test_quirks_are_tolerated_with_warnings(tmp_path: Path) -> None:
    path = _quirky_201(tmp_path)
    outcome = import_legacy([path], issue=201, title="t", root=tmp_path)
    f = "quirky/issue_201_run_result.json"
    assert outcome.warnings == [
        f"{f}: cross_method_metrics.a__b__layer14.matrix_mc.pearson_r: bare NaN read as null",
        f"{f}: cross_method_metrics.a__b__layer21.per_persona.min: number stored as the "
        "string '0.25'",
        f"{f}: verdict.kill_any_load_bearing: boolean stored as the string 'True'",
        f"{f}: verdict.sanity_all_pass: boolean stored as the string 'false'",
    ]
    result = outcome.result
    cells = _records(result, "cells")
    assert cells[("A vs B", 14)]["mc_r"] is None
    assert cells[("A vs B", 21)]["cos_min"] == 0.25
    row = [(r[0], r[4]) for r in result.tables["cells"].rows].index(("A vs B", 14))
    column = result.tables["cells"].columns.index("mc_r")
    where = f"tables.cells.rows[{row}][{column}]"
    assert resolve(result.model_dump(mode="json"), where) is None
    assert result.nulls[where] == (
        f"{f} stores a bare NaN at cross_method_metrics.a__b__layer14.matrix_mc.pearson_r"
    )
    # Without mc_r the stored verdict of that cell cannot be checked.
    assert resolve(result.metrics, "verdict_check") == {
        "n_checked": 59,
        "n_agree": 59,
        "n_disagree": 0,
        "n_unverifiable": 1,
    }
    assert resolve(result.metrics, "legacy_verdict.kill_any_load_bearing") is True
    assert resolve(result.metrics, "legacy_verdict.sanity_all_pass") is False
    assert result.provenance.imported_from is not None
    assert "quirks tolerated: " + outcome.warnings[0] in result.provenance.imported_from.note


def test_quirk_warnings_reach_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _quirky_201(tmp_path)
    out = tmp_path / "result.json"
    code = main(["import", str(path), "--issue", "201", "--title", "t", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0
    assert captured.err.count("atlas import: warning: ") == 4
    assert "bare NaN read as null" in captured.err
    assert f"wrote {out}: 60 cells from 1 file(s) (0 PASS, 0 GREY, 60 KILL)" in captured.out
    assert load_result(out).metrics["n_cells"] == 60


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d["cross_method_metrics"]["a__b__layer14"].pop("matrix_mc"),
            "missing required key cross_method_metrics.a__b__layer14.matrix_mc",
        ),
        (
            lambda d: d["cross_method_metrics"]["c1__c3__layer27"]["per_persona"].pop("p5"),
            "missing required key cross_method_metrics.c1__c3__layer27.per_persona.p5",
        ),
        (lambda d: d.pop("partition"), "missing required key partition"),
        (
            lambda d: d["partition"].pop("a__c2__layer21"),
            "missing required key partition.a__c2__layer21",
        ),
        (lambda d: d.pop("n_roles"), "missing required key n_roles"),
        (
            lambda d: d["cross_method_metrics"]["a__b__layer7"].update(pair=["a", "z"]),
            r"unknown recipe 'z' at cross_method_metrics.a__b__layer7.pair\[1\]",
        ),
        (
            lambda d: d["cross_method_metrics"]["a__b__layer7"].update(layer=8),
            "cross_method_metrics.a__b__layer7 holds pair a/b at layer 8",
        ),
        (
            lambda d: d["cross_method_metrics"]["a__b__layer7"]["matrix_mc"].update(pearson_r="hi"),
            "cross_method_metrics.a__b__layer7.matrix_mc.pearson_r must be a number, found str",
        ),
    ],
)
def test_bad_input_names_file_and_json_path(tmp_path: Path, mutate: Any, message: str) -> None:
    doc = _raw("201")
    mutate(doc)
    path = _write(tmp_path / "bad" / "issue_201_run_result.json", json.dumps(doc))
    with pytest.raises(InputFileError, match=f"^bad/issue_201_run_result.json: {message}"):
        _import([path], tmp_path)


def test_broken_json_names_line_and_column(tmp_path: Path) -> None:
    path = _write(tmp_path / "broken.json", '{\n  "experiment": "x",\n  "layers": [1,\n}')
    with pytest.raises(InputFileError, match=r"^broken\.json:4:1: invalid JSON"):
        _import([path], tmp_path)


# ----------------------------------------------------------------------------- writing


def test_failed_import_leaves_no_result(
    legacy: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = _raw("218")
    del doc["cross_method_metrics"]["b__c3__layer27"]["matrix_raw"]
    broken = _write(tmp_path / "inputs" / "issue_218_broken.json", json.dumps(doc))
    out = tmp_path / "results" / "result.json"
    argv = ["import", str(legacy["201"]), str(broken), "--issue", "201", "--title", "t"]
    assert main([*argv, "--out", str(out)]) == 2
    assert "missing required key cross_method_metrics.b__c3__layer27" in capsys.readouterr().err
    assert not out.exists()
    # An earlier result survives a failed re-import untouched.
    assert (
        main(["import", str(legacy["201"]), "--issue", "201", "--title", "t", "--out", str(out)])
        == 0
    )
    before = out.read_bytes()
    assert main([*argv, "--out", str(out)]) == 2
    assert out.read_bytes() == before


def test_failure_while_writing_leaves_no_partial_file(
    legacy: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outcome = import_legacy([legacy["201"]], issue=201, title="t", root=tmp_path)
    out = tmp_path / "out" / "result.json"

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        write_import(outcome, out)
    assert list(out.parent.iterdir()) == []


# ----------------------------------------------------------------------------- reproducibility


def test_import_is_byte_reproducible_and_verifiable(
    legacy: dict[str, Path], tmp_path: Path
) -> None:
    paths = [legacy["201"], legacy["218"]]
    first, second = tmp_path / "one.json", tmp_path / "two.json"
    write_import(import_legacy(paths, issue=201, title="t", root=tmp_path), first)
    write_import(import_legacy(paths, issue=201, title="t", root=tmp_path), second)
    a, b = json.loads(first.read_text()), json.loads(second.read_text())
    for name in ("created", "git"):
        b["provenance"][name] = a["provenance"][name]
    assert dumps_strict(b) == first.read_text()

    check = verify_import(first, root=tmp_path)
    assert (check.differences, check.byte_identical) == ([], True)
    # re-importing over an identical result leaves the file as it was
    text = first.read_text()
    assert not write_import(import_legacy(paths, issue=201, title="t", root=tmp_path), first)
    assert first.read_text() == text

    tampered = json.loads(first.read_text())
    tampered["tables"]["cells"]["rows"][3][11] = 0.5
    tampered["metrics"]["n_cells"] = 419
    first.write_text(json.dumps(tampered, indent=2, ensure_ascii=False) + "\n")
    check = verify_import(first, root=tmp_path)
    assert check.differences == [
        "metrics.n_cells: 419 → 420",
        f"tables.cells.rows[3][11]: 0.5 → {a['tables']['cells']['rows'][3][11]!r}",
    ]


def test_verify_fails_when_an_input_changes(
    legacy: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "result.json"
    write_import(import_legacy([legacy["201"]], issue=201, title="t", root=tmp_path), out)
    doc = _raw("201")
    doc["cross_method_metrics"]["a__b__layer7"]["per_persona"]["min"] = 0.5
    legacy["201"].write_text(json.dumps(doc))
    check = verify_import(out, root=tmp_path)
    assert any(d.startswith("provenance.inputs[0].sha256: ") for d in check.differences)
    assert "tables.cells.rows[0][5]: 0.5327509045600891 → 0.5" in check.differences


def test_committed_issue_201_result_is_a_fresh_import() -> None:
    """The committed result.json is exactly what the importer writes from the committed inputs."""
    check = verify_import(ROOT / "results" / "issue-201" / "result.json", root=ROOT)
    assert check.differences == []
    assert check.byte_identical


def test_docs_cover_every_option_of_the_verb() -> None:
    import argparse

    from persona_atlas.verbs import import_

    parser = argparse.ArgumentParser()
    import_.add_arguments(parser)
    docs = (ROOT / "docs" / "import.md").read_text()
    options = [s for a in parser._actions for s in a.option_strings if s.startswith("--")]
    assert options == ["--help", "--issue", "--title", "--out", "--force", "--verify", "--as"]
    for option in options[1:]:
        assert f"`{option}" in docs, option
    assert "import:legacy-recipe-sweep" in docs

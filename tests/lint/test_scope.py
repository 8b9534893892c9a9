"""Scoped matching: a typed number matches only the stored values its context refers to."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from persona_atlas.lint import NumberCheck, lint_file, lint_report
from persona_atlas.lint.engine import read_text
from persona_atlas.lint.lookup import (
    NAMES_NOTHING,
    NO_LAYER,
    OUT_OF_SCOPE,
)
from persona_atlas.lint.output import text_lines
from tests.lint.lintkit import REPO


def _cell(cos_min: float, mc_r: float) -> dict[str, float]:
    return {"cos_min": cos_min, "mc_r": mc_r}


DOC = {
    "metrics": {
        "n_personas": 275,
        "layers": [7, 14, 21],
        "thresholds": {"pass_cos_min": 0.95, "kill_cos_min": 0.85},
        "ranges": {"mc_r": {"min": 0.529, "max": 0.85}},
        "noise_floor": {"cos_min": {"min": 0.987, "max": 0.9996}},
        "pairs": {
            "A__B": {
                "by_layer": {
                    "layer_7": _cell(0.533, 0.529),
                    "layer_14": _cell(0.636, 0.750),
                    "layer_21": _cell(0.617, 0.85),
                }
            },
            "A__C2": {
                "by_layer": {
                    "layer_7": _cell(0.074, 0.607),
                    "layer_14": _cell(0.205, 0.772),
                    "layer_21": _cell(0.961, 0.924),
                }
            },
        },
    }
}


def numbers(
    tmp_path: Path, text: str, doc: object = DOC, name: str = "r.json"
) -> list[NumberCheck]:
    (tmp_path / name).write_text(json.dumps(doc))
    (tmp_path / "w.md").write_text(text + "\n")
    lint = lint_file(tmp_path / "w.md", [tmp_path / name])
    assert not lint.problems
    return [n for n in lint.numbers if n.status != "exempt"]


def only(tmp_path: Path, text: str, doc: object = DOC) -> NumberCheck:
    (n,) = [n for n in numbers(tmp_path, text, doc) if n.token not in ("7", "14", "21")]
    return n


def test_a_number_matches_the_value_of_the_pair_and_layer_it_names(tmp_path: Path) -> None:
    n = only(tmp_path, "A vs B at layer 7 has cos_min 0.533.")
    assert n.status == "matched"
    assert n.matches[0].path == "r:metrics.pairs.A__B.by_layer.layer_7.cos_min"
    # the same value, said of another pair or layer, is wrong
    other = only(tmp_path, "A vs C2 at layer 7 has cos_min 0.533.")
    assert other.status == "failed" and other.note == OUT_OF_SCOPE
    assert other.nearest[0].path == "r:metrics.pairs.A__C2.by_layer.layer_7.cos_min"
    assert only(tmp_path, "A vs B at layer 14 has cos_min 0.533.").status == "failed"


def test_a_value_of_one_pair_among_several_needs_the_pair_named(tmp_path: Path) -> None:
    assert only(tmp_path, "At layer 7, cos_min is 0.533.").status == "failed"
    single = {"metrics": {"pairs": {"A__B": DOC["metrics"]["pairs"]["A__B"]}}}  # type: ignore[index]
    assert only(tmp_path, "At layer 7, cos_min is 0.533.", single).status == "matched"


def test_a_context_that_names_nothing_matches_nothing(tmp_path: Path) -> None:
    n = only(tmp_path, "It took 275 tries.")
    assert n.status == "failed" and n.note == NAMES_NOTHING
    assert only(tmp_path, "We used 275 personas.").matches[0].path == "r:metrics.n_personas"


def test_the_nearest_candidates_of_a_failure_come_from_its_scope_first(tmp_path: Path) -> None:
    n = only(tmp_path, "A vs C2 at layer 21 has cos_min 0.95.")
    assert n.in_scope >= 1
    assert n.nearest[0].path == "r:metrics.pairs.A__C2.by_layer.layer_21.cos_min"
    (tmp_path / "w.md").write_text("A vs C2 at layer 21 has cos_min 0.95.\n")
    (line,) = text_lines(lint_file(tmp_path / "w.md", [tmp_path / "r.json"]))
    assert (
        "0.95  contradicted → in scope: r:metrics.pairs.A__C2.by_layer.layer_21.cos_min = 0.961"
        in line
    )


def test_verbose_shows_the_best_candidate(tmp_path: Path) -> None:
    n = only(tmp_path, "A cell is killed below the kill threshold of 0.85.")
    assert n.matches[0].path == "r:metrics.thresholds.kill_cos_min"
    (line,) = text_lines(lint_file(tmp_path / "w.md", [tmp_path / "r.json"]), verbose=True)
    assert "0.85  supported by r:metrics.thresholds.kill_cos_min = 0.85" in line


def test_layer_references_name_layers_the_result_has(tmp_path: Path) -> None:
    (ok,) = numbers(tmp_path, "at layer 14")
    assert ok.status == "matched" and ok.matches[0].path == "r:metrics.layers[1]"
    (bad,) = numbers(tmp_path, "at layer 15")
    assert bad.status == "failed" and bad.note == NO_LAYER
    listed = numbers(tmp_path, "at layers 7, 14 and 21, and layers 7-14")
    assert all(n.status == "matched" for n in listed)


def test_a_layer_list_stops_at_a_count(tmp_path: Path) -> None:
    doc = {"metrics": {"layers": [7, 14, 21], "pairs": {"A__B": {"layer_7": {"n_fail": 12}}}}}
    found = numbers(tmp_path, "For A vs B at layer 7, 12 personas fail.", doc)
    assert [(n.token, n.status, n.note) for n in found] == [
        ("7", "matched", ""),
        ("12", "matched", ""),  # a count, not a layer
    ]
    assert found[1].matches[0].path == "r:metrics.pairs.A__B.layer_7.n_fail"
    listed = numbers(tmp_path, "For A vs B, layers 7, 14 and 21 have 12 failures.", doc)
    assert [(n.token, n.matches[0].path if n.matches else n.note) for n in listed[:3]] == [
        ("7", "r:metrics.layers[0]"),
        ("14", "r:metrics.layers[1]"),
        ("21", "r:metrics.layers[2]"),
    ]


def test_a_layer_reference_is_scoped_to_the_issue_it_names(tmp_path: Path) -> None:
    (tmp_path / "issue_1_run_result.json").write_text(json.dumps({"layers": [7, 14]}))
    (tmp_path / "issue_2_run_result.json").write_text(json.dumps({"layers": [0, 1, 2, 3]}))
    files = [tmp_path / "issue_1_run_result.json", tmp_path / "issue_2_run_result.json"]
    (tmp_path / "w.md").write_text("#1 used layers 7 and 3; #2 used layers 0 to 3.\n")
    lint = lint_file(tmp_path / "w.md", files)
    status = [(n.token, n.status) for n in lint.numbers if n.status != "exempt"]
    assert status == [
        ("7", "matched"),
        ("3", "failed"),  # a layer of #2, not of #1
        ("0", "matched"),
        ("3", "matched"),
    ]


def test_a_semicolon_in_a_table_cell_separates_what_it_names(tmp_path: Path) -> None:
    (tmp_path / "issue_1_run_result.json").write_text(json.dumps({"layers": [7, 14, 21, 27]}))
    (tmp_path / "issue_2_run_result.json").write_text(json.dumps({"layers": list(range(28))}))
    files = [tmp_path / "issue_1_run_result.json", tmp_path / "issue_2_run_result.json"]
    table = "| setting | value |\n|---|---|\n| Layers | #1: [7, 14, 21, {}]; #2: all [0..27] |\n"
    (tmp_path / "w.md").write_text(table.format(27))
    assert all(n.status != "failed" for n in lint_file(tmp_path / "w.md", files).numbers)
    (tmp_path / "w.md").write_text(table.format(26))  # a layer of #2, not of #1
    failed = [n for n in lint_file(tmp_path / "w.md", files).numbers if n.status == "failed"]
    assert [(n.token, n.note) for n in failed] == [("26", NO_LAYER)]


def test_a_layer_next_to_a_bound_value_must_be_that_value_s_layer() -> None:
    report = REPO / "results" / "issue-201" / "report.md"
    text = read_text(report)
    assert "cos_min at layer 7 is {{" in text
    lint = lint_report(
        report, text=text.replace("cos_min at layer 7 is {{", "cos_min at layer 8 is {{")
    )
    (bad,) = [n for n in lint.numbers if n.status == "failed"]
    assert bad.token == "8" and "layer 7" in bad.note


@pytest.mark.parametrize(
    ("text", "status", "note"),
    [
        ("The noise floor has cos_min ≥ 0.99.", "failed", "the bound ≥ 0.99 fails"),  # 0.987
        ("The noise floor has cos_min ≥ 0.98.", "matched", ""),
        ("The noise floor cos_min is 0.98+.", "matched", ""),
        ("The noise floor has cos_min < 0.99.", "failed", "the bound < 0.99 fails"),  # 0.9996
        ("A cell passes if cos_min > 0.95.", "matched", ""),  # restates the threshold
        ("A cell passes if cos_min > 0.94.", "failed", "the bound > 0.94 fails"),  # A vs C2: 0.074
        ("The pass threshold is cos_min > 0.94.", "failed", "0.94 is not the threshold named here"),
        ("We used at least 200 personas.", "matched", ""),  # n_personas = 275
        ("We used at least 300 personas.", "failed", "the bound ≥ 300 fails"),
        ("It took at least 200 tries.", "failed", NAMES_NOTHING),
    ],
)
def test_a_bound_is_checked_as_a_bound(tmp_path: Path, text: str, status: str, note: str) -> None:
    n = only(tmp_path, text)
    assert (n.status, n.note) == (status, note), n


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        # one sentence, two layers: each number is checked against the layer nearest it
        ("For A vs B, cos_min is 0.533 at layer 7 and 0.636 at layer 14.", []),
        ("For A vs B, cos_min is 0.636 at layer 7 and 0.533 at layer 14.", ["0.636", "0.533"]),
        ("For A vs B, cos_min at layer 7 is 0.533 and at layer 14 is 0.636.", []),
        ("For A vs B, cos_min at layer 7 is 0.636 and at layer 14 is 0.533.", ["0.636", "0.533"]),
        # one sentence, two pairs: each number is checked against the pair nearest it
        ("At layer 7, A vs B has cos_min 0.533 and A vs C2 has 0.074.", []),
        ("At layer 7, A vs B has cos_min 0.074 and A vs C2 has 0.533.", ["0.074", "0.533"]),
        # a list of layers is one mention: a number next to it is one of their values
        ("For A vs B, at layers 7 and 14, cos_min is 0.533 and 0.636.", []),
        ("For A vs B, at layers 7 and 14, cos_min is 0.533 and 0.750.", ["0.750"]),
        ("For A vs B, at layers 7 and 14, cos_min is 0.636 and 0.533.", []),  # not in order
        ("For A vs B, cos_min is 0.533 (layer 7) and 0.636 (layer 14).", []),
        ("For A vs B, cos_min is 0.636 (layer 7) and 0.533 (layer 14).", ["0.636", "0.533"]),
    ],
)
def test_a_number_is_pinned_to_the_layer_or_pair_nearest_it(
    tmp_path: Path, text: str, flagged: list[str]
) -> None:
    found = numbers(tmp_path, text)
    assert [n.token for n in found if n.status == "failed"] == flagged, found


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("For A vs B, layers 7 and 14 have cos_min ≥ 0.5.", "matched"),
        ("For A vs B, layers 7 and 14 have cos_min ≥ 0.6.", "failed"),  # layer 7: 0.533
        ("At layer 7, A vs B and A vs C2 have cos_min ≥ 0.05.", "matched"),
        ("At layer 7, A vs C2 and A vs B have cos_min ≥ 0.5.", "failed"),  # A vs C2: 0.074
        ("At layer 7, A vs B and A vs C2 have cos_min ≥ 0.5.", "failed"),
        ("At layer 21, A vs B and A vs C2 have mc_r ≥ 0.85.", "matched"),
        # each bound is checked against every layer named (docs/lint.md: one sentence each)
        ("For A vs B, cos_min is ≥ 0.6 at layer 14 and ≥ 0.5 at layer 7.", "failed"),
    ],
)
def test_a_bound_holds_for_every_subject_it_names(tmp_path: Path, text: str, status: str) -> None:
    n, *_ = [n for n in numbers(tmp_path, text) if n.token not in ("7", "14", "21")]
    assert n.status == status, n
    if status == "failed":
        assert n.note == f"the bound ≥ {n.token} fails"


def test_a_table_cell_is_read_with_its_header_row_and_lead_in(tmp_path: Path) -> None:
    table = (
        "A vs B, layer by layer:\n\n"
        "| layer | cos_min | mc_r |\n|---|---|---|\n| 7 | 0.533 | 0.529 |\n| 14 | 0.636 | 0.750 |"
    )
    assert all(n.status == "matched" for n in numbers(tmp_path, table))
    swapped = numbers(tmp_path, table.replace("| 0.533 | 0.529 |", "| 0.529 | 0.533 |"))
    assert [n.token for n in swapped if n.status == "failed"] == ["0.529", "0.533"]
    wrong_pair = numbers(tmp_path, table.replace("A vs B", "A vs C2"))
    assert all(n.status == "failed" for n in wrong_pair if "." in n.token)


def test_legacy_names_read_as_the_metric_they_store(tmp_path: Path) -> None:
    legacy = {
        "cross_method_metrics": {
            f"a__b__layer{layer}": {"per_persona": {"min": lo}, "matrix_mc": {"pearson_r": r}}
            for layer, lo, r in [(7, 0.533, 0.529), (14, 0.636, 0.750)]
        }
    }
    ok = numbers(tmp_path, "For A vs B at layer 14, cos_min is 0.636 and mc_r is 0.750.", legacy)
    assert [n.matches[0].path.split(":")[1] for n in ok if n.token != "14"] == [
        "cross_method_metrics.a__b__layer14.per_persona.min",
        "cross_method_metrics.a__b__layer14.matrix_mc.pearson_r",
    ]

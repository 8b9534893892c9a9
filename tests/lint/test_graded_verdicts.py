"""Graded verdicts: ``supported``, ``contradicted`` (lint fails), ``unverified`` (fails only
under ``--strict``), ``exempt``; the group's JSON read as it is; statistics notation; ``~``;
percentage points; truncation; "from A to B" as a change; transposed tables."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from persona_atlas import cli
from persona_atlas.lint import lint_file
from persona_atlas.lint.engine import NumberCheck
from persona_atlas.lint.sources import distinct_names

CORRELATIONS = {
    "n_personas": 24,
    "headline": {
        "js_to_neutral": {
            "spearman_rho": -0.2244,
            "p_value": 0.1646,
            "ci_lo": -0.58,
            "ci_hi": 0.19,
        },
        "cos_to_assistant": {
            "spearman_rho": 0.0180,
            "p_value": 0.4855,
            "ci_lo": -0.41,
            "ci_hi": 0.43,
        },
    },
    "effect": {"base": 0.2598, "edited": 0.3828, "shiftPp": 0.123},
}


def verdicts(tmp_path: Path, text: str, doc: object = CORRELATIONS) -> dict[str, NumberCheck]:
    (tmp_path / "r.json").write_text(json.dumps(doc))
    (tmp_path / "w.md").write_text(text + "\n")
    lint = lint_file(tmp_path / "w.md", [tmp_path / "r.json"])
    assert not lint.problems, lint.problems
    return {n.token: n for n in lint.numbers}


def test_rho_and_p_are_read_as_the_stored_keys(tmp_path: Path) -> None:
    got = verdicts(tmp_path, "For JS to neutral, ρ = -0.224 (p = 0.16).")
    assert got["-0.224"].verdict == "supported"
    assert got["-0.224"].matches[0].path.endswith("js_to_neutral.spearman_rho")
    assert got["0.16"].verdict == "supported"
    assert got["0.16"].matches[0].path.endswith("js_to_neutral.p_value")


def test_a_wrong_number_for_the_quantity_named_is_contradicted(tmp_path: Path) -> None:
    got = verdicts(tmp_path, "For JS to neutral, ρ = -0.224 (p = 0.17).")
    assert got["0.17"].verdict == "contradicted"  # one step off the stored 0.1646
    assert got["0.17"].nearest[0].path.endswith("js_to_neutral.p_value")


def test_a_number_the_json_does_not_hold_is_unverified_with_its_reason(tmp_path: Path) -> None:
    got = verdicts(tmp_path, "We ran 5000 bootstrap resamples on one H100 for 7 minutes.")
    assert {got[t].verdict for t in ("5000", "7")} == {"unverified"}
    assert got["5000"].reason  # why: a count or setting the JSON does not hold
    other = verdicts(tmp_path, "Issue #142 found ρ = -0.75 for JS to neutral.")
    assert other["-0.75"].verdict == "unverified" and "#142" in other["-0.75"].reason


def test_only_contradicted_fails_unless_strict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "r.json").write_text(json.dumps(CORRELATIONS))
    md = tmp_path / "w.md"
    md.write_text("We ran 5000 bootstrap resamples. For JS to neutral, ρ = -0.224.\n")
    args = ["lint", str(md), "--against", str(tmp_path / "r.json")]
    assert cli.main(args) == 0
    assert "1 unverified" in capsys.readouterr().out
    assert cli.main([*args, "--strict"]) == 1
    assert "5000  unverified" in capsys.readouterr().out
    md.write_text("For JS to neutral, the headline Spearman ρ is -0.300.\n")
    assert cli.main(args) == 1
    out = capsys.readouterr().out
    assert "-0.300  contradicted" in out and "1 contradicted" in out


def test_approximate_numbers_have_a_looser_tolerance(tmp_path: Path) -> None:
    got = verdicts(tmp_path, "The base rate is ~26% and the edited rate about 0.40.")
    assert got["26%"].verdict == "supported"  # rounds anyway
    assert got["0.40"].verdict == "supported"  # 0.3828: within 5 % of it
    exact = verdicts(tmp_path, "The edited rate is 0.40.")
    assert exact["0.40"].verdict != "supported"  # without "about", 0.3828 rounds to 0.38


def test_percentage_points_and_percent_against_fractions(tmp_path: Path) -> None:
    got = verdicts(tmp_path, "The effect shift is +12.3 pp, from a base of 26.0%.")
    assert got["+12.3"].verdict == "supported"
    assert got["+12.3"].matches[0].path.endswith("effect.shiftPp")  # camelCase key read
    assert got["26.0%"].verdict == "supported"


def test_truncation_is_supported_and_said(tmp_path: Path) -> None:
    got = verdicts(tmp_path, "The effect shift is 0.12 for JS.", {"effect": {"shift": 0.1299}})
    assert got["0.12"].verdict == "supported" and "truncated" in got["0.12"].note


def test_from_a_to_b_is_a_change_not_a_range(tmp_path: Path) -> None:
    doc = {"rate": {"base": 0.2598, "edited": 0.3828, "control": 0.01, "other": 0.9}}
    got = verdicts(tmp_path, "The rate rises from 26% (base) to 38% (edited).", doc)
    assert got["26%"].verdict == got["38%"].verdict == "supported"
    ranged = verdicts(tmp_path, "The rate ranges from 26% to 38%.", doc)
    assert ranged["26%"].verdict != "supported"  # a range claim: the stored one is 1 … 90%


def test_a_transposed_table_reads_its_rows_as_the_quantities(tmp_path: Path) -> None:
    text = (
        "Headline correlations:\n\n"
        "| statistic | JS to neutral | cos to assistant |\n|---|---|---|\n"
        "| ρ | -0.224 | +0.018 |\n| p | 0.16 | 0.49 |\n| CI lo | -0.58 | -0.41 |\n"
    )
    got = verdicts(tmp_path, text)
    for token in ("-0.224", "+0.018", "0.16", "0.49", "-0.58", "-0.41"):
        assert got[token].verdict == "supported", token
    wrong = verdicts(tmp_path, text.replace("| 0.16 |", "| 0.17 |"))
    assert wrong["0.17"].verdict == "contradicted"


def test_a_folder_of_the_groups_json_is_read_with_warnings(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "part_a").mkdir(parents=True)
    (data / "combined").mkdir()
    (data / "part_a" / "correlations.json").write_text('{"rho": -0.53, "p": 0.017}')
    (data / "combined" / "correlations.json").write_text('{"rho": NaN, "ok": "True"}')
    (tmp_path / "w.md").write_text("Part A: ρ = -0.53 (p = 0.017).\n")
    lint = lint_file(tmp_path / "w.md", [data])
    assert not lint.problems
    assert [n.verdict for n in lint.numbers] == ["supported", "supported"]
    assert lint.numbers[0].matches[0].path.startswith("part_a/correlations:")
    assert any("bare NaN read as null" in w for w in lint.warnings)
    assert any("boolean stored as the string 'True'" in w for w in lint.warnings)
    empty = tmp_path / "empty"
    empty.mkdir()
    bad = lint_file(tmp_path / "w.md", [empty])
    assert bad.problems and "no *.json file under this folder" in bad.problems[0].message


def test_distinct_names_use_as_many_folders_as_it_takes() -> None:
    paths = [Path("d/a/x.json"), Path("d/b/x.json"), Path("d/y.json"), Path("d/c/a/z.json")]
    assert distinct_names(paths) == ["a/x", "b/x", "y", "z"]


@pytest.mark.parametrize(
    ("text", "stored", "verdict"),
    [
        ("The false positive rate is no more than 0.05.", 0.07, "contradicted"),
        ("The false positive rate is no more than 0.05.", 0.03, "supported"),
        ("The false positive rate is not below 0.05.", 0.07, "supported"),
        ("The false positive rate is less than 0.05.", 0.001, "supported"),  # not "another scale"
        ("The false positive rate is above 0.05.", 0.004, "contradicted"),
    ],
)
def test_bound_words_and_their_negation(
    tmp_path: Path, text: str, stored: float, verdict: str
) -> None:
    got = verdicts(tmp_path, text, {"false_positive_rate": stored})
    assert got["0.05"].verdict == verdict


def test_an_approximate_count_is_still_a_count(tmp_path: Path) -> None:
    doc = {"tables": {"cells": {"columns": ["cell", "verdict"],
                                "rows": [[f"c{i}", "KILL" if i < 57 else "PASS"] for i in range(60)]}}}  # fmt: skip
    (tmp_path / "r.json").write_text(json.dumps(doc))
    (tmp_path / "w.md").write_text("About 57 of 60 cells are KILL.\n")
    lint = lint_file(tmp_path / "w.md", [tmp_path / "r.json"])
    assert not lint.problems and {n.token: n.verdict for n in lint.numbers}["57"] == "supported"


def test_a_change_verb_before_ranges_from_keeps_the_range(tmp_path: Path) -> None:
    got = verdicts(
        tmp_path,
        "The score drop ranges from 0.10 to 0.25 across personas.",
        {"drop": [0.1, 0.25, 0.3]},
    )
    assert got["0.10"].verdict != "supported"  # the stored range is 0.10 … 0.30


def test_a_layer_against_json_without_layers_is_unverified(tmp_path: Path) -> None:
    got = verdicts(tmp_path, "At layer 12 the accuracy is 0.90.", {"accuracy": 0.9})
    assert got["12"].verdict == "unverified" and got["0.90"].verdict == "supported"


def test_verdicts_do_not_depend_on_what_was_linted_before(tmp_path: Path) -> None:
    first = verdicts(tmp_path, "Pushback is 0.50.", {"pushback": 0.3})["0.50"].verdict
    verdicts(tmp_path, "Pushback is 0.30.", {"logical_and_pushes_back": 0.3})
    assert verdicts(tmp_path, "Pushback is 0.50.", {"pushback": 0.3})["0.50"].verdict == first


def test_a_level_is_only_the_level_of_an_interval(tmp_path: Path) -> None:
    got = verdicts(
        tmp_path,
        "It answers with 87% confidence; the 95% confidence interval is wide.",
        {"mean_confidence": 0.5},
    )
    assert got["87%"].verdict != "exempt" and got["95%"].rule == "level"


def test_truncation_keeps_the_sign(tmp_path: Path) -> None:
    got = verdicts(tmp_path, "The rho is 0.0 for JS.", {"rho": -0.09})
    assert got["0.0"].verdict != "supported"


def test_same_named_files_and_huge_integers(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "x.json").write_text('{"alpha_score": 0.25}')
    (data / "x.JSON").write_text('{"beta_score": 0.50, "big": 1' + "0" * 400 + "}")
    (tmp_path / "w.md").write_text("The beta score is 0.50 and the alpha score 0.25.\n")
    lint = lint_file(tmp_path / "w.md", [data, data / "x.json"])
    assert not lint.problems, lint.problems
    assert [n.verdict for n in lint.numbers] == ["supported", "supported"]
    assert any("read as null" in w for w in lint.warnings)  # the 401-digit integer

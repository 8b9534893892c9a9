"""When two computations are the same result: the per-value rules of ``sameness``."""

from __future__ import annotations

from pathlib import Path

import pytest

from persona_atlas.analysis.result_writer import write_result
from persona_atlas.analysis.sameness import ATOL, RTOL, differences, same_value
from persona_atlas.cli import main
from persona_atlas.schema import load_result, save

ROOT = Path(__file__).resolve().parents[2]

CELL = "tables.cells.rows[0][11]"


@pytest.mark.parametrize(
    ("path", "a", "b", "same"),
    [
        # floats: relative RTOL, absolute ATOL near zero
        (CELL, 0.4823686090174091, 0.4823686090173367, True),  # two BLAS kernels, 1.5e-13
        (CELL, 0.06469834357214393, 0.06469612859888038, False),  # float32 Gram: 3e-5
        (CELL, 0.5, 0.5 * (1 + 0.5 * RTOL), True),
        (CELL, 0.5, 0.5 * (1 + 3 * RTOL), False),
        (CELL, 1e-15, -2e-15, True),  # a correlation that is 0 up to rounding
        (CELL, 0.0, 5 * ATOL, False),
        ("metrics.stored_check.max_abs_diff", 4.4e-16, 3.3e-16, True),
        # a permutation p-value: one more permuted statistic at least as large
        ("tables.cells.rows[0][14]", 1 / 1001, 2 / 1001, False),
        # exact types: verdicts, names, counts, layers, flags, nulls
        ("tables.cells.rows[0][15]", "GREY", "PASS", False),
        ("verdict", "KILL", "KILL", True),
        ("metrics.verdict_counts.PASS", 3, 4, False),
        ("metrics.pairs.A__B.best_layer_mc_r", 14, 14, True),
        ("metrics.stored_check.agrees", True, 1, False),
        ("metrics.n_questions", None, 0, False),
        ("metrics.x", 2, 2.0, True),  # an integral float written either way
        # rounded to 6 decimals: one step, where the float64 value sits on a boundary
        ("metrics.cosine_matrices.A.layer_9.matrix[0][1]", 0.123456, 0.123457, True),
        ("metrics.cosine_matrices.A.layer_9.matrix[0][1]", 0.123456, 0.123458, False),
        ("tables.rsa_pairs.rows[3][2]", 0.5, 0.500001, True),
        ("tables.rsa_pairs.rows[3][2]", 0.5, 0.500002, False),
        (CELL, 0.5, 0.500001, False),  # not a rounded path: the float rule
        # a rounded path holding unrounded values (#200's input matrices): the float rule
        ("metrics.cosine_matrices.A.layer_10.matrix[0][1]", 0.9035019449699327, 0.90350194, False),
    ],
)
def test_one_rule_per_value(path: str, a: object, b: object, same: bool) -> None:
    assert same_value(path, a, b) is same


def test_rtol_zero_is_bit_for_bit() -> None:
    assert not same_value(CELL, 0.4823686090174091, 0.4823686090173367, rtol=0.0)
    assert not same_value("tables.rsa_pairs.rows[3][2]", 0.5, 0.500001, rtol=0.0)
    assert same_value(CELL, 0.25, 0.25, rtol=0.0)


def test_a_verdict_flip_at_a_threshold_is_a_difference() -> None:
    # mc_r moved by 1e-16 across a threshold: the float is the same, the verdict is not
    old = load_result(ROOT / "results" / "issue-200" / "result.json")
    new = old.model_copy(deep=True)
    cells = new.tables["cells"]
    mc_r, verdict = cells.columns.index("mc_r"), cells.columns.index("verdict")
    row = cells.rows[0]
    assert isinstance(row[mc_r], float)
    row[mc_r] = row[mc_r] + 1e-16
    assert differences(old, new) == []
    flipped = "PASS" if row[verdict] != "PASS" else "GREY"
    was, row[verdict] = row[verdict], flipped
    assert differences(old, new) == [f"tables.cells.rows[0][{verdict}]: {was!r} → {flipped!r}"]


def test_rtol_flag_is_a_tolerance(capsys: pytest.CaptureFixture[str]) -> None:
    for bad in ("-1", "1", "nan", "x"):
        with pytest.raises(SystemExit):
            main(["analyze", "--verify", "--rtol", bad])
        assert "--rtol" in capsys.readouterr().err


def test_a_rerun_on_another_cpu_leaves_the_file_alone(tmp_path: Path) -> None:
    # the file holds what another BLAS kernel computed: floats 1e-13 away, the same result
    result = load_result(ROOT / "results" / "issue-200" / "result.json")
    elsewhere = result.model_copy(deep=True)
    cells = elsewhere.tables["cells"]
    mc_r = cells.columns.index("mc_r")
    value = cells.rows[0][mc_r]
    assert isinstance(value, float)
    cells.rows[0][mc_r] = value * (1 + 1e-13)
    path = tmp_path / "result.json"
    save(path, elsewhere)
    before = path.read_bytes()
    assert write_result(path, result) is False
    assert path.read_bytes() == before


def test_best_layer_of_values_tied_up_to_rounding_is_the_lowest() -> None:
    # mc_r clipped to 1.0 at two layers and 2e-16 below it at a third: which is "highest"
    # depends on rounding, so the rule picks the lowest of them, on every kernel
    from persona_atlas.analysis.persona_geometry import best_layer
    from persona_atlas.analysis.verdicts import cells_connection, pair_summaries, verdict
    from persona_atlas.config import PairConfig, Thresholds

    values = {4: 0.5, 9: 1.0 - 2e-16, 14: 1.0, 19: 1.0, 24: 0.99}
    cells = []
    for layer, mc_r in values.items():
        v = verdict(0.97, mc_r, Thresholds())
        cells.append({"pair": "A vs B", "x": "A", "y": "B", "category": "load-bearing",
                      "layer": layer, "cos_min": 0.97, "cos_p5": None, "cos_mean": None,
                      "cos_max": None, "raw_pearson": None, "raw_spearman": None,
                      "mc_r": mc_r, "spread_spearman": None, "mantel_p": None,
                      "verdict": v})  # fmt: skip
    con = cells_connection([list(c.values()) for c in cells])
    summary = pair_summaries(con)["A__B"]
    assert (summary["best_layer_mc_r"], summary["best_layer_cos_min"]) == (9, 4)
    assert best_layer(cells, PairConfig(x="A", y="B")) == 9

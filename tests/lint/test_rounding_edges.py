"""Stored values exactly on a rounding edge: both roundings of a decimal tie are supported.

A stored 0.125 is written "0.13" (half-up, most authors) or "0.12" (half-even, Python's
``f"{0.125:.2f}"``, numpy); the linter accepts both, at every level that decides it —
`Claim.accepts`, the bisection of `ValueIndex`, the linear scan `naive_matches` and the
prose verdict. A tie is a tie in decimal, as the JSON stores it: 0.135 is the float
0.13500000000000000888, a hair above the tie, and "0.13" is still supported. One unit of the
next digit past the tie is not. Bounds (``≥ 0.13``) compare the stored value exactly.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from persona_atlas.lint.engine import ReportLint, check_numbers
from persona_atlas.lint.lookup import Lookup
from persona_atlas.lint.matching import ValueIndex, naive_matches
from persona_atlas.lint.numbers import Claim, find_tokens, parse_claim
from persona_atlas.lint.prose import mask


def claim(text: str) -> Claim:
    (tok,) = find_tokens(" " + text + " ")
    return parse_claim(tok)


def supported_everywhere(text: str, stored: float, *, percent_key: bool = False) -> bool:
    """Whether ``text`` is supported by ``stored`` — asserting that the claim, the index and
    the linear scan agree on it."""
    c = claim(text)
    path = "pass_pct" if percent_key else "v"
    leaves = [(path, stored)]
    pct = {path} if percent_key else set()
    by_claim = c.accepts(stored, percent_key=percent_key)
    by_index = ValueIndex(leaves, pct).candidate_ids(c) != []
    by_scan = naive_matches(leaves, c, pct) != []
    assert by_claim == by_index == by_scan, (text, stored, by_claim, by_index, by_scan)
    return by_claim


TIES = [
    # (stored, half-up, half-even/half-down), plain decimals
    (0.125, "0.13", "0.12"),
    (0.625, "0.63", "0.62"),
    (0.05, "0.1", "0.0"),
    (2.5, "3e0", "2e0"),
    (0.0005, "0.001", "0.000"),
    (0.135, "0.14", "0.13"),  # float just above the tie
    (0.145, "0.15", "0.14"),  # float just below the tie (0.14499999999999999001)
    (1.005, "1.01", "1.00"),  # float just below the tie (1.00499999999999989342)
    (2.675, "2.68", "2.67"),  # the classic round(2.675, 2) == 2.67
    # negative: half-up rounds away from zero
    (-0.125, "−0.13", "−0.12"),
    (-0.125, "-0.13", "-0.12"),
    (-0.135, "-0.14", "-0.13"),
    (-2.5, "-3e0", "-2e0"),
    # large magnitudes and exponents
    (1.25e9, "1.3B", "1.2B"),
    (12_350.0, "12.4K", "12.3K"),
    (2.5e6, "3M", "2M"),
    (1.25e20, "1.3e20", "1.2e20"),
    (1.25e-7, "1.3e-7", "1.2e-7"),
    (1.25e-7, "1.3 × 10⁻⁷", "1.2 × 10⁻⁷"),
    (37_675.05, "37,675.1", "37,675.0"),
    (123_456_789_012.45, "123456789012.5", "123456789012.4"),
    # many significant digits: the float error of the interval's ends exceeds 10⁻⁹ of the
    # half-unit, so the slack also allows a few ulps of the value
    (3_542_439.45, "3542439.5", "3542439.4"),
    (6_850_763.65, "6,850,763.7", "6,850,763.6"),
    (12_345_678_901.235, "12345678901.24", "12345678901.23"),
]


@pytest.mark.parametrize(("stored", "up", "down"), TIES)
def test_both_roundings_of_a_tie_are_supported(stored: float, up: str, down: str) -> None:
    assert supported_everywhere(up, stored)
    assert supported_everywhere(down, stored)


@pytest.mark.parametrize(("stored", "up", "down"), TIES)
def test_one_unit_past_the_tie_is_not(stored: float, up: str, down: str) -> None:
    """Past the tie by a tenth of the written precision, only one rounding holds."""
    step = claim(up).half_width / 5  # one unit of the next digit (in stored units)
    if claim(up).percent:
        step /= 100
    away = stored + step if stored > 0 else stored - step
    toward = stored - step if stored > 0 else stored + step
    assert supported_everywhere(up, away) and not supported_everywhere(down, away)
    assert supported_everywhere(down, toward) and not supported_everywhere(up, toward)


PERCENT_TIES = [
    (0.375, "38%", "37%"),
    (0.375, "37.5%", "37.5%"),
    (0.00125, "0.13%", "0.12%"),
    (0.015625, "1.6%", "1.5%"),  # 1.5625% at one decimal: not a tie, but 1.6 is right
    (-0.375, "−38%", "−37%"),
    (0.29465, "29.47%", "29.46%"),
]


@pytest.mark.parametrize(("stored", "up", "down"), PERCENT_TIES)
def test_percent_of_a_fraction_on_the_tie(stored: float, up: str, down: str) -> None:
    assert supported_everywhere(up, stored)
    if stored != 0.015625:
        assert supported_everywhere(down, stored)
    else:
        assert not supported_everywhere(down, stored)


@pytest.mark.parametrize(
    ("stored", "up", "down"), [(37.5, "38%", "37%"), (12.25, "12.3%", "12.2%")]
)
def test_percent_stored_as_percent_on_the_tie(stored: float, up: str, down: str) -> None:
    assert supported_everywhere(up, stored, percent_key=True)
    assert supported_everywhere(down, stored, percent_key=True)


@pytest.mark.parametrize(
    ("stored", "text"),
    [(0.125, "±0.13"), (-0.125, "±0.13"), (-0.125, "± 0.12"), (0.125, "±0.12")],
)
def test_magnitude_claims_on_the_tie(stored: float, text: str) -> None:
    assert supported_everywhere(text, stored)


@pytest.mark.parametrize("stored", [0.125, 0.135, 0.145, -0.125, 1.25e9, 2.675])
@pytest.mark.parametrize("steps", [1, 2, 3])
def test_float_neighbours_of_a_tie_are_supported_by_both(stored: float, steps: int) -> None:
    """A few ulps either side of a tie is float noise, not a different number."""
    digits = {0.125: 2, 0.135: 2, 0.145: 2, -0.125: 2, 2.675: 2}.get(stored)
    for direction in (math.inf, -math.inf):
        v = stored
        for _ in range(steps):
            v = math.nextafter(v, direction)
        if digits is None:  # 1.25e9
            assert supported_everywhere("1.3B", v) and supported_everywhere("1.2B", v)
        else:
            assert supported_everywhere(f"{stored:.{digits}f}", v)
            assert supported_everywhere(f"{stored + math.copysign(0.005, stored):.2f}", v)


def test_bare_integer_wants_the_integral_value_even_on_a_tie() -> None:
    assert not supported_everywhere("3", 2.5) and not supported_everywhere("2", 2.5)
    assert supported_everywhere("3e0", 2.5) and supported_everywhere("2e0", 2.5)


# -- the prose verdict -------------------------------------------------------------------------


def verdicts(doc: dict[str, Any], text: str) -> list[str]:
    lint = ReportLint(Path("edge.md"))
    check_numbers(mask(text), Lookup({"": doc}), lint)
    return [n.status for n in lint.numbers]


DOC = {
    "metrics": {
        "overlap": 0.125,
        "drift": -0.125,
        "share": 0.375,
        "spread": 0.135,
        "tokens": 1.25e9,
    },
    "thresholds": {"kill_cos": 0.125},
}


@pytest.mark.parametrize(
    "sentence",
    [
        "The overlap is 0.13.",
        "The overlap is 0.12.",
        "The drift is −0.13.",
        "The drift is -0.12.",
        "The share is 38%.",
        "The share is 37%.",
        "The share is 37.5%.",
        "The spread is 0.13.",
        "The spread is 0.14.",
        "The tokens are 1.3B.",
        "The tokens are 1.2B.",
    ],
)
def test_correct_prose_on_a_tie_is_matched(sentence: str) -> None:
    assert verdicts(DOC, sentence) == ["matched"]


@pytest.mark.parametrize(
    ("sentence", "status"),
    [
        # a bound holds or not for the stored value itself, not for its rounding
        ("The overlap is < 0.13.", "matched"),
        ("The overlap is ≥ 0.13.", "failed"),
        ("The overlap is ≥ 0.12.", "matched"),
        ("The overlap is > 0.125.", "failed"),
        ("The overlap is ≤ 0.125.", "matched"),
        ("The spread is > 0.13.", "matched"),
        ("The spread is ≤ 0.13.", "failed"),
        ("The share is < 38%.", "matched"),
        ("The share is ≥ 38%.", "failed"),
        # a bound that restates a threshold matches it by rounding, tie included
        ("KILL iff the kill cos threshold is ≥ 0.13.", "matched"),
        ("KILL iff the kill cos threshold is ≥ 0.12.", "matched"),
    ],
)
def test_bounds_at_a_tie(sentence: str, status: str) -> None:
    assert verdicts(DOC, sentence) == [status]

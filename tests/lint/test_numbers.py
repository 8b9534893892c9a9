"""Reading numeric tokens: value, precision, sign, percent, exponent, ranges."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from persona_atlas.lint.numbers import Claim, find_tokens, is_percent_key, parse_claim


def claims(text: str) -> list[Claim]:
    return [parse_claim(t) for t in find_tokens(text)]


@pytest.mark.parametrize(
    ("text", "value", "half", "percent", "integer"),
    [
        ("0.64", 0.64, 0.005, False, False),
        ("0.6", 0.6, 0.05, False, False),
        ("-0.010", -0.010, 0.0005, False, False),
        ("−0.010", -0.010, 0.0005, False, False),  # Unicode minus
        ("38.3%", 38.3, 0.05, True, False),
        ("38.3 %", 38.3, 0.05, True, False),
        ("62%", 62.0, 0.5, True, False),
        ("37,675", 37675.0, 0.5, False, True),
        ("275", 275.0, 0.5, False, True),
        ("100K", 100_000.0, 500.0, False, False),
        ("7.6B", 7.6e9, 0.05e9, False, False),
        ("4.9e-4", 4.9e-4, 0.05e-4, False, False),
        ("4.9E−4", 4.9e-4, 0.05e-4, False, False),
        ("4.9 × 10⁻⁴", 4.9e-4, 0.05e-4, False, False),
        ("4.9x10^-4", 4.9e-4, 0.05e-4, False, False),
        ("10⁻³", 1e-3, 0.5e-3, False, False),
        (".5", 0.5, 0.05, False, False),
    ],
)
def test_token_value_and_precision(
    text: str, value: float, half: float, percent: bool, integer: bool
) -> None:
    (c,) = claims(text)
    assert c.value == pytest.approx(value)
    assert c.half_width == pytest.approx(half)
    assert (c.percent, c.integer) == (percent, integer)


def test_rounding_rule_matches_the_issue_examples() -> None:
    (c64,) = claims("0.64")
    (c6,) = claims("0.6")
    (c62,) = claims("0.62")
    assert c64.accepts(0.6367) and c6.accepts(0.6367)
    assert not c62.accepts(0.6367)  # a substring match would have said yes
    assert c62.accepts(0.6209)
    (pct,) = claims("38.3%")
    assert pct.accepts(0.383) and pct.accepts(0.38349) and not pct.accepts(0.3836)
    assert not pct.accepts(38.3)  # a plain value is a fraction unless its key says percent
    assert pct.accepts(38.3, percent_key=True)


def test_signs_matter() -> None:
    (neg,) = claims("-0.010")
    (pos,) = claims("0.010")
    assert neg.accepts(-0.0103) and not neg.accepts(0.0103)
    assert pos.accepts(0.0100557) and not pos.accepts(-0.0103)
    (pm,) = claims("± 0.03")
    assert pm.absolute and pm.accepts(0.031) and pm.accepts(-0.031)


def test_integers_match_integral_values_only() -> None:
    (c,) = claims("1")
    assert c.accepts(1.0) and c.accepts(1)
    assert not c.accepts(0.9996)


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("0.53–0.70", ["0.53", "0.70"]),
        ("0.53-0.70", ["0.53", "0.70"]),  # a range dash, not a negative 0.70
        ("layers 21-27", ["21", "27"]),
        ("from -0.10 to 0.93", ["-0.10", "0.93"]),
        ("(−0.10, 0.93)", ["−0.10", "0.93"]),
        ("[7, 14, 21, 27]", ["7", "14", "21", "27"]),
        ("[0..27]", ["0", "27"]),
        ("0.62 ± 0.03", ["0.62", "± 0.03"]),
        ("419/420", ["419", "420"]),
        ("275×275", ["275", "275"]),
        ("0.1,0.2", ["0.1", "0.2"]),
        ("N=275", ["275"]),
    ],
)
def test_tokens_split_where_a_reader_splits(text: str, tokens: list[str]) -> None:
    assert [c.text for c in claims(text)] == tokens


def test_range_second_end_is_not_negative() -> None:
    lo, hi = claims("0.53-0.70")
    assert hi.value == pytest.approx(0.70)
    assert lo.value == pytest.approx(0.53)


@pytest.mark.parametrize(
    ("path", "percent"),
    [
        ("metrics.pass_pct", True),
        ("metrics.percent_kill", True),
        ('metrics["pct"]', True),
        ("metrics.pass_rate", False),
        ("metrics.pctile", False),
    ],
)
def test_percent_keys(path: str, percent: bool) -> None:
    assert is_percent_key(path) is percent


@given(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    st.integers(min_value=1, max_value=6),
)
def test_a_correctly_rounded_value_always_matches(x: float, decimals: int) -> None:
    text = f"{x:.{decimals}f}"
    (c,) = claims(" " + text)
    assert c.accepts(x)
    step = 10.0**-decimals
    assert not c.accepts(round(x, decimals) + 1.01 * step)
    assert not c.accepts(round(x, decimals) - 1.01 * step)

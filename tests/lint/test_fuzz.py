"""Arbitrary Markdown never crashes the linter, and every reported position is exact.

Three layers: the number extractor and matcher on any text (huge exponents included), the
same on text built from report-like pieces, and the whole report lint — helpers, bindings,
structure, scoping — on a fuzzed body under the fixture's front matter.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from persona_atlas.lint import lint_report
from persona_atlas.lint.engine import ReportLint, check_numbers, read_text
from persona_atlas.lint.lookup import Lookup
from persona_atlas.lint.matching import ValueIndex, naive_matches
from persona_atlas.lint.numbers import find_tokens, parse_claim
from persona_atlas.lint.prose import mask
from persona_atlas.lint.structure import headings
from tests.lint.lintkit import FIXTURE

LOOKUP = Lookup(
    {
        "": {
            "a": 0.6367,
            "b": -0.0103,
            "n_personas": 275,
            "d": {"min": 0.1, "max": 0.9},
            "pairs": {"A__B": {"layer_7": {"cos_min": 0.53}, "layer_14": {"cos_min": 0.64}}},
            "layers": [7, 14],
            "thresholds": {"kill_cos_min": 0.85},
        }
    }
)

PIECES = st.sampled_from(
    [
        "0.64",
        "-0.010",
        "−0.5",
        "38.3%",
        "4.9 × 10⁻⁴",
        "1e-3",
        "37,675",
        "100K",
        "±",
        "–",
        "-",
        " to ",
        "…",
        "#201",
        "2026-05-03",
        "v1.2.3",
        "Qwen2.5-7B",
        "`",
        "```",
        "~~~",
        "    ",
        "\n",
        "\n\n",
        "1. ",
        "> ",
        "| ",
        "|",
        "---",
        "**",
        "_",
        "*",
        "[",
        "]",
        "(",
        ")",
        "![",
        "](",
        "<!--",
        "-->",
        "<!-- lint-allow 0.7: r -->",
        "lint-allow",
        "{{",
        "}}",
        "{%",
        "%}",
        "{#",
        "#}",
        'value("a", ".2f")',
        "{% raw %}",
        "{% endraw %}",
        "<b>",
        "</b>",
        "http://x.org/",
        "&amp;",
        "[^1]",
        "## ",
        "### Results",
        "**Confidence: HIGH**",
        "e",
        "x",
        "10",
        "^",
        "¹",
        " ",
        ",",
        ".",
        "..",
        "0",
        "9",
        "et al. ",
        "May ",
        "Python ",
        "a",
        "\t",
        "\r\n",
        "\x00",
        "1.2e400",
        "10^400",
        "1e-400",
        "e99999",
        "× 10⁹⁹⁹",
        "9" * 40,
        "≥ ",
        "+",
        "at layer ",
        "layers 7-14",
        "A vs B ",
        "B* ",
        "N=",
        " personas",
        "| 7 | 0.53 |",
        "|---|---|",
        "| layer | cos_min |",
        "Figure ",
        "§",
        "pos[0]",
        "[1]",
        "issue ",
        "arXiv:",
        ";",
        "(",
    ]
)


@settings(max_examples=250, deadline=None)
@given(st.lists(PIECES | st.text(max_size=4), max_size=40).map("".join))
@example("\r0\n```")  # a lone \r is a line break to markdown-it: fence lines must agree
@example("x\r\n```\r\n0.5\r\n```\r\n")
def test_extractor_never_crashes_and_positions_are_exact(text: str) -> None:
    text = text.replace("\r\n", "\n")
    masked = mask(text)
    assert len(masked.prose) == len(text)
    lint = ReportLint(Path("fuzz.md"))
    check_numbers(masked, LOOKUP, lint)
    lines = text.split("\n")
    for n in lint.numbers:
        assert n.status in ("matched", "failed", "exempt", "pragma")
        row = lines[n.line - 1]
        assert row[n.col - 1 :].startswith(n.token.split("\n")[0]), (n, row)
    headings(masked)


@st.composite
def rounding_edges(draw: st.DrawFn) -> tuple[float, int, str, int]:
    """A stored value on or next to a decimal rounding tie, and how it will be written.

    Returns (stored, decimals, form, exponent): the tie is (k + ½)·10^-decimals in the
    written units, scaled by 10^exponent (plain, percent, ``e`` notation or K/M/B), then
    moved 0–3 floats up or down (`math.nextafter`), so ties whose float is just above or below
    the decimal one are drawn on purpose rather than by chance."""
    form = draw(st.sampled_from(["plain", "percent", "exp", "magnitude"]))
    decimals = draw(st.integers(0 if form != "plain" else 1, 4))
    k = draw(st.integers(-(10**5), 10**5) | st.integers(-(10**12), 10**12))
    tie = (Decimal(k) + Decimal("0.5")).scaleb(-decimals)
    exponent = {
        "plain": 0,
        "percent": -2,
        "exp": draw(st.integers(-30, 30)),
        "magnitude": draw(st.sampled_from([3, 6, 9])),
    }[form]
    stored = float(tie.scaleb(exponent))
    steps = draw(st.integers(-3, 3))
    for _ in range(abs(steps)):
        stored = math.nextafter(stored, math.copysign(math.inf, steps))
    return stored, decimals, form, exponent


def _written(stored: float, decimals: int, form: str, exponent: int, rounding: str) -> str:
    """``stored`` as an author writes it at ``decimals``, rounding its decimal form."""
    q = Decimal(repr(stored)).scaleb(-exponent).quantize(Decimal(1).scaleb(-decimals), rounding)
    text = f"{q:f}".replace("-", "−") if form != "exp" else f"{q:f}e{exponent}"
    if form == "percent":
        return text + "%"
    if form == "magnitude":
        return text + {3: "K", 6: "M", 9: "B"}[exponent]
    return text


@settings(max_examples=300, deadline=None)
@given(rounding_edges(), st.sampled_from([ROUND_HALF_UP, ROUND_HALF_EVEN, ROUND_HALF_DOWN]))
def test_every_rounding_of_a_value_on_a_tie_is_supported(
    edge: tuple[float, int, str, int], rounding: str
) -> None:
    stored, decimals, form, exponent = edge
    text = _written(stored, decimals, form, exponent, rounding)
    (tok,) = find_tokens(f" {text} ")
    c = parse_claim(tok)
    leaves = [("v", stored)]
    assert c.accepts(stored), (text, stored)
    assert ValueIndex(leaves).candidate_ids(c) == [0], (text, stored)
    assert naive_matches(leaves, c) != [], (text, stored)
    # one unit of the next digit further out is another number
    unit = float(Decimal(1).scaleb(exponent - decimals - 1))
    out = stored + math.copysign(6 * unit, stored - c.value * (0.01 if c.percent else 1))
    assert not c.accepts(out) and ValueIndex([("v", out)]).candidate_ids(c) == []


NUMBER = st.builds(
    lambda sign, mant, exp, pct: f"{sign}{mant}{exp}{pct}",
    st.sampled_from(["", "-", "−", "±", "+"]),
    st.from_regex(r"\d{1,30}(\.\d{1,20})?", fullmatch=True),
    st.one_of(
        st.just(""),
        st.integers(-(10**6), 10**6).map(lambda e: f"e{e}"),
        st.integers(-5000, 5000).map(lambda e: f" × 10^{e}"),
    ),
    st.sampled_from(["", "%", "K", "B"]),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(NUMBER | PIECES, max_size=12).map(" ".join))
def test_any_number_however_large_is_a_verdict_not_a_crash(text: str) -> None:
    lint = ReportLint(Path("fuzz.md"))
    check_numbers(mask(text), LOOKUP, lint)
    assert all(n.status in ("matched", "failed", "exempt", "pragma") for n in lint.numbers)


_FIXTURE_TEXT = read_text(FIXTURE / "report.md")
_FRONT = _FIXTURE_TEXT[: _FIXTURE_TEXT.index("## TL;DR")]
HELPER = st.sampled_from(
    [
        '{{ value("metrics.n_pairs", "d") }}',
        '{{ value("metrics.n_pairs", "d", 3) }}',
        '{{ value("run.layers[9]") }}',
        "{{ value(x) }}",
        '{{ table("cells", columns=["pair"]) }}',
        '{{ table("cells", "x") }}',
        '{{ figure("verdict_partition", "cap 0.5") }}',
        '{{ figure("verdict_partition", "") }}',
        '{{ hero("caption 0.77") }}',
        '{{ query("SELECT 1") }}',
        '{{ query("SELECT nope FROM cells") }}',
        "**Confidence: MODERATE** — x",
        "![](f.png)",
        "somewhat high",
        "<!-- lint-allow 0.5: why -->",
    ]
)


@settings(max_examples=60, deadline=None)
@given(st.lists(HELPER | NUMBER | PIECES, max_size=30).map(" ".join))
def test_whole_report_lint_never_crashes(body: str) -> None:
    text = _FRONT + body.replace("\r\n", "\n")
    lint = lint_report(FIXTURE / "report.md", text=text)
    lines = text.split("\n")
    for n in lint.numbers:
        if n.status != "exempt" or n.rule not in ("code", "url", "html", "footnote"):
            assert lines[n.line - 1][n.col - 1 :].startswith(n.token.split("\n")[0]), n
    for p in [*lint.problems, *lint.bindings]:
        assert 0 <= p.line <= len(lines)

"""Exemption rules: each one, with what it must and must not exempt."""

from __future__ import annotations

import pytest

from persona_atlas.lint.exemptions import RULES, token_rule
from persona_atlas.lint.numbers import find_tokens
from persona_atlas.lint.prose import mask


def rules_in(text: str) -> list[tuple[str, str | None]]:
    """(token, exempting rule or None) for every numeric token of ``text`` as prose."""
    m = mask(text)
    out: list[tuple[str, str | None]] = []
    for region in m.regions:
        if region.kind in RULES:
            out += [(t.text, region.kind) for t in find_tokens(text[region.start : region.end])]
    out += [(t.text, token_rule(m.prose, t)) for t in find_tokens(m.prose)]
    return out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("see #201 and (#218)", [("201", "issue"), ("218", "issue")]),
        (
            "on 2026-05-03T08:29:21Z",
            [
                ("2026", "date"),
                ("05", "date"),
                ("03", "date"),
                ("08", "date"),
                ("29", "date"),
                ("21", "date"),
            ],
        ),
        ("on May 3, 2026", [("3", "date"), ("2026", "date")]),
        ("on 05/03/2026", [("05", "date"), ("03", "date"), ("2026", "date")]),
        ("on 3 May", [("3", "date")]),
        ("ran v1.2.3 and 0.4.1", [("1.2", "version"), ("0.4", "version")]),
        ("Python 3.11 and CUDA 12.1", [("3.11", "version"), ("12.1", "version")]),
        ("commit 4822c74", [("4822", "commit"), ("74", "commit")]),
        ("Qwen2.5-7B-Instruct", [("2.5", "identifier"), ("7B", "identifier")]),
        ("Llama-3.1-8B", [("3.1", "identifier"), ("8B", "identifier")]),
        (
            "layer_20 and L24 and fp32 and a__b__layer7",
            [("20", "identifier"), ("24", "identifier"), ("32", "identifier"), ("7", "identifier")],
        ),
        ("the 3rd try", [("3", "identifier")]),
        ("1. first\n2) second", [("1", "list"), ("2", "list")]),
        ("Chen et al. 2025", [("2025", "citation")]),
        (
            "`0.99` and\n\n```\n0.5\n```\n\n    0.7 indented\n",
            [("0.99", "code"), ("0.5", "code"), ("0.7", "code")],
        ),
        ("a `span\nover 2 lines` b", [("2", "code")]),
        ("[x](https://a.org/0.55) <http://b.org/7>", [("0.55", "url"), ("7", "url")]),
        ("see https://x.org/v/0.3.", [("0.3", "url")]),
        ('<img width="600">', [("600", "html")]),
        ("text[^1]", [("1", "footnote")]),
        (
            "GPT-4 and SmolLM2-135M",
            [("4", "identifier"), ("2", "identifier"), ("135M", "identifier")],
        ),
        ("the pos[0] field", [("0", "identifier")]),
        (
            "see Figure 3, Fig. 4 and Table 2",
            [("3", "reference"), ("4", "reference"), ("2", "reference")],
        ),
        ("in section 4.2 and §5", [("4.2", "reference"), ("5", "reference")]),
        ("as in issue 201", [("201", "issue")]),
        ("as shown [1] and [12].", [("1", "citation"), ("12", "citation")]),
        ("(arXiv:2507.21509)", [("2507.21509", "citation")]),
        ("data/issue_201/run.json", [("201", "identifier")]),
    ],
)
def test_exempt(text: str, expected: list[tuple[str, str]]) -> None:
    assert sorted(rules_in(text)) == sorted(expected)


@pytest.mark.parametrize(
    "text",
    [
        "N=275 personas",
        "cos_min = 0.62",
        "a 28-layer sweep",  # a quantity adjective is a claim
        "the 2x speed-up",  # a glued unit is a claim
        "80GB of memory",
        "in 2025 we",  # a bare year outside a citation is checked
        "rank 1. Next",  # not at the start of a line: a claim
        "0.53-0.70",
        "−0.010",
        "(3 of 5)",
        "mc_r:0.62",  # a separator is not part of a name
        "cos:0.5",
        "r/0.62",
        "A/B/0.62",
        "the top-10 personas",  # a lower-case word before the hyphen: a count
        "N-275",
        "1e12345",  # a number in e-notation, not a commit SHA
        "3e45678 grams",
        "layers [7, 14, 21]",  # a list, not a citation
        "the kill line 0.85",
        "Table 0.5",
        "419/420 cells",
    ],
)
def test_claims_are_not_exempt(text: str) -> None:
    found = rules_in(text)
    assert found and all(rule is None for _, rule in found), found


def test_every_rule_has_a_reason() -> None:
    assert all(reason.strip() for reason in RULES.values())

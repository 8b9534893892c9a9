"""Arbitrary Markdown never crashes the extractor, and every reported position is exact."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from persona_atlas.site.lint.engine import ReportLint, check_numbers
from persona_atlas.site.lint.matching import ValueIndex
from persona_atlas.site.lint.prose import mask
from persona_atlas.site.lint.structure import headings

INDEX = ValueIndex([("a", 0.6367), ("b", -0.0103), ("c", 275.0), ("d.min", 0.1), ("d.max", 0.9)])

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
    ]
)


@settings(max_examples=250, deadline=None)
@given(st.lists(PIECES | st.text(max_size=4), max_size=40).map("".join))
def test_extractor_never_crashes_and_positions_are_exact(text: str) -> None:
    text = text.replace("\r\n", "\n")
    masked = mask(text)
    assert len(masked.prose) == len(text)
    lint = ReportLint(Path("fuzz.md"))
    check_numbers(masked, INDEX, lint)
    lines = text.split("\n")
    for n in lint.numbers:
        assert n.status in ("matched", "failed", "exempt", "pragma")
        row = lines[n.line - 1]
        assert row[n.col - 1 :].startswith(n.token.split("\n")[0]), (n, row)
    headings(masked)

"""Numbers a report binds read as decimals or × 10ⁿ on the page, never Python e-notation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from persona_atlas.lint.numbers import find_tokens, parse_claim
from persona_atlas.reports.render import bound_value, format_number, table_markdown
from persona_atlas.schema import Table
from persona_atlas.site.build import BuildOptions, build_site

ROOT = Path(__file__).resolve().parents[2]
E_NOTATION = re.compile(r"\d[eE][-+]?\d")
# Python's e-notation as a word: "5.0e-05", "1e+06" (the sign tells it from a hex hash)
PROSE_E_NOTATION = re.compile(r"(?<![\w.])\d(?:\.\d+)?[eE][-+]\d+\b")


@pytest.mark.parametrize(
    ("value", "fmt", "shown"),
    [
        (5e-05, ".1e", "5.0 × 10⁻⁵"),
        (1.2e-07, ".1e", "1.2 × 10⁻⁷"),
        (1e-06, ".0e", "1 × 10⁻⁶"),
        (-3.4e-09, ".2E", "-3.40 × 10⁻⁹"),
        (2.5e7, ".1e", "2.5 × 10⁷"),
        (1.2, ".1e", "1.2"),  # 10⁰ is left out
        (1e-07, ".2g", "1 × 10⁻⁷"),  # g switches to e-notation for small values
        (1.234e-05, "", "1.234 × 10⁻⁵"),  # the default for floats far from 1
        (123456789.0, "", "1.235 × 10⁸"),
        (0.6152, ".2f", "0.62"),
        (37675, ",d", "37,675"),
    ],
)
def test_bound_numbers_never_show_e_notation(value: float, fmt: str, shown: str) -> None:
    assert format_number(value, fmt) == shown
    assert bound_value({"x": value}, None, {}, "x", fmt) == shown


@pytest.mark.parametrize("value", [5e-05, 1.2e-07, 4.9e-4, 2.5e7, -3.4e-09])
def test_the_linter_reads_a_power_of_ten_as_the_bound_value(value: float) -> None:
    shown = format_number(value, ".1e")
    tokens = find_tokens(f"the difference is {shown}.")
    assert [t.text for t in tokens] == [shown]
    assert parse_claim(tokens[0]).accepts(value)


def test_table_cells_keep_tiny_values_visible() -> None:
    t = Table(columns=["name", "diff"], rows=[["a", 4.4e-16], ["b", 0.61523], ["c", 0.0]])
    md = table_markdown(t)
    assert "| a | 4.4 × 10⁻¹⁶ |" in md
    assert "| b | 0.6152 |" in md and "| c | 0.0000 |" in md
    assert not E_NOTATION.search(md)
    assert "| a | 4.40 × 10⁻¹⁶ |" in table_markdown(t, fmt={"diff": ".2e"})


def test_repository_pages_show_no_e_notation(tmp_path: Path) -> None:
    """Every committed report, rendered: prose and tables hold no Python e-notation."""
    stats = build_site(BuildOptions(root=ROOT, staging=tmp_path / "docs", run_mkdocs=False))
    pages = sorted(stats.staging.rglob("*.md"))
    assert len(pages) >= 2
    for md in pages:
        text = md.read_text(encoding="utf-8")
        found = [m.group(0) for m in PROSE_E_NOTATION.finditer(text)]
        assert not found, f"{md.relative_to(stats.staging)} shows {found}"

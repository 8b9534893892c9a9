"""Prose outside the paragraph flow is linted too: footnote text and HTML attributes a reader
sees (tooltips, alt text); link reference definitions and markup attributes stay exempt."""

from __future__ import annotations

from pathlib import Path

import markdown
import pytest
import yaml

from persona_atlas.lint import lint_report
from persona_atlas.lint.output import text_lines
from tests.lint.lintkit import REPO, copy_fixture

CLAIM = "A vs C2 passes only at the last layer (cos_min = {})"
TRUE, WRONG = "0.9612", "0.9621"


def failures(report: Path, extra: str) -> list[str]:
    """The failure lines after appending ``extra`` to the fixture report."""
    report.write_text(report.read_text(encoding="utf-8") + "\n" + extra, encoding="utf-8")
    return text_lines(lint_report(report))


def statuses(report: Path, token: str) -> list[tuple[str, str]]:
    return [(n.status, n.rule) for n in lint_report(report).numbers if n.token == token]


@pytest.mark.parametrize(
    "extra",
    [
        "See the note.[^last]\n\n[^last]: {}.\n",
        "See the note.[^last]\n\n[^last]: Measured once.\n\n    {}.\n",  # a later paragraph
        '<abbr title="{}">max</abbr> as above.\n',
        "<span title='{}'>max</span> as above.\n",
        '<img src="f.png" alt="{}"> as above.\n',
    ],
)
def test_a_wrong_number_in_a_footnote_or_tooltip_fails(tmp_path: Path, extra: str) -> None:
    report = copy_fixture(tmp_path)
    (line,) = failures(report, extra.format(CLAIM.format(WRONG)))
    assert f"  {WRONG}  contradicted → in scope: metrics.pairs.A__C2.cos_min.max = {TRUE}" in line
    report = copy_fixture(tmp_path / "clean")
    assert failures(report, extra.format(CLAIM.format(TRUE))) == []
    assert statuses(report, TRUE).count(("matched", "")) == 2  # the fixture's and this one


def test_link_definitions_and_markup_attributes_stay_exempt(tmp_path: Path) -> None:
    report = copy_fixture(tmp_path)
    extra = (
        '<img src="f.png" width="613" alt="the figure"> and [the code][src].\n\n'
        "[src]: https://example.org/v/0.9621\n"
    )
    assert failures(report, extra) == []
    assert statuses(report, "613") == [("exempt", "html")]
    assert statuses(report, "0.9621") == [("exempt", "url")]


def test_the_site_renders_footnotes() -> None:
    """mkdocs.yml enables the footnotes extension: ``[^x]`` becomes a note, not plain text."""
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    extensions = [e if isinstance(e, str) else next(iter(e)) for e in config["markdown_extensions"]]
    assert "footnotes" in extensions
    html = markdown.markdown("A claim.[^n]\n\n[^n]: Its source.\n", extensions=extensions)
    assert 'class="footnote"' in html and "[^n]" not in html

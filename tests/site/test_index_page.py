"""The index: TL;DR sentence, hero thumbnail, check status, filters' data, one row per result."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from persona_atlas.site.build import BuildOptions, build_site
from persona_atlas.site.tldr import first_sentence, plain_text, tldr_sentence
from tests.site.sitekit import add_result, git, make_site

BODY = """## TL;DR

### Background

Earlier results used recipe A. This one asks more.

### Results

<figure class="atlas-figure"><img src="figures/x.svg"></figure>

**Main takeaways:**

- No two recipes agree: **419** of 420 cells are KILL, 1 is GREY
  (A vs. C3 at layer 0) and [#201](../issue-201/index.md) agrees. The rest pass.
- A second takeaway.

## Detailed report

Not this.
"""


def test_tldr_sentence_is_the_first_takeaway_as_plain_text() -> None:
    assert tldr_sentence(BODY) == (
        "No two recipes agree: 419 of 420 cells are KILL, 1 is GREY (A vs. C3 at layer 0) "
        "and #201 agrees."
    )


def test_tldr_sentence_falls_back_to_the_first_paragraph() -> None:
    body = "## TL;DR\n\n### Background\n\n| a |\n|---|\n\nRecipes differ at 0.62 (e.g. B). Then more.\n"
    assert tldr_sentence(body) == "Recipes differ at 0.62 (e.g. B)."
    assert tldr_sentence("## Something else\n\nText.\n") == ""


def test_tldr_sentence_is_text_not_markup() -> None:
    body = "## TL;DR\n\n**Main takeaways:**\n\n- A &lt;b&gt; persona \\*named\\* <img src=x onerror=alert(1)> wins.\n"
    assert tldr_sentence(body) == "A <b> persona *named* wins."  # the template escapes it


def test_long_sentences_are_cut_at_a_word() -> None:
    text = tldr_sentence("## TL;DR\n\n" + "word " * 200 + "\n")
    assert len(text) <= 280 and text.endswith("word…")


def test_sentence_helpers() -> None:
    assert plain_text("a [link](x.md) and `code` \\_x\\_") == "a link and code _x_"
    assert first_sentence("cos 0.98 at layer 10. Next one.") == "cos 0.98 at layer 10."
    assert first_sentence("No end") == "No end"


# ----------------------------------------------------------------------------- built index


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_site(tmp_path_factory.mktemp("index"))
    doc = json.loads((root / "results" / "issue-218" / "result.json").read_text())
    doc.update(verdict="PASS", kind="stored-matrix-comparison")
    (root / "results" / "issue-218" / "result.json").write_text(json.dumps(doc))
    d = add_result(root, 230, hero="https://example.org/x.svg", confidence="LOW")
    (d / "report.md").write_text(
        (d / "report.md").read_text().replace("tags: [recipes, qwen]", "tags: [qwen, late-layers]")
    )
    git(root, "add", "-A")
    git(root, "commit", "-qm", "more")
    # the fixture reports fail lint: a preview build keeps the gate's counts and banners
    build_site(BuildOptions(root=root, preview=True))
    return root


def _rows(root: Path) -> dict[int, str]:
    index = (root / "site" / "index.html").read_text()
    body = index.split('<table class="atlas-sortable atlas-index">')[1].split("</table>")[0]
    rows = re.findall(r"<tr data-tags=.*?</tr>", body, re.S)
    return {int(re.search(r'<td data-value="(\d+)"', r).group(1)): r for r in rows}  # type: ignore[union-attr]


def test_one_row_per_result_newest_issue_first(built: Path) -> None:
    assert list(_rows(built)) == [230, 218, 201]


def test_row_has_tldr_thumbnail_badges_and_filter_data(built: Path) -> None:
    row = _rows(built)[201]
    assert '<p class="atlas-tldr">' in row  # the fixture's TL;DR has prose after ### Results
    assert '<img src="issue-201/figures/scatter.svg" alt="" loading="lazy"' in row
    assert 'data-tags=\'["recipes", "qwen"]\'' in row
    assert 'data-kind="recipe-comparison"' in row and 'data-confidence="HIGH"' in row
    assert 'data-verdict="KILL"' in row and 'data-superseded="no"' in row
    assert "atlas-verdict-kill" in row and "atlas-conf-high" in row and "2026-05-01" in row
    assert re.search(r'<button type="button" class="atlas-tag" data-tag="qwen"', row)
    assert _rows(built)[218].count('data-verdict="PASS"') == 1


def test_a_hero_given_as_url_gets_no_thumbnail(built: Path) -> None:
    row = _rows(built)[230]
    assert "<img" not in row and "example.org" not in row


def test_check_status_comes_from_the_lint_gate(built: Path) -> None:
    from persona_atlas.lint import lint_report

    counts = lint_report(built / "results" / "issue-201" / "report.md").counts()
    checked = counts["matched"] + counts["bound"] + counts["exempt"]
    row = _rows(built)[201]
    assert f"{checked} of {counts['checked']} numbers checked, lint failed" in row
    assert "atlas-checks-failed" in row
    assert f"{counts['bound']} bound to the result with value()" in row  # the tooltip


def test_check_status_without_the_gate(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    build_site(BuildOptions(root=root, lint=False, run_mkdocs=False))
    index = (root / "build" / "docs" / "index.md").read_text()
    assert index.count(">numbers not checked</span>") == 2
    assert 'data-value="-1.0"' in index  # sorts below every linted result


def test_filters_offer_every_value_in_use_with_counts(built: Path) -> None:
    index = (built / "site" / "index.html").read_text()
    form = index.split('<form class="atlas-filters"')[1].split("</form>")[0]
    assert '<option value="qwen">qwen (3)</option>' in form
    assert '<option value="late-layers">late-layers (1)</option>' in form
    assert '<option value="stored-matrix-comparison">stored-matrix-comparison (1)</option>' in form
    confidences = re.findall(r'<option value="(HIGH|MODERATE|LOW)"', form)
    assert confidences == ["HIGH", "MODERATE", "LOW"]  # by level, not alphabetically
    assert re.findall(r'<option value="(PASS|GREY|KILL)"', form) == ["PASS", "KILL"]
    assert "hidden" in index.split('<form class="atlas-filters"')[1].split(">")[0]  # until JS


def test_index_assets_are_published(built: Path) -> None:
    assets = built / "site" / "assets"
    assert (assets / "index.js").exists() and (assets / "index.css").exists()
    index = (built / "site" / "index.html").read_text()
    assert 'src="assets/index.js"' in index and 'href="assets/index.css"' in index

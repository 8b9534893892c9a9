"""The index's filter data and TL;DR sentences stay data: nothing a pull request writes into
tags, kinds, verdicts, titles, takeaways or figure names becomes markup or script there."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from persona_atlas.site.build import BuildOptions, build_site
from tests.site.browserkit import browser_page, serve
from tests.site.sitekit import git, make_site

XSS = "<img src=x onerror=alert(1)>"
QUOTES = """x' onmouseover='alert(2)' y="</script><script>alert(3)</script>"""
FIGURE = "x' onmouseover='alert(2)' y=\"<b>\""  # a file name: no slash
LIVE = re.compile(r"<img src=x|<script>alert|onmouseover='alert|<b>", re.IGNORECASE)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("index-xss")
    root = make_site(tmp)
    canary = tmp / "CANARY"
    d = root / "results" / "issue-201"
    report = d / "report.md"
    text = report.read_text()
    text = text.replace(
        "tags: [recipes, qwen]", f"tags: [recipes, {json.dumps(QUOTES)}, {json.dumps(XSS)}]"
    )
    text = text.replace("hero: scatter", f"hero: {json.dumps(FIGURE)}")
    # a takeaway with raw HTML: the author's prose on the page, plain text on the index
    takeaway = f"**Main takeaways:**\n\n- Persona {XSS} wins in {canary.name}.\n\n"
    text = text.replace("### Results\n", "### Results\n\n" + takeaway)
    report.write_text(text)
    doc = json.loads((d / "result.json").read_text())
    doc.update(kind=QUOTES, verdict=XSS)
    (d / "result.json").write_text(json.dumps(doc))
    for suffix, body in ((".vl.json", (d / "figures" / "scatter.vl.json").read_text()),
                         (".svg", (d / "figures" / "scatter.svg").read_text())):  # fmt: skip
        (d / "figures" / f"{FIGURE}{suffix}").write_text(body)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "hostile index data")
    build_site(BuildOptions(root=root, lint=False))
    return root, canary


def _index(root: Path) -> str:
    return (root / "site" / "index.html").read_text()


def test_index_holds_no_live_markup(hostile: tuple[Path, Path]) -> None:
    root, canary = hostile
    index = _index(root)
    found = LIVE.search(index)
    assert not found, index[found.start() - 200 :][:400] if found else ""
    assert "&lt;img src=x onerror=alert(1)&gt;" in index  # the tag and verdict as text
    assert "Persona wins in CANARY." in index  # the takeaway's markup dropped, its text kept
    # tags as JSON in a single-quoted attribute: ' < > & escaped, so the attribute holds
    assert 'data-tags=\'["recipes", "x\\u0027 onmouseover=\\u0027alert(2)\\u0027' in index
    # the thumbnail's file name is URL-quoted
    assert "figures/x%27%20onmouseover%3D%27alert%282%29%27" in index
    assert not canary.exists()
    assert {p.name for p in canary.parent.iterdir()} <= {"repo"}  # nothing written beside it


@pytest.mark.slow
@pytest.mark.browser
def test_filtering_hostile_values_runs_nothing(hostile: tuple[Path, Path]) -> None:
    root, _ = hostile
    with serve(root / "site") as base, browser_page() as (page, errors):
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(base, wait_until="networkidle")
        page.wait_for_function("window.atlasIndex")
        page.locator("select[name=tag]").select_option(QUOTES)
        shown = "document.querySelectorAll('table.atlas-index tbody tr:not([hidden])').length"
        assert page.evaluate(shown) == 1  # the hostile tag is a tag like any other
        page.locator("select[name=kind]").select_option(QUOTES)
        page.locator("input[name=q]").fill(XSS)
        assert page.evaluate(shown) == 1  # matched as text
        page.locator("table.atlas-index tbody tr:not([hidden]) img").first.hover()
        page.goto(base + "?q=" + XSS.replace(" ", "%20"), wait_until="networkidle")
        page.wait_for_function("window.atlasIndex")
        assert page.locator("input[name=q]").input_value() == XSS
        assert page.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0
    assert dialogs == []
    assert errors == [], errors

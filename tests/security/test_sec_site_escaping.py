"""Data reaches the built site's HTML escaped: titles, tags, verdicts, file names, captions.

A report's front matter, its result.json and the names of its files come from a pull
request. None of them may put a live tag into site/, run template code, or break the page's
YAML metadata; only the author's Markdown prose is trusted.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
import yaml

from persona_atlas.site.build import BuildOptions, build_site
from tests.site.browserkit import browser_page, serve
from tests.site.sitekit import add_result, git, make_site

XSS = "<img src=x onerror=alert(1)>"
LIVE = re.compile(r"<img src=x", re.IGNORECASE)


def _inject(tmp_path: Path) -> tuple[Path, Path, str]:
    """A repository whose #201 carries the payload in every data field; returns the
    repository, a canary path template code would create, and the page title."""
    root = make_site(tmp_path)
    canary = tmp_path / "CANARY"
    d = root / "results" / "issue-201"
    title = f"{XSS} {{{{ cycler.__init__.__globals__.os.system('touch {canary}') }}}} ends \\"
    report = d / "report.md"
    text = report.read_text()
    text = text.replace("title: Result 201", f"title: {json.dumps(title)}")
    text = text.replace("tags: [recipes, qwen]", f"tags: [recipes, {json.dumps(XSS)}]")
    text = text.replace(
        '{{ table("verdict_counts") }}', f'{{{{ figure("scatter", {json.dumps(XSS)}) }}}}'
    )
    report.write_text(text)
    doc = json.loads((d / "result.json").read_text())
    doc["verdict"] = XSS
    doc["kind"] = XSS
    doc["provenance"]["code_version"] = XSS
    doc["provenance"]["analysis"]["name"] = XSS
    (d / "result.json").write_text(json.dumps(doc))
    (d / "figures" / "scatter.meta.json").write_text(json.dumps({"caption": XSS}))
    (d / f"{XSS}.txt").write_text("an artifact with a hostile name\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "hostile data")
    return root, canary, title


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    root, canary, title = _inject(tmp_path_factory.mktemp("xss"))
    build_site(BuildOptions(root=root, lint=False))
    return root, canary, title


def test_no_live_tag_anywhere_in_the_site(hostile: tuple[Path, Path, str]) -> None:
    root, canary, _ = hostile
    pages = list((root / "site").rglob("*.html"))
    assert len(pages) >= 3
    for page in pages:
        text = page.read_text()
        assert not LIVE.search(text), (page, text[LIVE.search(text).start() - 200 :][:400])  # type: ignore[union-attr]
    search = (root / "site" / "search" / "search_index.json").read_text()
    assert not LIVE.search(search)  # the search UI renders its entries as HTML
    assert not canary.exists()  # the title was shown, never run
    outside = {p.name for p in canary.parent.iterdir()}
    assert outside <= {"repo"}, outside  # nothing written beside the repository


def test_every_field_is_shown_as_text(hostile: tuple[Path, Path, str]) -> None:
    root, _, _ = hostile
    shown = "&lt;img src=x onerror=alert(1)&gt;"
    page = (root / "site" / "issue-201" / "index.html").read_text()
    assert f"<h1>{shown}" in page  # title
    assert f'<span class="atlas-tag">{shown}</span>' in page  # tag
    assert f"Verdict: {shown}" in page  # verdict
    assert f"<figcaption>{shown}</figcaption>" in page  # figure() caption
    assert "/results/issue-201/%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E.txt" in page
    assert f"<code>results/issue-201/{shown}.txt</code>" in page  # artifact file name
    assert f"<code>{shown}</code> by <code>{shown}</code> (code {shown})" in page
    index = (root / "site" / "index.html").read_text()
    assert index.count(shown) >= 3  # title, verdict, tag on the index
    other = (root / "site" / "issue-218" / "index.html").read_text()
    assert f"#201 — {shown}" in other  # related results and navigation


def test_page_metadata_is_valid_yaml_with_the_exact_title(
    hostile: tuple[Path, Path, str],
) -> None:
    root, _, title = hostile
    md = (root / "build" / "docs" / "issue-201" / "index.md").read_text()
    meta = yaml.safe_load(md.split("---\n")[1])
    assert meta["title"] == html.escape(f"#201 — {title}")  # a trailing backslash survives
    page = (root / "site" / "issue-201" / "index.html").read_text()
    assert "ends \\ - persona-atlas" in page  # MkDocs read the title: the YAML was valid
    assert "cycler.__init__" in page  # shown as text


def test_hero_caption_from_figure_metadata_is_escaped(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    d = add_result(root, 300)  # hero: scatter, placed under the title with its stored caption
    (d / "figures" / "scatter.meta.json").write_text(json.dumps({"caption": XSS}))
    build_site(BuildOptions(root=root, lint=False))
    page = (root / "site" / "issue-300" / "index.html").read_text()
    assert "<figcaption>&lt;img src=x onerror=alert(1)&gt;</figcaption>" in page
    assert not LIVE.search(page)


@pytest.mark.slow
@pytest.mark.browser
def test_nothing_runs_in_a_browser(hostile: tuple[Path, Path, str]) -> None:
    root, _, _ = hostile
    with serve(root / "site") as base, browser_page() as (page, errors):
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for rel in ["", "issue-201/", "issue-218/", "404.html"]:
            page.goto(base + rel, wait_until="networkidle")
            assert page.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0
        page.goto(base, wait_until="networkidle")
        page.keyboard.press("s")  # search renders matching titles and text as HTML
        page.keyboard.type("onerror", delay=30)
        page.wait_for_selector(".md-search-result__item", timeout=15_000)
        assert page.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0
    assert dialogs == []
    assert errors == [], errors

"""The repository's site on a 390 px phone and a 1400 px screen, in headless Chromium
(built by each engine).

No page scrolls sideways; wide tables scroll inside their own box; every chart fits its
column without a scrollbar, its tick and legend labels at least 10 px; nothing (actions
menu, file links) sits over a legend; badges explain themselves.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.site.browserkit import ENGINE_PARAMS, browser_page, build_for_browser, serve
from tests.site.sitekit import git

pytestmark = [pytest.mark.slow, pytest.mark.browser]
ROOT = Path(__file__).resolve().parents[2]
MIN_LABEL_PX = 10.0

MEASURE = """() => {
  const box = (el) => { const r = el.getBoundingClientRect();
    return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; };
  const px = (t) => { const m = t.getScreenCTM();
    return parseFloat(getComputedStyle(t).fontSize) * (m ? Math.hypot(m.a, m.b) : 1); };
  const scroller = (el) => { for (let p = el.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll') return p; }
    return null; };
  const figures = [...document.querySelectorAll('figure.atlas-figure')].map(f => {
    const view = f.querySelector('.atlas-figure-view');
    const labels = [...f.querySelectorAll(
      '.role-axis-label text, .role-legend-label text, .role-legend-title text')]
      .filter(t => t.textContent.trim());
    return {id: f.id, viewWidth: view.clientWidth, viewScroll: view.scrollWidth,
      svgWidth: (view.querySelector('svg') || view).getBoundingClientRect().width,
      labelPx: labels.map(px), nLabels: labels.length,
      legends: [...f.querySelectorAll('.role-legend')].map(box),
      covers: [...f.querySelectorAll('.vega-actions, .vega-embed > details, .atlas-figure-links')]
        .map(box)};
  });
  const tables = [...document.querySelectorAll('article table')].map(t => {
    const s = scroller(t);
    return {cols: t.rows[0] ? t.rows[0].cells.length : 0, width: t.scrollWidth,
      box: s ? box(s) : box(t), scrolls: s ? s.scrollWidth > s.clientWidth + 1 : false};
  });
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: innerWidth,
          figures, tables};
}"""


@pytest.fixture(scope="module", params=ENGINE_PARAMS)
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's results, templates and mkdocs.yml, copied and built in a tmp repo."""
    root = tmp_path_factory.mktemp("narrow") / "repo"
    root.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    for folder in ("templates", "results"):
        shutil.copytree(ROOT / folder, root / folder)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "results")
    return build_for_browser(root, str(request.param))


def _pages(site: Path) -> list[str]:
    return sorted(
        p.relative_to(site).parent.as_posix().replace(".", "") + "/"
        for p in site.rglob("index.html")
        if "assets" not in p.parts and "search" not in p.parts
    )


def _measure(page: Any, url: str) -> dict[str, Any]:
    page.goto(url, wait_until="networkidle")
    page.wait_for_function(
        "[...document.querySelectorAll('figure.atlas-figure')]"
        ".every(f => f.getAttribute('data-embedded') === 'yes')",
        timeout=20_000,
    )
    result: dict[str, Any] = page.evaluate(MEASURE)
    return result


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    across = a["left"] < b["right"] and b["left"] < a["right"]
    return across and a["top"] < b["bottom"] and b["top"] < a["bottom"]


def _check_page(rel: str, m: dict[str, Any], width: int) -> None:
    assert m["innerWidth"] == width
    assert m["scrollWidth"] <= m["innerWidth"], f"{rel} scrolls sideways at {width} px: {m}"
    for t in m["tables"]:  # a table wider than the column scrolls in its box, inside the screen
        assert t["box"]["right"] <= width + 0.5, (rel, width, t)
    for f in m["figures"]:
        where = f"{rel} {f['id']} at {width} px"
        assert f["viewScroll"] <= f["viewWidth"] + 1, f"{where}: the chart overflows: {f}"
        assert f["svgWidth"] <= f["viewWidth"] + 1, f"{where}: {f}"
        assert f["nLabels"] > 0, f"{where}: no tick labels drawn"
        assert min(f["labelPx"]) >= MIN_LABEL_PX - 0.01, f"{where}: labels {min(f['labelPx'])} px"
        for cover in f["covers"]:
            for legend in f["legends"]:
                assert not _overlap(cover, legend), f"{where}: {cover} covers legend {legend}"


@pytest.mark.parametrize("width", [390, 1400])
def test_no_page_scrolls_sideways_and_charts_fit(site: Path, width: int) -> None:
    pages = _pages(site)
    assert "/" in pages and len(pages) >= 2
    with serve(site) as base, browser_page() as (page, errors):
        page.set_viewport_size({"width": width, "height": 900})
        for rel in pages:
            _check_page(rel, _measure(page, base + rel.lstrip("/")), width)
        assert errors == [], errors


def test_eight_column_tables_fit_a_wide_screen(site: Path) -> None:
    """At 1400 px the content column is wide enough for the 8-column tables (no inner scroll)."""
    with serve(site) as base, browser_page() as (page, errors):
        page.set_viewport_size({"width": 1400, "height": 900})
        wide = []
        for rel in _pages(site):
            m = _measure(page, base + rel.lstrip("/"))
            wide += [(rel, t) for t in m["tables"] if t["cols"] >= 8]
        if not wide:
            pytest.skip("no committed result shows an 8-column table")
        for rel, t in wide:
            assert not t["scrolls"], (rel, t)
        assert errors == [], errors


def test_charts_refit_when_the_window_narrows(site: Path) -> None:
    rel = next(r for r in _pages(site) if r != "/")
    with serve(site) as base, browser_page() as (page, errors):
        page.set_viewport_size({"width": 1400, "height": 900})
        _measure(page, base + rel.lstrip("/"))
        page.set_viewport_size({"width": 390, "height": 900})
        page.wait_for_timeout(1_500)  # the loader refits 150 ms after the last resize
        _check_page(rel, page.evaluate(MEASURE), 390)
        assert errors == [], errors


def test_badges_explain_themselves(site: Path) -> None:
    rel = next(r for r in _pages(site) if r != "/")
    with serve(site) as base, browser_page() as (page, errors):
        page.goto(base + rel.lstrip("/"), wait_until="networkidle")
        badges = page.locator(".atlas-header .atlas-badge")
        assert badges.count() >= 2
        for i in range(badges.count()):
            title = badges.nth(i).get_attribute("title") or ""
            assert len(title.split()) >= 5, f"badge {badges.nth(i).inner_text()!r}: {title!r}"
        legend = page.locator("details.atlas-badge-legend")
        assert legend.count() == 1 and not legend.locator("dl").is_visible()
        legend.locator("summary").click()
        text = legend.inner_text()
        for word in ("PASS", "GREY", "KILL", "mixed", "HIGH", "MODERATE", "LOW"):
            assert word in text, word
        assert errors == [], errors

"""The built site in headless Chromium: hero figure and tables visible, no console errors.
Every test runs against each site engine (MkDocs + Material, Zensical)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.site.browserkit import ENGINE_PARAMS, browser_page, build_for_browser, serve
from tests.site.sitekit import make_site

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module", params=ENGINE_PARAMS)
def site_dir(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_site(tmp_path_factory.mktemp(f"browser-{request.param}"))
    # the fixture reports fail lint: a preview build shows them, each with its banner
    return build_for_browser(root, request.param, preview=True)


def test_index_and_report_page_render_cleanly(site_dir: Path) -> None:
    with serve(site_dir) as base, browser_page() as (page, errors):
        page.goto(base, wait_until="networkidle")
        rows = page.locator("table.atlas-index tbody tr")
        assert rows.count() == 2
        assert rows.first.is_visible()
        # sortable: clicking "Issue" sorts ascending, then descending
        page.locator("table.atlas-index th", has_text="Issue").click()
        assert page.locator("table.atlas-index tbody tr td").first.inner_text() == "#201"
        page.locator("table.atlas-index th", has_text="Issue").click()
        assert page.locator("table.atlas-index tbody tr td").first.inner_text() == "#218"
        # confidence sorts by level (LOW < MODERATE < HIGH), not alphabetically
        page.locator("table.atlas-index th", has_text="Confidence").click()
        assert page.locator("table.atlas-index tbody tr td").first.inner_text() == "#218"
        page.locator("table.atlas-index th", has_text="Confidence").click()
        assert page.locator("table.atlas-index tbody tr td").first.inner_text() == "#201"

        assert page.locator(".atlas-banner").is_visible()  # preview: not for publication

        page.goto(base + "issue-201/", wait_until="networkidle")
        banner = page.locator(".atlas-banner")
        assert banner.is_visible() and "numbers on this page are not checked" in banner.inner_text()
        hero = page.locator("figure.atlas-figure").first
        assert hero.is_visible()
        # the vendored Vega draws the interactive chart and hides the static SVG fallback
        assert page.evaluate("typeof window.vegaEmbed === 'function'")
        page.wait_for_selector("figure.atlas-figure[data-embedded='yes']", timeout=10_000)
        assert page.locator(".atlas-figure-view svg").first.is_visible()
        assert not page.locator("img.atlas-figure-static").first.is_visible()
        tables = page.locator("article table")
        assert tables.count() >= 3  # verdict counts, query result, artifacts
        page.locator("details summary").evaluate_all("els => els.forEach(e => e.click())")
        for i in range(tables.count()):  # every table, the figure files' once unfolded
            assert tables.nth(i).is_visible(), f"table {i} is hidden"
            assert tables.nth(i).locator("tbody tr").count() >= 1, f"table {i} has no rows"
        assert page.get_by_text("Cells per verdict.").is_visible()
        assert page.locator(".admonition.warning").count() == 2
        assert errors == [], errors


def test_search_finds_a_result_page(site_dir: Path) -> None:
    """Material's search box, or Zensical's search dialog (its own UI, same index contents)."""
    with serve(site_dir) as base, browser_page() as (page, errors):
        page.set_viewport_size({"width": 1400, "height": 900})
        page.goto(base + "issue-201/", wait_until="networkidle")
        dialog = page.locator("button.md-search__button")
        if dialog.count():  # Zensical
            dialog.first.click()
            results = page.locator("[role=option]")
        else:
            page.locator("input.md-search__input").click()
            results = page.locator(".md-search-result__item")
        page.keyboard.type("persona pairs")
        results.first.wait_for(timeout=10_000)
        assert "Result 2" in " ".join(results.all_inner_texts())
        assert errors == [], errors

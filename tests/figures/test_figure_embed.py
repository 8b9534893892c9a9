"""The page side: vendored Vega scripts, the <figure> snippet, and a real browser drawing it."""

from __future__ import annotations

import functools
import http.server
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from persona_atlas.figures import build_figures, embed_html, write_vendor_assets
from persona_atlas.figures import embed as embed_mod
from tests.site.browserkit import CHROMIUM_FLAGS

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

CHROMIUM = Path("/usr/bin/chromium")


def test_embed_html_snippet() -> None:
    html = embed_html("verdict_partition", "figures/v.vl.json", "figures/v.svg", 'KILL <419> & "1"')
    assert html.startswith('<figure class="atlas-figure" id="fig-verdict_partition"')
    assert 'data-vl-spec="figures/v.vl.json"' in html
    assert '<noscript><img class="atlas-figure-static" src="figures/v.svg"' in html
    assert 'data-svg="figures/v.svg"' in html
    assert "<figcaption>KILL &lt;419&gt; &amp; &quot;1&quot;</figcaption>" in html
    assert "\n\n" not in html  # one Markdown HTML block


def test_embed_html_inline_spec_cannot_close_its_script() -> None:
    html = embed_html("x", "x.vl.json", "x.svg", "c", spec={"title": "</script><b>"})
    inline = html.split('class="atlas-figure-spec">')[1].split("</script>")[0]
    assert json.loads(inline.replace("<\\/", "</")) == {"title": "</script><b>"}


def test_vendor_assets_written_once_in_order(tmp_path: Path) -> None:
    dest = tmp_path / "site" / "assets" / "vendor"
    paths = write_vendor_assets(dest, relative_to=tmp_path / "site")
    assert paths == ["assets/vendor/vega-bundle.js", "assets/vendor/atlas-figures.js"]
    bundle = dest / "vega-bundle.js"
    text = bundle.read_text()
    assert "window.vegaEmbed" in text and text.startswith("/* vega, vega-lite, vega-embed")
    assert oct(bundle.stat().st_mode & 0o777) == "0o644"
    before = bundle.stat().st_mtime_ns
    assert write_vendor_assets(dest) == ["vega-bundle.js", "atlas-figures.js"]
    assert bundle.stat().st_mtime_ns == before


def test_shipped_bundle_matches_installed_vl_convert() -> None:
    stamp = json.loads((embed_mod.VENDOR_DIR / embed_mod.STAMP).read_text())
    assert stamp["versions"] == embed_mod.bundle_versions(), (
        "vendored bundle is out of date: run "
        "`python -c 'from persona_atlas.figures.embed import refresh_vendor_dir as r; r()'`"
    )
    text = (embed_mod.VENDOR_DIR / embed_mod.BUNDLE).read_text()
    assert embed_mod.vendored_bundle() == text


# ------------------------------------------------------------------ browser


def chromium_or_skip() -> None:
    if not CHROMIUM.exists():
        reason = f"headless Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture
def served(tmp_path: Path, stored_doc: dict[str, Any]) -> Iterator[tuple[str, Path]]:
    from figure_fixtures import write_result

    folder = write_result(tmp_path, stored_doc, "issue-200")
    build_figures(
        folder, only=["per_persona_cos", "cosine_matrix_A_layer_20", "direction_vs_structure"]
    )
    scripts = write_vendor_assets(tmp_path / "assets" / "vendor", relative_to=tmp_path)
    fig = "results/issue-200/figures"
    spec = json.loads((folder / "figures" / "cosine_matrix_A_layer_20.vl.json").read_text())
    body = [
        embed_html("per_persona_cos", f"{fig}/per_persona_cos.vl.json",
                   f"{fig}/per_persona_cos.svg", "Per-persona cosine."),
        embed_html("cosine_matrix", f"{fig}/cosine_matrix_A_layer_20.vl.json",
                   f"{fig}/cosine_matrix_A_layer_20.svg", "Cosine matrix.", spec=spec),
        embed_html("direction", f"{fig}/direction_vs_structure.vl.json",
                   f"{fig}/direction_vs_structure.svg", "Direction vs structure."),
    ]  # fmt: skip
    tags = "".join(f'<script src="{s}"></script>' for s in scripts)
    page = f"<!doctype html><html><head><meta charset='utf-8'><link rel='icon' href='data:,'></head><body>{''.join(body)}{tags}</body></html>"
    (tmp_path / "index.html").write_text(page)
    broken = embed_html("broken", f"{fig}/missing.vl.json", f"{fig}/per_persona_cos.svg", "B.")
    (tmp_path / "broken.html").write_text(page.replace("".join(body), broken))
    handler = functools.partial(QuietHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/index.html", tmp_path
    finally:
        server.shutdown()
        server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.mark.slow
@pytest.mark.browser
def test_browser_draws_the_figures(served: tuple[str, Path]) -> None:
    chromium_or_skip()
    from playwright.sync_api import sync_playwright

    url, _ = served
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page()
            page.on("console", lambda m: m.type in ("error", "warning") and problems.append(m.text))
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
            page.goto(url)
            page.wait_for_function(
                "document.querySelectorAll('figure.atlas-figure[data-embedded=yes]').length == 3",
                timeout=30_000,
            )
            for fig_id in ("fig-per_persona_cos", "fig-cosine_matrix", "fig-direction"):
                view = page.locator(f"#{fig_id} .atlas-figure-view svg.marks")
                assert view.count() == 1
                box = view.bounding_box()
                assert box is not None and box["width"] > 200 and box["height"] > 150
                assert page.locator(f"#{fig_id} .atlas-figure-static").is_hidden()
            # Marks are drawn: 20 personas × 20 heatmap cells, dots for 80 personas.
            assert page.locator("#fig-cosine_matrix .mark-rect path").count() >= 400
            assert page.locator("#fig-per_persona_cos .mark-symbol path").count() == 80
            # Hover shows a Vega tooltip with the persona pair and its cosine.
            page.locator("#fig-cosine_matrix .mark-rect path").nth(21).hover()
            tooltip = page.locator("#vg-tooltip-element")
            tooltip.wait_for(state="visible", timeout=5_000)
            assert "cos" in tooltip.inner_text()
            # Hovering a line runs the pair-picking selection without errors.
            page.locator("#fig-direction .mark-line path").first.hover(force=True)
            page.wait_for_timeout(200)
        finally:
            browser.close()
    assert problems == []


@pytest.mark.slow
@pytest.mark.browser
def test_browser_shows_the_svg_when_embedding_fails(served: tuple[str, Path]) -> None:
    chromium_or_skip()
    from playwright.sync_api import sync_playwright

    url, _ = served
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page()
            page.goto(url.replace("index.html", "broken.html"))
            page.wait_for_selector("figure.atlas-figure[data-embedded=failed]", timeout=30_000)
            still = page.locator("#fig-broken .atlas-figure-view img.atlas-figure-static")
            still.wait_for(state="visible")
            assert page.evaluate("document.querySelector('#fig-broken img').naturalWidth") > 200
        finally:
            browser.close()


@pytest.mark.slow
@pytest.mark.browser
def test_static_svg_stays_without_javascript(served: tuple[str, Path]) -> None:
    chromium_or_skip()
    from playwright.sync_api import sync_playwright

    url, _ = served
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            page = browser.new_context(java_script_enabled=False).new_page()
            page.goto(url)
            still = page.locator("#fig-per_persona_cos img.atlas-figure-static")
            still.wait_for(state="visible")
            assert (
                page.evaluate("document.querySelector('#fig-per_persona_cos img').naturalWidth")
                > 200
            )
            assert page.locator("figcaption").first.inner_text() == "Per-persona cosine."
        finally:
            browser.close()

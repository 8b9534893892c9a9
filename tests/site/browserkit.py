"""Headless Debian Chromium (via Playwright, never a downloaded browser) + a localhost server,
and the site builders a browser test runs against.

A browser test opts in to every engine by parametrizing its site fixture:

    @pytest.fixture(scope="module", params=ENGINE_PARAMS)
    def site_dir(request, tmp_path_factory):
        root = make_site(tmp_path_factory.mktemp("x"))
        return build_for_browser(root, request.param, preview=True)
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from persona_atlas.site.engines import ENGINES

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]


# one param per engine (ids "mkdocs", "zensical"); known Zensical differences are marked where
# they are asserted (tests/site/test_engines.py), not here
ENGINE_PARAMS = [pytest.param(engine, id=engine) for engine in ENGINES]


def build_for_browser(root: Path, engine: str, **options: Any) -> Path:
    """Build ``root``'s site with ``engine`` into ``root/site``; return that folder."""
    from persona_atlas.site.build import BuildOptions, build_site

    if engine == "zensical":
        zensical_available()
    build_site(BuildOptions(root=root, engine=engine, **options))
    index = (root / "site" / "index.html").read_text(encoding="utf-8")
    assert f'<meta name="generator" content="{engine}-' in index, f"not built by {engine}"
    return root / "site"


def zensical_available() -> None:
    """Skip (fail under CI=true: make test installs it) when the pinned Zensical is missing."""
    from persona_atlas.errors import ConfigError
    from persona_atlas.site.zensical_run import check_installed

    try:
        check_installed()
    except ConfigError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{exc}: make test installs it, so CI must have it")
        pytest.skip(str(exc))


def chromium_path() -> str:
    """Path of Debian's chromium; skip (or fail under CI=true) when it is missing."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path:
        return path
    msg = "headless Chromium not installed (apt-get install chromium chromium-driver)"
    if os.environ.get("CI") == "true":
        pytest.fail(msg + ": .ci/run installs it, so CI must have it")
    pytest.skip(msg)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 (ephemeral port); yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def browser_page() -> Iterator[tuple[Any, list[str]]]:
    """A Playwright page plus the list that collects console errors and page errors."""
    from playwright.sync_api import sync_playwright

    exe = chromium_path()
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, headless=True, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            yield page, errors
        finally:
            browser.close()

"""Every page links to its annotated view (``<slug>/lint.html``, "numbers checked"), which
``atlas build`` writes beside it from the gate's lint, with either site engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from persona_atlas.site.build import BuildOptions, build_site
from tests.site.browserkit import zensical_available
from tests.site.sitekit import repo_with_committed_result


@pytest.fixture
def clean_repo(tmp_path: Path) -> Path:
    """A repository holding a copy of the committed #200 result, which passes lint."""
    return repo_with_committed_result(tmp_path)


@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
def test_each_page_links_to_its_numbers_checked_view(clean_repo: Path, engine: str) -> None:
    if engine == "zensical":
        zensical_available()
    build_site(BuildOptions(root=clean_repo, engine=engine))  # mkdocs runs --strict
    site = clean_repo / "site" / "issue-200"
    view = (site / "lint.html").read_text(encoding="utf-8")
    assert 'class="n v-supported' in view and "Numbers checked" in view
    assert "numbers checked" in (site / "index.html").read_text(encoding="utf-8")
    assert 'href="lint.html"' in (site / "index.html").read_text(encoding="utf-8")
    assert not (clean_repo / "results" / "issue-200" / "lint.html").exists()


def test_without_the_gate_the_view_says_not_checked(clean_repo: Path) -> None:
    build_site(BuildOptions(root=clean_repo, lint=False, run_mkdocs=False))
    view = (clean_repo / "build" / "docs" / "issue-200" / "lint.html").read_text("utf-8")
    assert "Numbers not checked" in view

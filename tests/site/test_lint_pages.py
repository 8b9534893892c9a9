"""Every page links to its annotated view (``<slug>/lint.html``, "numbers checked"), which
``atlas build`` writes beside it from the gate's lint, with either site engine."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from persona_atlas.site.build import BuildOptions, build_site
from tests.site.browserkit import zensical_available
from tests.site.sitekit import ROOT, git


@pytest.fixture
def clean_repo(tmp_path: Path) -> Path:
    """A repository holding a copy of the committed #200 result, which passes lint."""
    root = tmp_path / "repo"
    (root / "results").mkdir(parents=True)
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(ROOT / "templates", root / "templates")
    shutil.copytree(ROOT / "results" / "issue-200", root / "results" / "issue-200")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "results")
    return root


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

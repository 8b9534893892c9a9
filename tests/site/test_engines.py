"""`atlas build --engine`: MkDocs + Material (default) and Zensical build the same site from the
same generated config; what Zensical does differently is pinned here (docs/reports.md,
"Building"), so a fix in a later Zensical shows up as a failing test."""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

import pytest

from persona_atlas.errors import ConfigError, ReportError
from persona_atlas.site.build import BuildOptions, build_site
from persona_atlas.site.engines import DEFAULT_ENGINE, ENGINES, check_engine
from persona_atlas.site.zensical_run import ZENSICAL_VERSION, check_installed, zensical_config
from tests.site.browserkit import zensical_available
from tests.site.sitekit import REPO_URL, ROOT, add_result, make_site
from tests.site.sitekit import REPORT as FIXTURE_REPORT

# Material features the reports use, in one page: footnotes, md_in_html, attr_list, details
# (a str.format template, like sitekit.REPORT: braces doubled)
FEATURES = """
A claim with a note.[^probe]

[^probe]: The footnote text.

<div class="atlas-probe-block" markdown>
**bold inside an HTML block**
</div>

A paragraph with a class.
{{: .atlas-probe-attr }}

??? note "Folded details"
    Inside the fold.

"""


def _build(root: Path, engine: str, **kw: object) -> Path:
    if engine == "zensical":
        zensical_available()
    build_site(BuildOptions(root=root, engine=engine, lint=False, **kw))  # type: ignore[arg-type]
    return root / "site"


def _article(page: Path) -> str:
    text = page.read_text(encoding="utf-8")
    return text[text.index("<article") : text.index("</article>")]


def _shape(article: str) -> dict[str, int]:
    """What a reader sees in a page body, counted."""
    probes = {
        "tables": r"<table",
        "figures": r'class="atlas-figure[" ]',
        "admonitions": r'class="admonition',
        "footnotes": r'class="footnote-ref"',
        "md_in_html": r'class="atlas-probe-block"',
        "attr_list": r'class="atlas-probe-attr"',
        "details": r"<details",
        "headings": r"<h[1-4]",
        "permalinks": r'class="headerlink"',
        "issue_links": r'href="\.\./issue-\d+/"',
        "pinned_links": re.escape(REPO_URL) + r"/(?:blob|tree)/[0-9a-f]{40}",
    }
    return {name: len(re.findall(p, article)) for name, p in probes.items()}


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The fixture site (plus a page using every Markdown feature) built by each engine."""
    out: dict[str, Path] = {}
    for engine in ENGINES:
        root = make_site(tmp_path_factory.mktemp(engine))
        add_result(
            root,
            218,
            other=201,
            derives="[201]",
            report=FIXTURE_REPORT.replace("## Caveats", FEATURES + "## Caveats"),
        )
        out[engine] = _build(root, engine)
    return out


def test_default_engine_is_mkdocs_material() -> None:
    assert DEFAULT_ENGINE == "mkdocs" and BuildOptions().engine == "mkdocs"
    assert ENGINES == ("mkdocs", "zensical")


def test_unknown_engine_is_a_one_line_error() -> None:
    with pytest.raises(ConfigError, match=r"unknown site engine 'hugo'.*") as exc:
        check_engine("hugo")
    assert "mkdocs, zensical" in str(exc.value)


def test_zensical_of_another_version_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def missing(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", missing)
    with pytest.raises(ConfigError, match="it is not installed") as exc:
        check_installed()
    assert f"zensical=={ZENSICAL_VERSION}" in str(exc.value)
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "0.0.1")
    with pytest.raises(ConfigError, match=r"it is 0\.0\.1"):
        check_installed()


def test_zensical_is_pinned_in_the_dev_extra() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert f'"zensical=={ZENSICAL_VERSION}"' in pyproject


def test_zensical_config_is_relative_to_the_build_folder(tmp_path: Path) -> None:
    build_dir = tmp_path / "build"
    config = {"site_name": "x", "docs_dir": str(build_dir / "docs"), "site_dir": "/elsewhere"}
    rewritten = zensical_config(config, build_dir)
    assert rewritten["docs_dir"] == "docs" and rewritten["site_dir"] == "zensical-site"
    assert rewritten["theme"]["variant"] == "classic"  # Material's look, not Zensical's new one
    with pytest.raises(ConfigError, match="not inside"):
        zensical_config({**config, "docs_dir": str(tmp_path / "other")}, build_dir)


def test_both_engines_build_the_same_pages(sites: dict[str, Path]) -> None:
    pages = {
        engine: sorted(p.relative_to(site).as_posix() for p in site.rglob("index.html"))
        for engine, site in sites.items()
    }
    assert (
        pages["mkdocs"]
        == pages["zensical"]
        == [
            "index.html",
            "issue-201/index.html",
            "issue-218/index.html",
        ]
    )
    for page in pages["mkdocs"]:
        shapes = {engine: _shape(_article(site / page)) for engine, site in sites.items()}
        assert shapes["mkdocs"] == shapes["zensical"], page
    shape = _shape(_article(sites["zensical"] / "issue-218" / "index.html"))
    assert shape["footnotes"] == 1 and shape["md_in_html"] == 1 and shape["attr_list"] == 1
    assert shape["admonitions"] >= 2 and shape["details"] >= 1 and shape["pinned_links"] >= 1


def test_both_engines_use_our_assets_theme_override_and_footer(sites: dict[str, Path]) -> None:
    generators = {"mkdocs": "mkdocs-1.", "zensical": f"zensical-{ZENSICAL_VERSION}"}
    for engine, site in sites.items():
        page = (site / "issue-201" / "index.html").read_text(encoding="utf-8")
        assert f'<meta name="generator" content="{generators[engine]}' in page, engine
        for asset in ("assets/atlas.css", "assets/atlas.js", "assets/vendor/vega-bundle.js"):
            assert re.search(rf'"(?:\.\./|\./)?{re.escape(asset)}"', page), (engine, asset)
            assert (site / asset).is_file(), (engine, asset)
        # templates/mkdocs/partials/source.html: the repository link without the GitHub API
        assert f'<a href="{REPO_URL}" title="' in page, engine
        assert 'data-md-component="source"' not in page, engine
        assert "Built from " in page, engine  # the generated copyright line
        assert (site / "atlas-build.json").is_file(), engine


def test_known_difference_zensical_shows_page_tags_without_the_tags_plugin(
    sites: dict[str, Path],
) -> None:
    # Zensical renders a page's `tags:` meta under the article; Material needs its tags plugin
    mk = (sites["mkdocs"] / "issue-201" / "index.html").read_text(encoding="utf-8")
    zen = (sites["zensical"] / "issue-201" / "index.html").read_text(encoding="utf-8")
    assert 'class="md-tags"' not in mk
    assert 'class="md-tags"' in zen


def test_known_difference_search_index_file(sites: dict[str, Path]) -> None:
    assert (sites["mkdocs"] / "search" / "search_index.json").is_file()
    assert (sites["zensical"] / "search.json").is_file()
    assert not (sites["zensical"] / "search" / "search_index.json").exists()


BROKEN = FIXTURE_REPORT.replace("## Caveats", "See [the notes](notes.md).\n\n## Caveats")
MISSING_IMAGE = FIXTURE_REPORT.replace("## Caveats", "![a plot](missing.png)\n\n## Caveats")


@pytest.mark.parametrize("engine", ENGINES)
def test_a_link_to_a_missing_page_fails_either_build(tmp_path: Path, engine: str) -> None:
    root = make_site(tmp_path)
    add_result(root, 218, other=201, derives="[201]", report=BROKEN)
    with pytest.raises(ReportError, match=r"(?s)build --strict failed.*notes\.md") as exc:
        _build(root, engine)
    assert not (root / "site").exists()  # nothing published
    where = {"mkdocs": "results/issue-218/report.md", "zensical": "build/docs/issue-218/index.md:"}
    assert where[engine] in str(exc.value) and "\x1b[" not in str(exc.value)


def test_known_difference_zensical_strict_passes_a_missing_image(tmp_path: Path) -> None:
    """Zensical 0.0.73 --strict reports links to missing pages, not to missing images or
    files; MkDocs fails the build. When this test fails, Zensical checks them too: move the
    case into the test above."""
    zensical_available()
    root = make_site(tmp_path)
    add_result(root, 218, other=201, derives="[201]", report=MISSING_IMAGE)
    with pytest.raises(ReportError, match=r"missing\.png"):
        _build(root, "mkdocs")
    site = _build(root, "zensical")
    assert 'src="missing.png"' in (site / "issue-218" / "index.html").read_text(encoding="utf-8")

"""`atlas build`: pages, index, cross-links, commit pinning, strictness, atomic output."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from persona_atlas.errors import InputFileError, ReportError
from persona_atlas.files import sha256_file
from persona_atlas.site.build import BuildOptions, build_site
from tests.site.sitekit import add_result, git, make_site


def _build(root: Path, **kw: object):
    kw.setdefault(
        "lint", False
    )  # the fixture reports are not lint-clean; the gate has its own tests
    return build_site(BuildOptions(root=root, **kw))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_site(tmp_path_factory.mktemp("site"))
    # a later commit that does not touch results/issue-201: pins must not move to it
    (root / "README.md").write_text("later\n")
    git(root, "add", "README.md")
    git(root, "commit", "-qm", "later")
    _build(root)
    return root


def test_page_has_everything_a_reader_needs(built: Path) -> None:
    page = (built / "site" / "issue-201" / "index.html").read_text()
    assert "Confidence: HIGH" in page and "atlas-conf-high" in page
    assert "published" in page and "2026-05-01" in page
    assert "37,675 persona pairs" in page  # bound number, formatted
    assert "-0.10 to 0.93" in page
    assert "<td>GREY</td>" in page  # table from result.json
    assert re.search(r"<td[^>]*>419</td>", page)
    assert "Cells per verdict." in page
    assert re.search(r"<td>A vs B</td>\s*<td[^>]*>0.8209</td>", page)  # DuckDB query, sorted
    assert 'data-vl-spec="figures/scatter.vl.json"' in page  # hero, interactive + static
    assert 'src="figures/scatter.svg"' in page and "A scatter." in page
    assert (built / "site" / "issue-201" / "figures" / "scatter.svg").exists()
    assert "admonition warning" in page and "Small model" in page  # caveats as admonitions
    assert "geometry may be prompt-specific" in page


def test_cross_links_and_backlinks(built: Path) -> None:
    p201 = (built / "site" / "issue-201" / "index.html").read_text()
    p218 = (built / "site" / "issue-218" / "index.html").read_text()
    assert 'href="../issue-218/">#218</a>' in p201  # "#218" in prose links to its page
    assert "Built on by" in p201 and "#218 — Result 218" in p201  # backlink from derives_from
    assert "Derives from" in p218 and 'href="../issue-201/"' in p218


def test_artifacts_are_hashed_and_pinned_to_the_result_commit(built: Path) -> None:
    page = (built / "site" / "issue-201" / "index.html").read_text()
    result_commit = git(built, "log", "-1", "--format=%H", "--", "results/issue-201")
    head = git(built, "rev-parse", "HEAD")
    assert result_commit != head
    sha = sha256_file(built / "results" / "issue-201" / "result.json")
    assert sha[:16] in page
    assert f"/blob/{result_commit}/results/issue-201/result.json" in page
    assert "/blob/main/" not in page and "/tree/main" not in page
    footer = f"Built from {head[:12]}"
    assert footer in page and head[:12] in (built / "site" / "index.html").read_text()


def test_index_lists_every_result_sortable(built: Path) -> None:
    index = (built / "site" / "index.html").read_text()
    assert 'class="atlas-sortable atlas-index"' in index
    for issue in (201, 218):
        assert f'href="issue-{issue}/"' in index
    assert "MODERATE" in index and "KILL" in index and "recipes" in index
    assert (built / "site" / "assets" / "atlas.js").exists()
    search = json.loads((built / "site" / "search" / "search_index.json").read_text())
    titles = " ".join(d["title"] for d in search["docs"])
    assert "Result 201" in titles


def test_no_cdn_in_any_page(built: Path) -> None:
    for page in (built / "site").rglob("*.html"):
        text = page.read_text()
        assert "fonts.googleapis" not in text, page
        assert 'data-md-component="source"' not in text, page  # would call the GitHub API
        assert not re.search(r'<script[^>]+src="https?://', text), page
        assert not re.search(r'<link[^>]+href="https?://[^"]+\.css', text), page


def test_dirty_tree_is_reported(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    (root / "results" / "issue-201" / "extra.txt").write_text("new\n")
    _build(root)
    page = (root / "site" / "issue-201" / "index.html").read_text()
    # the footer names the build commit and says the tree was dirty; so does the index
    assert re.search(
        r"Page built from .*<code>[0-9a-f]{7,}</code>.* with uncommitted changes", page
    )
    index = (root / "site" / "index.html").read_text()
    assert re.search(r"Built from .*<code>[0-9a-f]{7,}</code>.* with uncommitted changes", index)
    assert re.search(r"<code>results/issue-201/extra.txt</code></td>.*uncommitted", page, re.S)


# ----------------------------------------------------------------------------- bad input


def _expect(root: Path, exc: type[Exception], pattern: str) -> None:
    with pytest.raises(exc, match=pattern):
        _build(root)


def test_failed_build_leaves_previous_site_intact(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    _build(root)
    before = (root / "site" / "index.html").read_text()
    (root / "results" / "issue-218" / "result.json").write_text('{"schema_version": "1", "x": NaN}')
    _expect(root, InputFileError, r"issue-218/result.json:1:\d+: non-finite")
    assert (root / "site" / "index.html").read_text() == before
    assert not list(root.glob("site.partial-*"))


def test_mkdocs_warning_fails_without_touching_output(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    report = root / "results" / "issue-201" / "report.md"
    report.write_text(report.read_text() + "\n[broken](nowhere.md)\n")
    _expect(
        root,
        ReportError,
        r"(?s)mkdocs build --strict failed:.*results/issue-201/report.md.*nowhere.md",
    )
    assert not (root / "site").exists()
    assert not list(root.glob("site.partial-*"))


@pytest.mark.parametrize(
    ("edit", "exc", "pattern"),
    [
        (
            lambda t: t.split("---", 2)[2],
            ReportError,
            r"issue-201/report.md:1: report has no front matter",
        ),
        (
            lambda t: t.replace("confidence: HIGH", "confidence: SURE"),
            ReportError,
            r"report.md:4: confidence",
        ),
        (
            lambda t: t.replace("status: published", "status: done"),
            ReportError,
            r"report.md:5: status",
        ),
        (
            lambda t: t.replace('"metrics.ranges.cos_min.min"', '"metrics.ranges.cos_max.min"'),
            ReportError,
            r"report.md:18: value\('metrics.ranges.cos_max.min'\): .*no key 'cos_max'",
        ),
        (
            lambda t: t.replace('table("verdict_counts")', 'table("nope")'),
            ReportError,
            r"report.md:21: table\('nope'\): result.json has no such table",
        ),
        (
            lambda t: t.replace("{{ table(", "{{ table(("),
            ReportError,
            r"report.md:\d+: template syntax error",
        ),
        (
            lambda t: t.replace('", ",d")', '", ".2q")'),
            ReportError,
            r"report.md:17: .*bad format spec",
        ),
        (
            lambda t: t + "\n{{ undefined_name }}\n",
            ReportError,
            r"report.md:\d+: 'undefined_name' is undefined",
        ),
        (
            lambda t: t.replace("hero: scatter", "hero: missing"),
            ReportError,
            r"hero 'missing' is not one of",
        ),
    ],
    ids=[
        "no-front-matter",
        "confidence",
        "status",
        "missing-key",
        "missing-table",
        "syntax",
        "format",
        "undefined",
        "hero",
    ],
)
def test_bad_reports_name_file_and_line(tmp_path: Path, edit, exc, pattern) -> None:  # type: ignore[no-untyped-def]
    root = make_site(tmp_path)
    report = root / "results" / "issue-201" / "report.md"
    report.write_text(edit(report.read_text()))
    _expect(root, exc, pattern)
    assert not (root / "site").exists()


def test_two_reports_claiming_one_issue(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    clash = root / "results" / "issue-999"
    clash.mkdir()
    text = (root / "results" / "issue-201" / "report.md").read_text()
    (clash / "report.md").write_text(text)
    _expect(
        root,
        ReportError,
        r"issue-999/report.md:2: front matter says issue 201 but the folder is issue-999",
    )
    (clash / "report.md").unlink()
    clash.rmdir()
    other = root / "results" / "legacy-copy"
    other.mkdir()
    (other / "report.md").write_text(text)
    _expect(root, ReportError, r"issue 201 is already claimed by")


def test_broken_page_template_names_template_and_line(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    (root / "templates" / "page.md.j2").write_text("# {{ page.front.title }\n")
    _expect(root, ReportError, r"templates/page.md.j2:1: ")
    (root / "templates" / "page.md.j2").write_text("# title\n\n{{ page.no_such_field }}\n")
    _expect(root, ReportError, r"templates/page.md.j2:3: UndefinedError: .*no_such_field")
    (root / "templates" / "page.md.j2").write_text("{{ page.front.title + 1 }}\n")
    _expect(root, ReportError, r"templates/page.md.j2:1: TypeError: ")


def test_error_in_a_partial_names_the_partial(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    badges = root / "templates" / "partials" / "badges.md.j2"
    badges.write_text(badges.read_text() + "\n{{ page.front.no_such_field }}\n")
    line = badges.read_text().count("\n")
    _expect(root, ReportError, rf"templates/partials/badges.md.j2:{line}: .*no_such_field")


def test_result_for_another_issue_and_missing_result(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    add_result(
        root,
        300,
        result={**json.loads((root / "results/issue-201/result.json").read_text()), "issue": 301},
    )
    _expect(root, ReportError, r"issue-300/result.json: result is for issue 301")
    (root / "results" / "issue-300" / "result.json").unlink()
    _expect(root, ReportError, r"issue-300/report.md: no result.json beside the report")


def test_page_templates_are_sandboxed_and_autoescaped(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    page = root / "templates" / "page.md.j2"
    page.write_text("{{ page.front.__class__.__init__.__globals__ }}\n")
    _expect(root, ReportError, r"templates/page.md.j2:1: SecurityError: .*unsafe")
    page.write_text("---\n{{ page.meta_yaml }}---\n\n<p>{{ '<b>' ~ page.front.title }}</p>\n")
    _build(root)
    assert "<p>&lt;b&gt;Result 201</p>" in (root / "site" / "issue-201" / "index.html").read_text()

"""Data from result.json becomes text, never markup: table(), query() and value() escape it.

A persona name, a column name or a table description that holds HTML or Markdown must show
as exactly that text, inside one table cell, and nothing of it may survive as a tag, an
attribute, a link or an image in the built site.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import markdown

from persona_atlas.reports.escaping import markdown_cell, markdown_text
from persona_atlas.reports.render import bound_value, query_table, table_markdown
from persona_atlas.schema import ResultFile, Table, load_result
from persona_atlas.site.build import BuildOptions, build_site
from tests.lint.lintkit import FIXTURE
from tests.site.sitekit import git, make_site, result_doc

XSS = "<img src=x onerror=alert(1)>"
HOSTILE = [
    XSS,
    "<script>alert(1)</script>",
    "[click](javascript:alert(1))",
    "![pixel](https://example.org/t.png)",
    "a | b",
    "back\\",
    "x\\|y",
    "`code | x`",
    'cell {: onclick="alert(1)" }',
    "B* vs C*",
    "<https://example.org>",
    "&amp; &lt;",
    "two\nlines",
]
EXTENSIONS = ["tables", "attr_list", "md_in_html"]


def _html(md: str) -> str:
    return markdown.markdown(md, extensions=EXTENSIONS)


def _cells(html: str) -> list[list[str]]:
    rows = re.findall(r"<tr>(.*?)</tr>", html, re.S)
    return [re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", r, re.S) for r in rows]


def _text(cell: str) -> str:
    return (
        cell.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
    )


def _assert_inert(html: str) -> None:
    assert "<img" not in html and "<script" not in html and "<a " not in html
    assert "onclick=" not in html.replace("onclick=&quot;", "")


def test_table_cells_and_column_names_are_text() -> None:
    t = Table(
        columns=["persona", XSS, "n"],
        rows=[[v, v, i] for i, v in enumerate(HOSTILE)],
        description="Made by <b>us</b> [x](javascript:alert(1))",
    )
    md = table_markdown(t)
    html = _html(md)
    _assert_inert(html)
    head, *rows = _cells(html)
    assert [_text(c) for c in head] == ["persona", XSS, "n"]
    assert len(rows) == len(HOSTILE)
    for value, row in zip(HOSTILE, rows, strict=True):
        assert len(row) == 3, row
        assert _text(row[0]) == value.replace("\n", " ")
    assert "<b>" not in html and "Made by &lt;b&gt;us&lt;/b&gt;" in html


def test_query_output_is_escaped() -> None:
    doc = json.loads((FIXTURE / "result.json").read_text())
    doc["tables"]["cells"]["rows"][0][0] = XSS
    result = ResultFile.model_validate(doc)
    md = table_markdown(query_table(result, 'SELECT pair AS "<b>p</b>", layer FROM cells'))
    html = _html(md)
    _assert_inert(html)
    assert "<b>" not in html
    assert _text(_cells(html)[1][0]) == XSS


def test_string_valued_binding_is_escaped() -> None:
    doc = {"verdict": XSS, "n": 3}
    assert bound_value(doc, None, {}, "verdict") == markdown_text(XSS)
    assert "<img" not in bound_value(doc, None, {}, "verdict")
    assert bound_value(doc, None, {}, "n") == "3"


def test_escaping_keeps_numbers_as_they_are() -> None:
    for s in ("0.9612", "-0.10", "37,675", "1.0e-05", "42%"):
        assert markdown_cell(s) == s and markdown_text(s) == s
    result = load_result(FIXTURE / "result.json")
    assert "| A vs B | 7 |" in table_markdown(result.tables["cells"], columns=["pair", "layer"])


def test_built_site_holds_no_data_markup(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    doc = result_doc(201)
    doc["tables"]["cells"]["rows"][0][0] = XSS
    doc["tables"]["cells"]["columns"][4] = "<i>verdict</i>"
    doc["tables"]["verdict_counts"]["rows"][0][0] = "[x](javascript:alert(1))"
    doc["tables"]["verdict_counts"]["description"] = "<script>alert(1)</script>"
    (root / "results" / "issue-201" / "result.json").write_text(json.dumps(doc, indent=2))
    git(root, "commit", "-qam", "hostile data")
    build_site(BuildOptions(root=root, lint=False))  # the sitekit reports are not lint-clean
    page = (root / "site" / "issue-201" / "index.html").read_text()
    for html in [p.read_text() for p in (root / "site").rglob("*.html")]:
        assert "<img src=x" not in html and "<script>alert" not in html
        assert 'href="javascript:' not in html
        assert "<i>verdict" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "[x](javascript:alert(1))" in page  # shown as text, not a link
    assert not (tmp_path / "x").exists()

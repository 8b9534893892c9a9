"""The annotated view: `atlas lint --format html` colours each number by its verdict and
explains it on hover and tap; `--format json` gives one record per number. Everything taken
from the report or its JSON is escaped (reports come from pull requests)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from persona_atlas import cli
from persona_atlas.lint import lint_file, lint_report
from persona_atlas.lint.annotate import as_html, records, verdict_counts
from tests.lint.lintkit import REPO

WRITEUP = """# Write-up <img src=x onerror=alert(1)>

The mean cosine was 0.61 across layers, and the `spearman_rho` was 0.93 <script>confirm(2)</script>.
We used pytorch 2.4.0 for this. The held-out score was 0.77. <!-- lint-allow 0.77: quoted -->
"""
HOSTILE_KEY = "<img src=x onerror=alert(3)>"


@pytest.fixture
def writeup(tmp_path: Path) -> tuple[Path, Path]:
    md, js = tmp_path / "w.md", tmp_path / "r.json"
    md.write_text(WRITEUP, encoding="utf-8")
    js.write_text(
        json.dumps({"mean_cosine": 0.6102, "spearman_rho": 0.41, HOSTILE_KEY: 0.93}),
        encoding="utf-8",
    )
    return md, js


class _Tags(HTMLParser):
    """Every start tag of the page, with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(page)
    return parser.tags


def _spans(page: str) -> dict[str, dict[str, str | None]]:
    return {
        a["data-info"].split(":")[0]: a  # type: ignore[union-attr]
        for tag, a in _tags(page)
        if tag == "span" and "n" in (a.get("class") or "").split()
    }


def test_each_number_is_coloured_by_its_verdict(writeup: tuple[Path, Path]) -> None:
    md, js = writeup
    page = as_html(lint_file(md, [js]))
    spans = _spans(page)
    assert spans["0.61"]["class"] == "n v-supported"
    assert spans["0.93"]["class"] == "n v-contradicted"
    assert spans["2.4"]["class"] == "n v-exempt"
    assert spans["0.77"]["class"] == "n v-allowed"
    info = spans["0.61"]["title"] or ""
    assert "path: r:mean_cosine" in info and "stored: 0.6102" in info and "reason:" in info
    assert spans["0.61"]["tabindex"] == "0"  # reachable by keyboard, pinned by tap or Enter
    assert 'id="pin"' in page and "textContent" in page  # the popover never parses HTML
    css = page[page.index("<style>") : page.index("</style>")]
    colours = {v: re.search(rf"\.v-{v}\{{background:(#[0-9a-f]+)", css) for v in
               ("supported", "contradicted", "unverified", "exempt", "allowed")}  # fmt: skip
    assert all(colours.values()) and len({m.group(1) for m in colours.values() if m}) == 5


def test_legend_and_summary_counts_are_at_the_top(writeup: tuple[Path, Path]) -> None:
    md, js = writeup
    page = as_html(lint_file(md, [js]))
    head = page[: page.index('<pre class="prose">')]
    assert "6 numbers: 1 supported, 1 contradicted, 1 unverified, 2 exempt, 1 allowed" in head
    for verdict in ("supported", "contradicted", "unverified", "exempt", "allowed"):
        assert f'<span class="v-{verdict}"' in head


def test_the_page_is_self_contained(writeup: tuple[Path, Path]) -> None:
    md, js = writeup
    for tag, attrs in _tags(as_html(lint_file(md, [js]))):
        assert tag != "link" and "src" not in attrs and "href" not in attrs, (tag, attrs)


def test_a_hostile_report_and_json_key_leave_no_live_tag(writeup: tuple[Path, Path]) -> None:
    md, js = writeup
    page = as_html(lint_file(md, [js]))
    tags = {tag for tag, _ in _tags(page)}
    assert "img" not in tags
    assert [tag for tag, _ in _tags(page)].count("script") == 1  # ours, at the end
    assert not any(k.startswith("on") for _, a in _tags(page) for k in a)
    parser = _Tags()
    parser.feed(page)
    shown = "".join(parser.text)  # what a reader sees: the hostile text, as text
    assert "<img src=x onerror=alert(1)>" in shown and "<script>confirm(2)</script>" in shown
    assert any(HOSTILE_KEY in (a.get("title") or "") for _, a in parser.tags)  # as text too
    assert "confirm(2)</script>" not in page


def test_bound_values_are_supported_and_marked_bound() -> None:
    report = REPO / "results" / "issue-200" / "report.md"
    lint = lint_report(report)
    page = as_html(lint)
    assert 'class="n v-supported bound"' in page
    assert "{{ value(" not in page or "&quot;" in page  # the expression shows, escaped
    counts = verdict_counts(records(lint))
    assert counts["supported"] == lint.counts()["matched"] + lint.counts()["bound"]
    highlighted = len(re.findall(r'<span class="n ', page))
    assert highlighted == sum(counts.values())  # every number found where lint says


def test_json_gives_one_record_per_number_and_counts_per_verdict(
    writeup: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    md, js = writeup
    rc = cli.main(["lint", str(md), "--against", str(js), "--format", "json"])
    assert rc == 1
    doc = json.loads(capsys.readouterr().out)
    report = doc["reports"][0]
    recs = {r["text"]: r for r in report["records"]}
    assert recs["0.61"] == {
        "line": 3, "col": 21, "text": "0.61", "verdict": "supported", "status": "matched",
        "path": "r:mean_cosine", "stored": 0.6102, "reason": "rounds to the stored value",
        "source": "prose",
    }  # fmt: skip
    assert recs["0.93"]["verdict"] == "contradicted"
    assert recs["0.93"]["path"] == "r:spearman_rho" and recs["0.93"]["stored"] == 0.41
    assert recs["0.77"]["verdict"] == "allowed" and "quoted" in recs["0.77"]["reason"]
    for key in ("supported", "contradicted", "unverified", "exempt", "allowed", "checked"):
        assert key in doc["summary"] and key in report["summary"]
    assert doc["summary"]["contradicted"] == 1 and doc["summary"]["supported"] == 1
    assert recs["2"]["verdict"] == "unverified"  # a count the JSON does not hold
    assert recs["2"]["reason"].startswith("unverified: a whole number")
    number = report["numbers"][1]  # the old fields stay; the new ones are added
    assert number["token"] == number["text"] == "0.61" and number["verdict"] == "supported"


def test_html_to_a_file_and_only_for_one_report(
    writeup: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    md, js = writeup
    out = tmp_path / "view.html"
    rc = cli.main(["lint", str(md), "--against", str(js), "--format", "html", "-o", str(out)])
    assert rc == 1 and out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert capsys.readouterr().out == ""
    rc = cli.main(["lint", str(md), str(md), "--against", str(js), "--format", "html"])
    err = capsys.readouterr().err
    assert rc != 0 and "--format html shows one report, 2 were given" in err

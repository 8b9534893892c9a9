"""Relations between results: both directions, each result once, never the page itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from persona_atlas.site.build import BuildOptions, build_site
from persona_atlas.site.relations import Declared, Related, Relations
from tests.site.sitekit import add_result, git, make_site

# the committed results' shape: #201 names itself as a source issue and mentions #200, which
# uses #201's data and which #201 derives from, so #200 once listed #201 three times
COMMITTED = [
    Declared(200, source_issues=(201,), mentions=frozenset({201})),
    Declared(201, derives_from=(200,), source_issues=(201, 218), mentions=frozenset({200, 201})),
    Declared(7, derives_from=(201,), mentions=frozenset({201})),
]


def test_each_related_result_once_and_never_the_page_itself() -> None:
    rel = Relations(COMMITTED)
    assert rel.related(200) == [Related(201, "derived_by", ("this result uses its data",))]
    assert [(r.issue, r.relation) for r in rel.related(201)] == [
        (200, "derives_from"),
        (7, "derived_by"),
        (218, "source_issues"),
    ]
    for issue in (200, 201, 7):
        shown = [r.issue for r in rel.related(issue)]
        assert issue not in shown
        assert len(shown) == len(set(shown))


def test_both_directions_of_every_relation() -> None:
    rel = Relations(
        [
            Declared(1),
            Declared(2, derives_from=(1,)),
            Declared(3, supersedes=(1,), source_issues=(2,)),
            Declared(4, mentions=frozenset({2})),
        ]
    )
    assert [(r.issue, r.relation) for r in rel.related(2)] == [
        (1, "derives_from"),
        (3, "data_used_by"),
        (4, "mentioned_in"),
    ]
    assert [(r.issue, r.relation) for r in rel.related(3)] == [
        (1, "supersedes"),
        (2, "source_issues"),
    ]
    # #1 lists what builds on it; what supersedes it is named apart (and on its badge)
    assert [(r.issue, r.relation) for r in rel.related(1)] == [(2, "derived_by")]
    assert rel.superseded_by(1) == [3]
    assert rel.superseded_by(3) == []


def test_repeated_and_self_declarations_are_dropped() -> None:
    rel = Relations([Declared(5, supersedes=(5, 6, 6), derives_from=(6,)), Declared(6)])
    assert rel.related(5) == [Related(6, "supersedes", ("this result builds on it",))]
    assert rel.superseded_by(5) == []
    assert rel.parents(5) == [("supersedes", 6)]


def test_lineage_orders_each_family_parents_first_and_survives_cycles() -> None:
    rel = Relations(COMMITTED)
    assert rel.lineage() == [(200, 0), (201, 1), (7, 2)]  # the 200 <-> 201 cycle is cut at 200
    rel = Relations(
        [
            Declared(10),
            Declared(11, derives_from=(10,)),
            Declared(12, supersedes=(10,)),
            Declared(13, derives_from=(10, 12)),  # under its deepest parent, #12
            Declared(20),  # stands alone: not in the lineage
            Declared(30, derives_from=(31,)),
            Declared(31, derives_from=(30,)),
        ]
    )
    assert rel.lineage() == [(10, 0), (11, 1), (12, 1), (13, 2), (30, 0), (31, 1)]


def test_a_chain_of_500_is_ordered_without_recursion() -> None:
    chain = [Declared(1000)] + [Declared(1000 + i, derives_from=(999 + i,)) for i in range(1, 500)]
    lineage = Relations(chain).lineage()
    assert [n for n, _ in lineage] == list(range(1000, 1500))
    assert lineage[-1] == (1499, 499)


# ----------------------------------------------------------------------------- built pages


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_site(tmp_path_factory.mktemp("relations"))  # #218 derives from #201
    # #201 names itself as a source issue and #218 twice; #230 supersedes #201
    report = root / "results" / "issue-201" / "report.md"
    report.write_text(
        report.read_text().replace("source_issues: [201]", "source_issues: [201, 218, 218]")
    )
    add_result(root, 230, other=201, derives="[201]")
    r230 = root / "results" / "issue-230" / "report.md"
    r230.write_text(
        r230.read_text().replace("derives_from: [201]", "supersedes: [201]\nderives_from: [201]")
    )
    git(root, "add", "-A")
    git(root, "commit", "-qm", "relations")
    build_site(BuildOptions(root=root, lint=False))
    return root


def _related(root: Path, issue: int) -> str:
    page = (root / "site" / f"issue-{issue}" / "index.html").read_text()
    return page.split('id="related-results"')[1].split("<h2")[0]


def test_pages_list_each_related_result_once(built: Path) -> None:
    for issue in (201, 218, 230):
        related = _related(built, issue)
        linked = re.findall(r'href="\.\./issue-(\d+)/"', related)
        assert str(issue) not in linked, (issue, related)  # no self-reference
        assert len(linked) == len(set(linked)), (issue, related)  # no duplicate
    p201 = _related(built, 201)
    assert "Superseded by:</strong>" in p201 and 'href="../issue-230/"' in p201
    assert "Built on by:</strong>" in p201 and 'href="../issue-218/"' in p201
    assert "also: this result uses its data" in p201  # #201 also lists #218 as a source issue
    p230 = _related(built, 230)
    assert "Supersedes:</strong>" in p230 and "also: this result builds on it" in p230
    assert "superseded</span>" in p230  # the result it names is marked superseded


def test_index_marks_superseded_results_and_draws_the_lineage(built: Path) -> None:
    index = (built / "site" / "index.html").read_text()
    row = re.search(r'<tr data-tags=[^>]*data-superseded="yes"[^>]*><td data-value="(\d+)"', index)
    assert row and row.group(1) == "201"
    assert index.count('data-superseded="yes"') == 1
    assert "superseded by <a" in index
    lineage = index.split('class="atlas-lineage"')[1].split("</details>")[0]
    order = re.findall(r'<li class="atlas-depth-(\d)"><a href="issue-(\d+)/"', lineage)
    assert order == [("0", "201"), ("1", "218"), ("1", "230")]


def test_a_superseded_page_says_so_at_the_top(built: Path) -> None:
    page = (built / "site" / "issue-201" / "index.html").read_text()
    header = page.split('class="atlas-header"')[1].split("</div>")[0]
    assert re.search(r'Superseded by <a href="\.\./issue-230/">#230</a>', header), header
    assert (
        "Superseded by"
        not in (built / "site" / "issue-230" / "index.html")
        .read_text()
        .split('class="atlas-header"')[1]
        .split("</div>")[0]
    )

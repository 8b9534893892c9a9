"""The annotated lint view (`atlas lint --format html`, `<slug>/lint.html` in the site)
shows a hostile report and hostile JSON as text: no live tag, no template code run, nothing
written outside the output folders."""

from __future__ import annotations

import json
import re
from pathlib import Path

from persona_atlas import cli
from persona_atlas.site.build import BuildOptions, build_site
from tests.site.sitekit import git, make_site

XSS = "<img src=x onerror=alert(1)>"
LIVE = re.compile(r"<img src=x|<script>alert|onerror=alert\(\d\)\"?>", re.IGNORECASE)


def _assert_inert(page: str) -> None:
    assert not LIVE.search(page), LIVE.search(page)
    assert page.count("<script") == 1  # the view's own popover script, nothing else


def test_hostile_writeup_and_json_key_in_the_cli_view(tmp_path: Path) -> None:
    canary = tmp_path / "CANARY"
    md, js, out = tmp_path / "w.md", tmp_path / "r.json", tmp_path / "out" / "view.html"
    md.write_text(
        f"# {XSS}\n\nThe score was 0.93 <script>alert(2)</script> and "
        f"{{{{ cycler.__init__.__globals__.os.system('touch {canary}') }}}} 0.61.\n",
        encoding="utf-8",
    )
    js.write_text(json.dumps({XSS: 0.93, f"{XSS}_b": 0.5}), encoding="utf-8")
    out.parent.mkdir()
    cli.main(["lint", str(md), "--against", str(js), "--format", "html", "-o", str(out)])
    page = out.read_text(encoding="utf-8")
    _assert_inert(page)
    assert "&lt;img src=x onerror=alert(" in page  # shown, as text
    assert not canary.exists()
    assert sorted(p.name for p in out.parent.iterdir()) == ["view.html"]


def test_hostile_report_prose_in_the_site_view(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    canary = tmp_path / "CANARY"
    report = root / "results" / "issue-201" / "report.md"
    report.write_text(
        report.read_text(encoding="utf-8").replace(
            "## TL;DR\n",
            f"## TL;DR\n\n{XSS} 0.61 <script>alert(2)</script> "
            f"{{# {{{{ cycler.__init__.__globals__.os.system('touch {canary}') }}}} #}}\n",
        ),
        encoding="utf-8",
    )
    git(root, "add", "-A")
    git(root, "commit", "-qm", "hostile prose")
    build_site(BuildOptions(root=root, preview=True, run_mkdocs=False))  # fails the gate
    page = (root / "build" / "docs" / "issue-201" / "lint.html").read_text(encoding="utf-8")
    _assert_inert(page)
    assert "&lt;img src=x onerror=alert(" in page  # shown, as text
    assert not canary.exists()
    assert not (root / "results" / "issue-201" / "lint.html").exists()

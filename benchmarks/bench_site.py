"""Site build throughput: 200 generated reports.

Prints pages per second and time per page of our render step (parse front matter, load and
validate result.json, Jinja, tables, cross-links, artifacts hashing) against plain
``mkdocs build`` of the very same rendered pages, both measured in this run.

    .venv/bin/python benchmarks/bench_site.py [--pages 200]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from persona_atlas.site.build import BuildOptions, build_site  # noqa: E402
from persona_atlas.site.mkdocs_run import read_mkdocs_config, run_mkdocs  # noqa: E402
from tests.site.sitekit import REPORT, result_doc  # noqa: E402


def make_repo(root: Path, pages: int) -> None:
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(ROOT / "templates", root / "templates")
    for i in range(pages):
        issue = 1000 + i
        d = root / "results" / f"issue-{issue}"
        d.mkdir(parents=True)
        text = REPORT.format(
            issue=issue,
            title=f"Generated result {i}",
            confidence=("HIGH", "MODERATE", "LOW")[i % 3],
            derives=f"[{issue - 1}]" if i else "[]",
            other=issue + 1,
            hero="null",
        )
        (d / "report.md").write_text(text)
        (d / "result.json").write_text(json.dumps(result_doc(issue)))
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(
        ["git", "-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "bench"],
        cwd=root,
        check=True,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--pages", type=int, default=200)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_repo(root, args.pages)
        t0 = time.perf_counter()
        stats = build_site(BuildOptions(root=root, run_mkdocs=False))
        render = time.perf_counter() - t0

        mk = read_mkdocs_config(root / "mkdocs.yml")
        mk.update(docs_dir=str(stats.staging), site_dir=str(root / "plain-site"))
        t1 = time.perf_counter()
        run_mkdocs(mk, root / "build" / "plain.yml")
        plain = time.perf_counter() - t1

        t2 = time.perf_counter()
        full = build_site(BuildOptions(root=root))
        total = time.perf_counter() - t2

    n = stats.pages
    print(f"pages: {n}")
    print(
        f"our render step : {render:6.2f} s  {n / render:7.1f} pages/s  {1000 * render / n:6.1f} ms/page"
    )
    print(
        f"plain mkdocs    : {plain:6.2f} s  {n / plain:7.1f} pages/s  {1000 * plain / n:6.1f} ms/page"
    )
    print(
        f"atlas build     : {total:6.2f} s  {n / total:7.1f} pages/s  (render {full.render_seconds:.2f} s + mkdocs {full.mkdocs_seconds:.2f} s)"
    )
    print(f"ratio render / plain mkdocs: {render / plain:.2f}x")


if __name__ == "__main__":
    main()

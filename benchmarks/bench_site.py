"""Site build throughput: 200 generated reports, each with a hero figure.

Prints pages per second and time per page of our render step (parse front matter, load and
validate result.json, Jinja, tables, cross-links, artifacts hashing, figure copies) against
plain ``mkdocs build`` of the very same rendered pages, both measured in this run. One
untimed warm-up of each step comes first (imports, theme templates, the page cache); then
the two steps alternate ``--repeats`` times and the medians are compared, so neither side
pays the other's cold start.

    .venv/bin/python benchmarks/bench_site.py [--pages 200] [--repeats 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from persona_atlas.site.build import BuildOptions, build_site  # noqa: E402
from persona_atlas.site.mkdocs_run import read_mkdocs_config, run_mkdocs  # noqa: E402
from tests.site.sitekit import add_result, git  # noqa: E402


def make_repo(root: Path, pages: int) -> None:
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(ROOT / "templates", root / "templates")
    for i in range(pages):
        issue = 1000 + i
        add_result(
            root,
            issue,
            other=issue + 1,
            derives=f"[{issue - 1}]" if i else "[]",
            confidence=("HIGH", "MODERATE", "LOW")[i % 3],
        )
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "bench")


def _timed(step: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    step()
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--pages", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_repo(root, args.pages)
        # generated reports are not lint-clean prose: time rendering, not the publishing gate
        stats = build_site(BuildOptions(root=root, run_mkdocs=False, lint=False))
        mk = read_mkdocs_config(root / "mkdocs.yml")
        mk.update(docs_dir=str(stats.staging), site_dir=str(root / "plain-site"))

        def render() -> object:
            return build_site(BuildOptions(root=root, run_mkdocs=False, lint=False))

        def plain() -> object:
            return run_mkdocs(mk, root / "build" / "plain.yml")

        plain()  # warm-up (render was warmed by the build above)
        renders, plains = [], []
        for _ in range(args.repeats):
            renders.append(_timed(render))
            plains.append(_timed(plain))
        full = build_site(BuildOptions(root=root, lint=False))

    n = stats.pages
    r, p = statistics.median(renders), statistics.median(plains)
    print(f"pages: {n}, medians of {args.repeats} alternating runs after one warm-up each")
    for label, t in (("our render step", r), ("plain mkdocs   ", p)):
        print(f"{label}: {t:6.2f} s  {n / t:7.1f} pages/s  {1000 * t / n:6.1f} ms/page")
    total = full.render_seconds + full.mkdocs_seconds
    print(
        f"atlas build    : {total:6.2f} s  {n / total:7.1f} pages/s  "
        f"(render {full.render_seconds:.2f} s + mkdocs {full.mkdocs_seconds:.2f} s)"
    )
    print(f"ratio render / plain mkdocs: {r / p:.2f}x (time per page, lower is faster)")


if __name__ == "__main__":
    main()

"""Site build throughput and index weight: generated reports, each with a hero figure.

Prints pages per second and time per page of our render step (parse front matter, load and
validate result.json, Jinja, tables, cross-links, artifacts hashing, figure copies) against
plain ``mkdocs build`` of the very same rendered pages, both measured in this run. One
untimed warm-up of each step comes first (imports, theme templates, the page cache); then
the two steps alternate ``--repeats`` times and the medians are compared, so neither side
pays the other's cold start.

Then the index page of the full build: its weight raw and gzipped (what a reader downloads
before the lazy thumbnails), per entry, and against a result page of the same build. The
generated reports vary their titles, takeaways, tags and relations (seeded), so gzip does not
get repeated rows for free.

    .venv/bin/python benchmarks/bench_site.py [--pages 200] [--repeats 3]
    .venv/bin/python benchmarks/bench_site.py --pages 500      # the index for hundreds
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
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

WORDS = [
    "recipe",
    "persona",
    "direction",
    "structure",
    "layer",
    "noise",
    "floor",
    "centroid",
    "cosine",
    "Mantel",
    "pair",
    "sweep",
    "late",
    "early",
    "prompt",
    "response",
    "pooled",
    "token",
    "model",
    "agreement",
    "verdict",
    "threshold",
    "replication",
]
TAGS = [
    f"{w}-{n}" for w in ("recipes", "qwen", "smollm", "llama", "layers", "noise") for n in range(4)
]


def make_repo(root: Path, pages: int) -> None:
    rng = random.Random(0)
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(ROOT / "templates", root / "templates")
    for i in range(pages):
        issue = 1000 + i
        d = add_result(
            root,
            issue,
            other=issue + 1,
            derives=f"[{rng.randrange(1000, issue)}]" if i and rng.random() < 0.4 else "[]",
            confidence=("HIGH", "MODERATE", "LOW")[i % 3],
        )
        report = d / "report.md"
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(12, 30)))
        text = report.read_text()
        text = text.replace(f"title: Result {issue}", f"title: Result {issue} on {words[:60]}")
        text = text.replace("tags: [recipes, qwen]", f"tags: {json.dumps(rng.sample(TAGS, 3))}")
        if i and rng.random() < 0.05:
            text = text.replace("derives_from:", f"supersedes: [{issue - 1}]\nderives_from:")
        text = text.replace("### Results\n", f"### Results\n\n**Main takeaways:**\n\n- {words}.\n")
        report.write_text(text)
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
        weights = index_weights(full.out)

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
    w = weights
    print(
        f"index page     : {w['index_raw'] / 1024:6.1f} KiB raw, {w['index_gz'] / 1024:5.1f} KiB "
        f"gzipped ({w['index_gz'] / n:.0f} B gzipped per entry; entries table "
        f"{w['table_gz'] / 1024:.1f} KiB, lineage {w['lineage_gz'] / 1024:.1f} KiB gzipped)"
    )
    print(
        f"a result page  : {w['page_gz'] / 1024:6.1f} KiB gzipped (median of {n}): the index "
        f"weighs {w['index_gz'] / w['page_gz']:.1f} result pages; thumbnails load lazily, "
        f"{w['thumbs']} of them"
    )


def _gz(text: str) -> int:
    return len(gzip.compress(text.encode(), compresslevel=6))


def index_weights(site: Path) -> dict[str, int]:
    """Gzipped bytes of the index, of its entries table and lineage, and of a result page."""
    index = (site / "index.html").read_text()
    table = index.split('<table class="atlas-sortable atlas-index">')[1].split("</table>")[0]
    lineage = index.split('<details class="atlas-lineage"')[1].split("</details>")[0]
    pages = [_gz(p.read_text()) for p in sorted(site.glob("issue-*/index.html"))]
    return {
        "index_raw": len(index.encode()),
        "index_gz": _gz(index),
        "table_gz": _gz(table),
        "lineage_gz": _gz(lineage),
        "page_gz": int(statistics.median(pages)),
        "thumbs": table.count('loading="lazy"'),
    }


if __name__ == "__main__":
    main()

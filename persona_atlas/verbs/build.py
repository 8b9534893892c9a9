"""Render every results/<slug>/report.md into a page and build the static site with
``mkdocs build --strict`` (``--engine zensical``: ``zensical build --strict``). The output
folder is replaced only by a complete build.

Every report must pass ``atlas lint`` first: one that fails stops the build and nothing is
published. ``status: draft`` reports are left out. ``--preview`` builds failing reports and
drafts anyway, each page with a banner saying its numbers are not checked (drafts stay off
the index). Finding no report is an error unless ``--allow-empty``; the old site is then
left as it was."""

from __future__ import annotations

import argparse
from pathlib import Path

from persona_atlas.site.engines import DEFAULT_ENGINE, ENGINES

HELP = "render reports and build the site (what `make site` runs)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--results", type=Path, default=Path("results"), help="results folder")
    p.add_argument("--templates", type=Path, default=Path("templates"), help="Jinja templates")
    p.add_argument("--config", type=Path, default=Path("mkdocs.yml"), help="MkDocs config")
    p.add_argument("--out", type=Path, default=None, help="output folder (default: site_dir)")
    p.add_argument(
        "--pages-only", action="store_true", help="render pages into build/docs, skip MkDocs"
    )
    p.add_argument(
        "--preview",
        action="store_true",
        help="build reports that fail lint, and drafts, with a 'not checked' banner "
        "(never publish a preview)",
    )
    p.add_argument("--allow-empty", action="store_true", help="finding no report is not an error")
    p.add_argument(
        "--engine",
        choices=ENGINES,
        default=DEFAULT_ENGINE,
        help="site builder: mkdocs (Material, the default, what `make site` publishes) or "
        "zensical (its successor, pinned; docs/reports.md lists what differs)",
    )


def run(args: argparse.Namespace) -> int:
    from persona_atlas.site.build import BuildOptions, build_site

    stats = build_site(
        BuildOptions(
            results=args.results,
            templates=args.templates,
            config=args.config,
            out=args.out,
            run_mkdocs=not args.pages_only,
            preview=args.preview,
            allow_empty=args.allow_empty,
            engine=args.engine,
        )
    )
    where = stats.staging if args.pages_only else stats.out
    kind = "PREVIEW (not for publication) " if args.preview else ""
    print(
        f"built {kind}{stats.pages} page(s) into {where} "
        f"(lint {stats.lint_seconds:.2f}s, render {stats.render_seconds:.2f}s, "
        f"{args.engine} {stats.mkdocs_seconds:.2f}s)"
    )
    return 0

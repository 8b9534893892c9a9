"""``atlas build``: results/<slug>/report.md → Jinja → MkDocs pages → ``mkdocs build --strict``.

Two passes, like the reports themselves: first every report is parsed and its result loaded
(so cross-links and backlinks know which pages exist), then each page is rendered. The site
is built into a temporary folder and swapped into place only when MkDocs succeeds, so the
output folder always holds a complete build.

What a pull request puts under results/ is untrusted: result folders are read without
following links (``files.plain_files``), every report must pass ``atlas lint`` (``gate``),
drafts are left out, and the page templates are sandboxed and autoescaped, so data (titles,
tags, verdicts, file names, captions) reaches HTML escaped. Only the rendered report body is
passed through as Markdown.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
import jinja2.sandbox
from markupsafe import Markup

from persona_atlas import gitinfo
from persona_atlas.errors import InputFileError, ReportError
from persona_atlas.files import plain_files, write_json
from persona_atlas.reports.front_matter import discover_reports, parse_report
from persona_atlas.reports.render import (
    BodyRenderer,
    FigureRequest,
    figure_names,
)
from persona_atlas.schema import load_result, load_run
from persona_atlas.site import postprocess, publish
from persona_atlas.site.artifacts import collect_artifacts
from persona_atlas.site.contexts import BuildInfo, PageContext
from persona_atlas.site.engines import DEFAULT_ENGINE, run_engine
from persona_atlas.site.entries import Entry as _Entry
from persona_atlas.site.gate import lint_banners
from persona_atlas.site.index_page import write_index
from persona_atlas.site.mkdocs_run import read_mkdocs_config
from persona_atlas.site.page_templates import (
    PageUrls,
    page_environment,
    page_meta_yaml,
    render_template,
)
from persona_atlas.site.relations import Relations, page_ref, related_groups, relations_of
from persona_atlas.site.repo_url import with_repo_url
from persona_atlas.site.result_folders import copy_figures, results_folder, shown_path

if TYPE_CHECKING:
    from persona_atlas.lint.engine import ReportLint

ASSETS = Path(__file__).resolve().parent / "assets"
DRAFT_BANNER = "Draft, not published: this page is built only by `atlas build --preview`."


@dataclass
class BuildOptions:
    root: Path = Path(".")
    results: Path = Path("results")
    templates: Path = Path("templates")
    config: Path = Path("mkdocs.yml")
    staging: Path = Path("build/docs")
    out: Path | None = None  # default: site_dir from mkdocs.yml
    run_mkdocs: bool = True  # False renders pages only (benchmarks, tests)
    lint: bool = True  # refuse to publish a report that fails `atlas lint`
    preview: bool = False  # build failing reports and drafts anyway, each with a banner
    allow_empty: bool = False  # finding no report is not an error
    engine: str = DEFAULT_ENGINE  # the site builder: mkdocs (Material) or zensical


@dataclass
class BuildStats:
    pages: int
    render_seconds: float
    mkdocs_seconds: float
    out: Path
    staging: Path
    lint_seconds: float = 0.0  # the publishing gate (not counted in render_seconds)


def build_site(opts: BuildOptions | None = None) -> BuildStats:
    opts = opts or BuildOptions()
    root = opts.root.resolve()
    t0 = time.perf_counter()
    mk = read_mkdocs_config(root / opts.config)
    mk, repo_url = with_repo_url(mk, root)  # ATLAS_REPO_URL, else the git remote, else none
    results = results_folder(root, opts.results)
    entries = _load_entries(root, results, allow_empty=opts.allow_empty)
    t_lint = time.perf_counter()
    lints = _apply_gate(entries, opts)
    lint_seconds = time.perf_counter() - t_lint
    build = BuildInfo(gitinfo.head_commit(root), gitinfo.is_dirty(root), repo_url)
    env = page_environment(root / opts.templates)
    urls = PageUrls(bool(mk.get("use_directory_urls", True)))
    staging = root / opts.staging
    if staging.exists():
        shutil.rmtree(staging)
    (staging / "assets").mkdir(parents=True)

    by_issue = {e.report.front.issue: e for e in entries}
    for e in entries:  # pass 1: bodies (needs every page's existence for #N links)
        e.body = _render_body(e, by_issue)
    uncommitted = gitinfo.uncommitted_paths(root)
    pins = gitinfo.last_commits_under(results.relative_to(root), cwd=root)
    relations = relations_of(entries)
    for e in entries:  # pass 2: full pages (needs every page's mentions for backlinks)
        page = _page_context(e, by_issue, relations, root, build, uncommitted, pins, urls)
        _write_page(env, page, e, staging, root)
        _write_lint_page(lints.get(e.report.path), staging / page.slug)
    published = [e for e in entries if e.report.front.status != "draft"]
    write_index(env, published, relations_of(published), build, staging, urls)
    scripts = _write_assets(staging)
    render_seconds = time.perf_counter() - t0 - lint_seconds

    out = root / (opts.out or Path(mk.get("site_dir", "site")))
    t1 = time.perf_counter()
    if opts.run_mkdocs:
        _build_atomically(
            mk,
            entries,
            scripts,
            build,
            staging,
            out,
            root,
            preview=opts.preview,
            engine=opts.engine,
        )
    mkdocs_seconds = time.perf_counter() - t1
    return BuildStats(len(entries), render_seconds, mkdocs_seconds, out, staging, lint_seconds)


# ----------------------------------------------------------------------------- loading


def _load_entries(root: Path, results: Path, *, allow_empty: bool = False) -> list[_Entry]:
    entries: list[_Entry] = []
    seen: dict[int, Path] = {}
    paths = discover_reports(results)
    if not paths and not allow_empty:
        raise InputFileError(
            f"no reports found: looked for {shown_path(results)}/*/report.md",
            hint="run `atlas build` from the repository root, or point --results at the right "
            "folder (--allow-empty builds a site without result pages); the site was left as "
            "it was",
        )
    for path in map(shown_path, paths):
        plain_files(path.parent)  # a link or special file anywhere in the result is an error
        report = parse_report(path)
        issue = report.front.issue
        if issue in seen:
            raise ReportError(
                f"{path}: issue {issue} is already claimed by {seen[issue]}",
                hint="each issue has exactly one report; merge them or fix the issue number",
            )
        seen[issue] = path
        result_path = path.parent / "result.json"
        if not result_path.exists():
            raise ReportError(
                f"{path}: no result.json beside the report",
                hint="run `atlas analyze` (or `atlas import`) to write it; never write it by hand",
            )
        result = load_result(result_path)
        if result.issue != issue:
            raise ReportError(
                f"{result_path}: result is for issue {result.issue}, the report for {issue}",
                hint="re-run the analysis with the right issue number",
            )
        run_path = path.parent / "run.json"
        run = load_run(run_path) if run_path.exists() else None
        entries.append(_Entry(report, result, run, figure_names(path.parent)))
    return sorted(entries, key=lambda e: -e.report.front.issue)


def _apply_gate(entries: list[_Entry], opts: BuildOptions) -> dict[Path, ReportLint]:
    """Drop drafts (preview: banner them); lint the rest (preview: banner failures) and keep
    each report's counts for the index; return each report's lint for its annotated view."""
    if not opts.preview:
        entries[:] = [e for e in entries if e.report.front.status != "draft"]
    banners: dict[Path, str] = {}
    lints: list[ReportLint] = []
    if opts.lint:
        from persona_atlas.lint import lint_report

        lints = [lint_report(e.report.path, strict=True) for e in entries]
        for e, lint in zip(entries, lints, strict=True):
            e.lint_counts, e.lint_failed = lint.counts(), lint.failed > 0
        banners = lint_banners(lints, preview=opts.preview)
    for e in entries:
        notes = [DRAFT_BANNER] if e.report.front.status == "draft" else []
        notes += [banners[e.report.path]] if e.report.path in banners else []
        e.banner = " ".join(notes) or None
    return {lint.path: lint for lint in lints}


def _write_lint_page(lint: ReportLint | None, dest: Path) -> None:
    """``<slug>/lint.html``, the page's "numbers checked" link: MkDocs copies it as a static
    file. Without the gate (``lint=False``) it says the numbers were not checked."""
    from persona_atlas.lint.annotate import as_html, not_checked_html

    html_text = as_html(lint) if lint is not None else not_checked_html()
    (dest / "lint.html").write_text(html_text, encoding="utf-8")


# ----------------------------------------------------------------------------- rendering


def _href(issue: int) -> str:
    """Markdown link from one result page to another (pages live at <slug>/index.md)."""
    return f"../issue-{issue}/index.md"


def _render_body(e: _Entry, by_issue: dict[int, _Entry]) -> str:
    rendered = BodyRenderer(e.report, e.result, e.run, e.figures).render()
    md = rendered.markdown
    for i, req in enumerate(rendered.figures):
        md = md.replace(f"<!--atlas-figure:{i}-->", "\n\n" + figure_html(req) + "\n\n")
    md = postprocess.caveats_to_admonitions(md)
    e.mentions = postprocess.issue_refs(md) - {e.report.front.issue}
    md = postprocess.link_issue_refs(
        md, lambda n: _href(n) if n in by_issue and n != e.report.front.issue else None
    )
    if e.report.front.hero and not rendered.hero_placed:
        e.hero = _hero_html(e)
    return md


def _hero_html(e: _Entry) -> str:
    hero = e.report.front.hero
    assert hero is not None
    if hero.startswith(("http://", "https://")):
        return f'<figure class="atlas-figure"><img src="{html.escape(hero)}" alt="hero figure"></figure>'
    if hero not in e.figures:
        raise ReportError(
            f"{e.report.path}:1: front matter hero {hero!r} is not one of this result's figures "
            f"({', '.join(sorted(e.figures)) or 'none'})",
            hint="run `atlas figures`, or name an existing figure / a commit-pinned URL",
        )
    caption = _figure_caption(e.report.result_dir, hero)
    return figure_html(FigureRequest(hero, caption, 0))


def _figure_caption(result_dir: Path, name: str) -> str:
    meta = result_dir / "figures" / f"{name}.meta.json"
    if meta.exists():
        caption = json.loads(meta.read_text(encoding="utf-8")).get("caption")
        if caption:
            return str(caption)
    return name.replace("_", " ")


def figure_html(req: FigureRequest) -> str:
    """Interactive Vega-Lite view with the static SVG as fallback, and its caption."""
    from persona_atlas.figures import embed_html

    spec, svg = f"figures/{req.name}.vl.json", f"figures/{req.name}.svg"
    return str(embed_html(req.name, spec, svg, req.caption))


def _page_context(
    e: _Entry,
    by_issue: dict[int, _Entry],
    relations: Relations,
    root: Path,
    build: BuildInfo,
    uncommitted: set[str],
    pins: dict[str, str],
    urls: PageUrls,
) -> PageContext:
    front, prov = e.report.front, e.result.provenance
    result_rel = e.report.result_dir.resolve().relative_to(root).as_posix()
    commit = pins.get(result_rel)  # the commit that last changed this result, never HEAD
    dirty = any(p.startswith(result_rel + "/") for p in uncommitted)
    return PageContext(
        front=front,
        meta_yaml=page_meta_yaml(front.issue, front.title, front.tags),
        slug=e.report.slug,
        body=Markup(e.body),  # the author's Markdown: trusted, not escaped
        hero=Markup(e.hero) if e.hero else None,  # built by figure_html, escaped there
        banner=e.banner,
        verdict=e.result.verdict,
        kind=e.result.kind,
        analysis=prov.analysis.name,
        code_version=prov.code_version,
        created=prov.created,
        imported_from=prov.imported_from.path if prov.imported_from else None,
        artifacts=collect_artifacts(
            e.report.result_dir.resolve(),
            root,
            e.result,
            repo_url=build.repo_url,
            commit=commit,
            uncommitted=uncommitted,
        ),
        result_commit=commit,
        result_dirty=dirty,
        result_tree_url=(
            f"{build.repo_url.rstrip('/')}/tree/{commit}/{result_rel}"
            if build.repo_url and commit
            else None
        ),
        related=related_groups(front.issue, by_issue, relations, urls),
        superseded_by=[
            page_ref(n, by_issue, relations, urls) for n in relations.superseded_by(front.issue)
        ],
        build=build,
    )


def _write_page(
    env: jinja2.Environment, page: PageContext, e: _Entry, staging: Path, root: Path
) -> None:
    dest = staging / page.slug
    dest.mkdir(parents=True, exist_ok=True)
    # staging is scratch space, rebuilt every time: plain writes, no fsync
    (dest / "index.md").write_text(render_template(env, "page.md.j2", page=page), encoding="utf-8")
    src = e.report.result_dir
    if (src / "figures").is_dir():
        copy_figures(src / "figures", dest / "figures")
    for name in ("result.json", "run.json"):
        if (src / name).exists():
            shutil.copyfile(src / name, dest / name)


def _write_assets(staging: Path) -> list[str]:
    """Copy our CSS/JS and the vendored Vega scripts; return the script paths to load."""
    dest = staging / "assets"
    for f in ASSETS.iterdir():
        if f.is_file():
            shutil.copy2(f, dest / f.name)
    from persona_atlas.figures import write_vendor_assets

    scripts = [*write_vendor_assets(dest / "vendor", relative_to=staging), "assets/atlas.js"]
    return [*scripts, "assets/index.js"]


# ----------------------------------------------------------------------------- mkdocs


def _build_atomically(
    mk: dict[str, object],
    entries: list[_Entry],
    scripts: list[str],
    build: BuildInfo,
    staging: Path,
    out: Path,
    root: Path,
    *,
    preview: bool,
    engine: str = DEFAULT_ENGINE,
) -> None:
    publish.remove_dead_leftovers(out)
    tmp = publish.partial_dir(out)
    shutil.rmtree(tmp, ignore_errors=True)
    config = dict(mk)
    config["docs_dir"] = str(staging)
    config["site_dir"] = str(tmp)
    theme = dict(config.get("theme") or {})  # type: ignore[call-overload]
    theme.setdefault("custom_dir", str(root / "templates" / "mkdocs"))
    config["theme"] = theme
    config["nav"] = [{"Clean results": "index.md"}] + [
        # Material writes nav titles into HTML as they are
        {
            html.escape(
                f"#{e.report.front.issue} {e.report.front.title}"
            ): f"{e.report.slug}/index.md"
        }
        for e in entries
    ]
    config["extra_css"] = [*_as_list(mk.get("extra_css")), "assets/atlas.css", "assets/index.css"]
    config["extra_javascript"] = [*_as_list(mk.get("extra_javascript")), *scripts]
    dirty = " (uncommitted changes)" if build.dirty else ""
    config["copyright"] = f"Built from {build.short}{dirty}"
    try:
        try:
            run_engine(engine, config, root / "build")
        except ReportError as exc:  # point at the report, not the generated page
            exc.message = re.sub(
                r"'(issue-\d+)/index\.md'", r"'results/\1/report.md' (rendered)", exc.message
            )
            raise
        write_json(
            tmp / "atlas-build.json",
            {
                "commit": build.commit,
                "dirty": build.dirty,
                "pages": len(entries),
                "preview": preview,
            },
        )
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    publish.swap_into_place(tmp, out)


def _as_list(x: object) -> list[str]:
    if not x:
        return []
    if isinstance(x, list):
        return [str(i) for i in x]
    return [str(x)]

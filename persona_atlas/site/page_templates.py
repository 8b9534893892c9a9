"""The page templates' Jinja: sandboxed and autoescaped, with errors naming template:line.

Templates in ``templates/`` turn typed contexts (``contexts.py``) into MkDocs pages. Every
value they print is HTML-escaped unless it is ``Markup`` (the rendered report body, the hero
figure, the page metadata), and a template can reach only its context's fields.
"""

from __future__ import annotations

import html
import traceback
from dataclasses import dataclass
from pathlib import Path

import jinja2
import jinja2.sandbox
import yaml
from markupsafe import Markup

from persona_atlas.errors import ReportError
from persona_atlas.reports.render import template_frame


@dataclass(frozen=True)
class PageUrls:
    """Built URLs of pages, for links written as HTML (MkDocs rewrites only Markdown links)."""

    directory_urls: bool

    def from_page(self, slug: str) -> str:
        return f"../{slug}/" if self.directory_urls else f"../{slug}/index.html"

    def from_index(self, slug: str) -> str:
        return f"{slug}/" if self.directory_urls else f"{slug}/index.html"


def page_environment(templates: Path) -> jinja2.Environment:
    """The page templates' Jinja: sandboxed, autoescaped, strict about undefined names."""
    return jinja2.sandbox.SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(templates),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        keep_trailing_newline=True,
    )


def page_meta_yaml(issue: int, title: str, tags: list[str]) -> Markup:
    """The page's MkDocs metadata, written by a YAML serialiser (a title ending in a
    backslash or holding quotes stays valid YAML). MkDocs and Material insert the title into
    HTML as it is (nav, header, <title>), so the values are HTML-escaped text."""
    meta = {"title": html.escape(f"#{issue} — {title}"), "tags": [html.escape(t) for t in tags]}
    return Markup(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=10**6))


def render_template(env: jinja2.Environment, name: str, **ctx: object) -> str:
    try:
        return env.get_template(name).render(**ctx)
    except jinja2.TemplateSyntaxError as exc:
        raise ReportError(f"templates/{exc.name or name}:{exc.lineno}: {exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        raise ReportError(f"template {exc.name} not found in templates/") from None
    except (
        jinja2.UndefinedError,
        jinja2.sandbox.SecurityError,
        TypeError,
        ValueError,
        LookupError,
        AttributeError,
    ) as exc:
        where = _page_template_position(env, exc)
        if where is None and not isinstance(exc, jinja2.UndefinedError):
            raise  # raised by our own code, not by a template: keep the traceback
        raise ReportError(
            f"{where or f'templates/{name}'}: {type(exc).__name__}: {exc}",
            hint="templates may only use the fields documented in persona_atlas/site/contexts.py",
        ) from None


def _page_template_position(env: jinja2.Environment, exc: BaseException) -> str | None:
    """`templates/<file>:<line>` of the template frame (a partial, too) that raised exc."""
    loader = env.loader
    if not isinstance(loader, jinja2.FileSystemLoader):
        return None
    roots = [Path(p).resolve() for p in loader.searchpath]

    def in_templates(filename: str) -> Path | None:
        path = Path(filename).resolve()
        return next((path.relative_to(r) for r in roots if path.is_relative_to(r)), None)

    frame = template_frame(traceback.extract_tb(exc.__traceback__), in_templates)
    rel = in_templates(frame.filename) if frame else None
    return f"templates/{rel.as_posix()}:{frame.lineno}" if frame and rel else None

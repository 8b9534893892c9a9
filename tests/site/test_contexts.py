"""Templates use exactly the documented context fields (datasette-style drift check)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import jinja2
from jinja2 import nodes

from persona_atlas.site.contexts import IndexContext, PageContext

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _attrs_used(names: set[str], var: str) -> set[str]:
    env = jinja2.Environment()
    used: set[str] = set()
    for name in names:
        ast = env.parse((TEMPLATES / name).read_text())
        for node in ast.find_all(nodes.Getattr):
            if isinstance(node.node, nodes.Name) and node.node.name == var:
                used.add(node.attr)
    return used


def test_page_templates_use_exactly_the_page_context() -> None:
    templates = {"page.md.j2", *(f"partials/{p.name}" for p in (TEMPLATES / "partials").iterdir())}
    documented = {f.name for f in dataclasses.fields(PageContext)}
    assert _attrs_used(templates, "page") == documented


def test_index_template_uses_exactly_the_index_context() -> None:
    documented = {f.name for f in dataclasses.fields(IndexContext)}
    assert _attrs_used({"index.md.j2"}, "index") == documented


def test_templates_only_reference_their_context_variable() -> None:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES))
    from jinja2 import meta

    for name, allowed in [("page.md.j2", {"page"}), ("index.md.j2", {"index"})]:
        ast = env.parse((TEMPLATES / name).read_text())
        assert meta.find_undeclared_variables(ast) <= allowed, name

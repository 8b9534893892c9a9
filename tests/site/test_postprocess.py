"""Markdown passes: caveat admonitions and #N cross-links."""

from __future__ import annotations

from persona_atlas.site.postprocess import caveats_to_admonitions, issue_refs, link_issue_refs


def href(n: int) -> str | None:
    return f"../issue-{n}/index.md" if n in {201, 218} else None


def test_issue_refs_link_only_existing_pages_outside_code_and_links() -> None:
    md = (
        "See #201 and #999. `#218` in code, [#218](x.md) already linked,\n"
        "https://host/#218 a URL, colour #fff, C#201x, (#218).\n"
        "```\n#201 in a fence\n```\n"
    )
    out = link_issue_refs(md, href)
    assert "See [#201](../issue-201/index.md) and #999." in out
    assert "`#218` in code, [#218](x.md) already linked" in out
    assert "https://host/#218 a URL" in out and "C#201x" in out
    assert "([#218](../issue-218/index.md))." in out  # prose in parentheses is linked
    assert "#201 in a fence" in out


def test_issue_refs_right_after_a_parenthesis_are_linked() -> None:
    out = link_issue_refs("as measured (#201), and (see #201); (#999) has no page", href)
    assert out == (
        "as measured ([#201](../issue-201/index.md)), and (see [#201](../issue-201/index.md)); "
        "(#999) has no page"
    )
    # a Markdown link whose target is an anchor stays as written
    assert link_issue_refs("[the table](#201) and ![x](#218)", href) == (
        "[the table](#201) and ![x](#218)"
    )
    assert issue_refs("(#201) and (#218)") == {201, 218}


def test_issue_refs_inside_raw_html_blocks_stay_text() -> None:
    """A Markdown link inside a raw HTML block (a figure caption) would show as raw text."""
    md = '<figure class="atlas-figure">\n<figcaption>Compare #201.</figcaption>\n</figure>\n\nSee #201.'
    out = link_issue_refs(md, href)
    assert "<figcaption>Compare #201.</figcaption>" in out
    assert out.endswith("See [#201](../issue-201/index.md).")


def test_unlinked_ref_at_line_start_does_not_become_a_heading() -> None:
    assert link_issue_refs("#999 values are kept", href) == "\\#999 values are kept"
    assert link_issue_refs("#201 values", href).startswith("[#201](")
    assert link_issue_refs("## Heading", href) == "## Heading"


def test_issue_refs_collects_mentions() -> None:
    assert issue_refs("#201, #218 and `#300`") == {201, 218}


def test_caveat_bullets_become_warnings() -> None:
    md = "## Caveats\n\n- **One model.** Only Qwen.\n- Long caveat that\n  continues here.\n\n## Next\n- plain"
    out = caveats_to_admonitions(md)
    assert '!!! warning "One model"\n\n    Only Qwen.' in out
    assert '!!! warning "Caveat"\n\n    Long caveat that continues here.' in out
    assert out.endswith("## Next\n- plain")

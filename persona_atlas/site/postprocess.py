"""Markdown passes applied to a rendered report body before MkDocs sees it.

- caveat bullets become warning admonitions;
- ``#N`` becomes a link to N's page when that page exists, after "(" too (never inside code,
  links or raw HTML blocks).
"""

from __future__ import annotations

import re
from collections.abc import Callable

_CAVEAT_HEADING = re.compile(r"^(#{2,4})\s+(?:standing\s+)?caveats?\b.*$", re.IGNORECASE)
_HEADING = re.compile(r"^#{1,6}\s")
_BULLET = re.compile(r"^([-*+])\s+(.*)$")
_FENCE = re.compile(r"^\s*(```|~~~)")
# A raw HTML block (a figure, a details block): Markdown is not read inside it up to the next
# blank line, so a Markdown link there would show as text.
_HTML_BLOCK = re.compile(
    r"^\s{0,3}</?(?:figure|figcaption|div|table|thead|tbody|tr|td|th|p|details|summary"
    r"|noscript|script|ul|ol|li)\b",
    re.IGNORECASE,
)


def caveats_to_admonitions(markdown: str) -> str:
    """Turn each top-level bullet under a ``Caveats`` heading into a ``!!! warning`` block.

    A bullet that starts with bold text (``**Title.** rest``) uses it as the admonition title.
    """
    lines = markdown.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        out.append(line)
        i += 1
        if not _CAVEAT_HEADING.match(line):
            continue
        while i < len(lines) and not _HEADING.match(lines[i]):
            m = _BULLET.match(lines[i])
            if not m:
                out.append(lines[i])
                i += 1
                continue
            item = [m.group(2)]
            i += 1
            while i < len(lines) and lines[i].startswith(("  ", "\t")) and lines[i].strip():
                item.append(lines[i].strip())
                i += 1
            out.extend(_admonition(" ".join(item)))
    return "\n".join(out)


_TITLE = re.compile(r"^\*\*(.+?)\*\*[.:]?\s*(.*)$")


def _admonition(text: str) -> list[str]:
    title = "Caveat"
    m = _TITLE.match(text)
    if m and m.group(2):
        title, text = m.group(1).rstrip(".:"), m.group(2)
    title = title.replace('"', "'")
    return [f'!!! warning "{title}"', "", f"    {text}", ""]


# `#201` not preceded by a word char, '&' (entities), '/', '[' or '#'; not followed by a word
# char. "(#201)" is prose: a Markdown link's "](#201)" target is protected as a whole below.
_ISSUE_REF = re.compile(r"(?<![\w&/#\[])#(\d+)\b(?![\w\]])")
_LINE_START_REF = re.compile(r"^(\s{0,3})#(?=\d)")
_PROTECTED = re.compile(
    r"`[^`\n]*`"  # inline code
    r"|\[[^\]\n]*\]\([^)\n]*\)"  # markdown links (text may hold #N already linked)
    r"|<[^>\n]+>"  # html tags / autolinks / comments
    r"|https?://\S+"
)


def link_issue_refs(markdown: str, href_for: Callable[[int], str | None]) -> str:
    """Replace ``#N`` with ``[#N](href)`` where ``href_for(N)`` is not None."""
    out: list[str] = []
    in_fence = in_html = False
    for line in markdown.split("\n"):
        if not in_html and _FENCE.match(line):
            in_fence = not in_fence
            out.append(line)
            continue
        if not in_fence:
            in_html = bool(line.strip()) and (in_html or bool(_HTML_BLOCK.match(line)))
        if in_fence or in_html:
            out.append(line)
            continue
        linked = _link_line(line, href_for)
        # python-markdown reads "#201 was ..." at the start of a line as a heading
        out.append(_LINE_START_REF.sub(r"\1\\#", linked))
    return "\n".join(out)


def _link_line(line: str, href_for: Callable[[int], str | None]) -> str:
    pieces: list[str] = []
    pos = 0
    for m in _PROTECTED.finditer(line):
        pieces.append(_link_plain(line[pos : m.start()], href_for))
        pieces.append(m.group(0))
        pos = m.end()
    pieces.append(_link_plain(line[pos:], href_for))
    return "".join(pieces)


def _link_plain(text: str, href_for: Callable[[int], str | None]) -> str:
    def sub(m: re.Match[str]) -> str:
        href = href_for(int(m.group(1)))
        return f"[#{m.group(1)}]({href})" if href else m.group(0)

    return _ISSUE_REF.sub(sub, text)


def issue_refs(markdown: str) -> set[int]:
    """Every ``#N`` mentioned in prose (outside code), for backlinks."""
    found: set[int] = set()

    def record(n: int) -> None:
        found.add(n)
        return None

    link_issue_refs(markdown, lambda n: record(n))
    return found

"""Data into Markdown: every value from a result becomes text, never markup.

Values from result.json (persona names, column names, verdicts, descriptions) come from a
pull request like the report itself, but unlike the author's prose they are not meant to be
Markdown or HTML. `markdown_text` escapes them for HTML (``<`` ``>`` ``&`` and quotes, so
no tag or attribute survives) and backslash-escapes the Markdown syntax that could make a
link, an image, code, emphasis or an ``attr_list`` attribute block; `markdown_cell` also
escapes ``|`` and joins lines, so the value stays one cell of a pipe table.
"""

from __future__ import annotations

import html
import re

#: Markdown punctuation that makes links, images, code, emphasis, attribute blocks or cells.
#: (``#`` stays: an issue reference in data links to that issue, as in prose.)
_MARKDOWN = re.compile(r"([\\`*_\[\]{}|])")


def markdown_text(value: object) -> str:
    """``value`` as literal text in Markdown: shows exactly ``str(value)``."""
    return _MARKDOWN.sub(r"\\\1", html.escape(str(value), quote=True))


def markdown_cell(value: object) -> str:
    """``value`` as literal text inside one cell of a Markdown pipe table."""
    return markdown_text(" ".join(str(value).splitlines()))

"""One plain-text sentence that says what a result found, for its entry on the index.

The TL;DR opens with background; what a reviewer scanning hundreds of results needs is the
finding. So the sentence is the first sentence of the TL;DR's first main takeaway (the first
bullet under ``**Main takeaways:**``), else of the TL;DR's first paragraph of prose. It is
read from the rendered body, so bound numbers are the numbers the page shows, and it is
returned as plain text: markup is dropped here and the template escapes what is left.
"""

from __future__ import annotations

import html.parser
import re

import markdown

MAX_CHARS = 280  # longer sentences are cut at a word boundary with an ellipsis

_H2 = re.compile(r"^##\s", re.MULTILINE)
_TLDR = re.compile(r"^##\s+TL;?\s*DR\b.*$", re.IGNORECASE | re.MULTILINE)
_TAKEAWAYS = re.compile(r"^\*\*Main takeaways:?\*\*:?\s*$", re.IGNORECASE | re.MULTILINE)
_ITEM = re.compile(r"^(?:[-*+]|\d+[.)])\s+")
_NOT_PROSE = ("#", "<", "|", "!!!", "```", "~~~", "{", ">", "[^")
# a sentence ends at . ! or ? followed by a space and a capital, a digit, "#" or a quote
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]?\s+(?=[A-Z0-9#\"'(\[])")
_ABBREVIATIONS = frozenset({"e.g.", "i.e.", "vs.", "al.", "fig.", "cf.", "approx.", "no.", "sec."})


def tldr_sentence(body: str) -> str:
    """The first sentence of the TL;DR's first takeaway (or first paragraph), as plain text;
    "" when the body has no TL;DR section."""
    section = _tldr_section(body)
    if section is None:
        return ""
    takeaways = _TAKEAWAYS.search(section)
    block = _first_item(section[takeaways.end() :]) if takeaways else None
    if not block:
        block = _first_paragraph(section)
    return _shorten(first_sentence(plain_text(block)))


def _tldr_section(body: str) -> str | None:
    start = _TLDR.search(body)
    if start is None:
        return None
    rest = body[start.end() :]
    end = _H2.search(rest)
    return rest[: end.start()] if end else rest


def _first_item(text: str) -> str:
    """The first list item after the takeaways label, continuation lines included."""
    lines: list[str] = []
    for line in text.splitlines():
        if not lines:
            if not line.strip():
                continue
            if not _ITEM.match(line.lstrip()):
                return ""
            lines.append(_ITEM.sub("", line.lstrip()))
        elif not line.strip() or _ITEM.match(line.lstrip()):
            break
        else:
            lines.append(line.strip())
    return " ".join(lines)


def _first_paragraph(section: str) -> str:
    for para in re.split(r"\n\s*\n", section):
        text = para.strip()
        if text and not text.startswith(_NOT_PROSE):
            return " ".join(line.strip() for line in text.splitlines())
    return ""


class _Text(html.parser.HTMLParser):
    """Text content of an HTML fragment (entities decoded, scripts and styles skipped)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("script", "style") and self._skip > 0

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def plain_text(md: str) -> str:
    """Markdown (bold, links, escapes, inline HTML) as the text a reader sees."""
    parser = _Text()
    parser.feed(markdown.markdown(md))
    parser.close()
    return " ".join("".join(parser.parts).split())


def first_sentence(text: str) -> str:
    for end in _SENTENCE_END.finditer(text):
        words = text[: end.start()].split()
        if words and words[-1].lower().strip("\"'()[]") not in _ABBREVIATIONS:
            return text[: end.start()].strip()
    return text.strip()


def _shorten(text: str) -> str:
    if len(text) <= MAX_CHARS:
        return text
    cut = text[: MAX_CHARS - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"

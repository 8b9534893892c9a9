"""Separate a report's prose from what is not prose, keeping every character's position.

The result is the report text with non-prose regions blanked to spaces (newlines kept), so a
number found in the masked text has the same offset — and file:line:col — as in report.md.
Regions are found in the order the renderer sees them: Jinja first (it runs before Markdown),
then HTML comments, code blocks, code spans, URLs and link targets, HTML tags. A footnote's
text (``[^x]: ...``) is prose, and so are the values of the HTML attributes a reader sees
(``title``, ``alt``, ``aria-label``, ...: a tooltip's number is a claim like any other).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from markdown_it import MarkdownIt

#: Exemption rules for regions; the verbose output shows the reason with each number.
REGION_RULES: dict[str, str] = {
    "code": "inside a code span or code block: code, not a claim",
    "url": "part of a URL or link/image target",
    "html": "inside an HTML tag: markup (only the attributes a reader sees are prose)",
    "footnote": "a footnote marker",
}


@dataclass(frozen=True)
class Region:
    start: int
    end: int
    kind: str  # a REGION_RULES key, or "template" / "comment" / "front" (not counted)


@dataclass
class Masked:
    """The report text, its prose-only mask, and the regions that were blanked."""

    text: str
    prose: str
    regions: list[Region] = field(default_factory=list)
    line_starts: list[int] = field(default_factory=list)

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset."""
        i = bisect.bisect_right(self.line_starts, offset) - 1
        return i + 1, offset - self.line_starts[i] + 1

    def of_kind(self, *kinds: str) -> list[Region]:
        return [r for r in self.regions if r.kind in kinds]


_RAW = re.compile(r"\{%-?\s*raw\s*-?%\}(.*?)\{%-?\s*endraw\s*-?%\}", re.DOTALL)
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
# a code span may wrap lines but never crosses a blank line (a paragraph break)
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)((?:[^\n]|\n(?![ \t]*\n))+?)(?<!`)\1(?!`)")
_LINK_TARGET = re.compile(r"\]\(\s*<?[^)\s>]*>?(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)")
# a link reference definition; a footnote definition ``[^x]: text`` is prose, not a target
_REF_DEF = re.compile(r"^ {0,3}\[(?!\^)[^\]\n]+\]:[ \t]*\S+.*$", re.MULTILINE)
_AUTOLINK = re.compile(r"<(?:[A-Za-z][A-Za-z0-9+.\-]{1,31}:[^<>\s]*|[^<>\s@]+@[^<>\s]+)>")
_BARE_URL = re.compile(r"(?:\b[a-z][a-z0-9+.\-]*://|\bwww\.)[^\s<>()\[\]]*[^\s<>()\[\].,;:!?'\"*_]")
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9\-]*(?:\s[^<>]*)?/?>")
_ATTRIBUTE = re.compile(
    r"""(?P<name>[A-Za-z_:][-\w:.]*)\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|[^\s"'=<>`]+)"""
)
#: Attributes whose value the reader sees (a tooltip, alt text, a label): their text is prose.
READABLE_ATTRIBUTES = frozenset(
    {"title", "alt", "aria-label", "aria-description", "label", "summary", "placeholder"}
)
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9A-Fa-f]+|[A-Za-z]+);")
_FOOTNOTE = re.compile(r"\[\^[^\]\s]+\]")

_md = MarkdownIt("commonmark")


class _Builder:
    def __init__(self, text: str) -> None:
        self.text = text
        self.chars = list(text)
        self.regions: list[Region] = []

    def current(self) -> str:
        return "".join(self.chars)

    def blank(self, start: int, end: int, kind: str) -> None:
        if end <= start:
            return
        self.regions.append(Region(start, end, kind))
        for i in range(start, end):
            if self.chars[i] != "\n":
                self.chars[i] = " "

    def restore(self, start: int, end: int) -> None:
        """Put ``text[start:end]`` back (a caption inside a template, the title)."""
        self.chars[start:end] = list(self.text[start:end])

    def blank_all(self, pattern: re.Pattern[str], kind: str, group: int = 0) -> None:
        for m in pattern.finditer(self.current()):
            self.blank(m.start(group), m.end(group), kind)


def mask(text: str, body_start: int = 0, expose: Sequence[tuple[int, int]] = ()) -> Masked:
    """Blank everything that is not prose. ``body_start`` skips the front matter, except the
    spans in ``expose`` (the title's text); the captions of ``figure()`` and ``hero()`` are
    prose too."""
    b = _Builder(text)
    b.blank(0, body_start, "front")
    for start, end in expose:
        b.restore(start, end)
    _mask_templates(b, body_start)
    _expose_captions(b)
    b.blank_all(_COMMENT, "comment")
    _mask_code_blocks(b, body_start)
    b.blank_all(_CODE_SPAN, "code")
    b.blank_all(_REF_DEF, "url")
    b.blank_all(_LINK_TARGET, "url")
    b.blank_all(_AUTOLINK, "url")
    b.blank_all(_BARE_URL, "url")
    _mask_html_tags(b)
    b.blank_all(_ENTITY, "html")
    b.blank_all(_FOOTNOTE, "footnote")
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    regions = sorted(b.regions, key=lambda r: r.start)
    return Masked(text=text, prose=b.current(), regions=regions, line_starts=starts)


def _mask_templates(b: _Builder, body_start: int) -> None:
    """Jinja expressions/statements/comments; ``{% raw %}`` bodies stay prose."""
    text = b.current()
    raws = [(m.start(1), m.end(1)) for m in _RAW.finditer(text, body_start)]
    for m in _JINJA.finditer(text, body_start):
        if any(a <= m.start() < z for a, z in raws):
            continue
        kind = "template" if m.group().startswith("{{") else "statement"
        b.blank(m.start(), m.end(), kind)


_CAPTION_CALL = re.compile(r"\{\{-?\s*(figure|hero)\s*\(")
_STRING = re.compile(r"""(?P<q>["'])(?P<s>(?:\\.|(?!(?P=q)).)*)(?P=q)""", re.DOTALL)


def _expose_captions(b: _Builder) -> None:
    """The caption of ``{{ figure("name", "caption") }}`` / ``{{ hero("caption") }}`` (or
    ``caption="..."``) is shown on the page: its numbers are checked like any prose."""
    for r in [r for r in b.regions if r.kind == "template"]:
        m = _CAPTION_CALL.match(b.text, r.start, r.end)
        if not m:
            continue
        strings = list(_STRING.finditer(b.text, m.end(), r.end))
        named = [x for x in strings if re.search(r"caption\s*=\s*$", b.text[m.end() : x.start()])]
        position = 1 if m.group(1) == "figure" else 0
        caption = named[0] if named else strings[position] if len(strings) > position else None
        if caption is not None:
            b.restore(caption.start("s"), caption.end("s"))


def _mask_html_tags(b: _Builder) -> None:
    """Blank HTML tags, except the values of `READABLE_ATTRIBUTES` (``<abbr title="cos
    0.62">``): shown on the page, so checked like prose."""
    for tag in _HTML_TAG.finditer(b.current()):
        start = tag.start()
        for attr in _ATTRIBUTE.finditer(b.text, tag.start(), tag.end()):
            group = "dq" if attr.group("dq") is not None else "sq"
            if attr.group(group) is None or attr.group("name").lower() not in READABLE_ATTRIBUTES:
                continue
            b.blank(start, attr.start(group), "html")
            start = attr.end(group)
        b.blank(start, tag.end(), "html")


_LINE_BREAK = re.compile(r"\r\n?|\n")
_MAYBE_CODE_BLOCK = re.compile(r"^(?: {0,3}(?:```|~~~)| {4}|\t)", re.MULTILINE)


def _mask_code_blocks(b: _Builder, body_start: int) -> None:
    if not _MAYBE_CODE_BLOCK.search(b.text, body_start):
        return  # no fence and no indented line: no code block (skips a Markdown parse)
    # parse the original body: blanked templates would read as indentation (a code block)
    text = re.sub(r"[^\n]", " ", b.text[:body_start]) + b.text[body_start:]
    # markdown-it counts lines as it splits them: at \r\n, a lone \r and \n alike
    starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]
    lines = _LINE_BREAK.split(text)
    for tok in _md.parse(text):
        if tok.type in ("fence", "code_block") and tok.map:
            first, last = tok.map
            if tok.type == "code_block" and _in_footnote(lines, first):
                continue  # an indented paragraph of a footnote, not code
            end = starts[last] if last < len(starts) else len(text)
            b.blank(starts[min(first, len(starts) - 1)], end, "code")


_FOOTNOTE_DEF = re.compile(r" {0,3}\[\^[^\]\s]+\]:")


def _in_footnote(lines: Sequence[str], first: int) -> bool:
    """Whether indented line ``first`` continues a footnote definition ``[^x]: ...`` (its
    later paragraphs are indented by four spaces)."""
    for line in reversed(lines[:first]):
        if not line.strip() or line.startswith(("    ", "\t")):
            continue
        return _FOOTNOTE_DEF.match(line) is not None
    return False

"""Structure rules for a report: errors that fail CI, not warnings.

Required sections, exactly one ``**Confidence: X**`` line that agrees with the front matter,
a hero figure that is one of the result's figures or a commit-pinned URL, a caption on every
image, a filled reproducibility card, and no hedging phrasebook. Rules look at prose only
(the masked text), so code and templates never trip them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from persona_atlas.lint.bindings import HELPERS, Context
from persona_atlas.lint.prose import Masked

#: (heading level, accepted titles); matched case-insensitively, trailing punctuation ignored.
REQUIRED_SECTIONS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (2, ("tl;dr", "tldr")),
    (3, ("background",)),
    (3, ("methodology", "methods")),
    (3, ("results",)),
    (3, ("next steps",)),
)
#: Sections required at any level below the TL;DR: (name shown, pattern).
REQUIRED_ANYWHERE: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Setup & hyper-parameters (reproducibility card)", re.compile(r"setup|hyper-?param|reproduc")),
    ("Caveats", re.compile(r"caveat")),
    ("Artifacts", re.compile(r"artifact|artefact")),
)
_TAKEAWAYS = re.compile(r"\*\*Main takeaways:?\*\*:?")
CARD = REQUIRED_ANYWHERE[0][1]

HEDGES = re.compile(
    r"\b(?:somewhat|fairly|rather|quite|pretty|relatively|reasonably|moderately|"
    r"kind of|sort of)\s+(?:high|higher|low|lower|strong|stronger|weak|weaker|large|larger|"
    r"small|smaller|good|robust|significant|clear|consistent|similar|close|stable|noisy)\b"
    r"|\bmore or less\b|\barguably\b",
    re.IGNORECASE,
)
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$", re.MULTILINE)
_CONFIDENCE_ANY = re.compile(r"\*\*\s*Confidence\b", re.IGNORECASE)
_CONFIDENCE = re.compile(r"\*\*Confidence:\s*([A-Za-z]+)\s*\*\*")
_IMAGE = re.compile(r"!\[([^\]]*)\][(\[]")
_PLACEHOLDER = re.compile(
    r"\b(?:TBD|TODO|FIXME|XXX)\b|\?\?+|\bsee (?:the )?config\b|^\s*(?:\.\.\.|…|—|-)?\s*$",
    re.IGNORECASE,
)
_SHA = r"[0-9a-f]{7,40}"
#: A URL pinned to a commit: the SHA is the ref (``/blob/<sha>/``, ``/raw/<sha>/``,
#: ``/tree/<sha>/``, raw.githubusercontent.com/<owner>/<repo>/<sha>/, ``@<sha>/``,
#: ``?ref=<sha>``) — not any path segment that looks like hex (``/blob/main/deadbeef/``).
_PINNED = re.compile(
    rf"/(?:-/)?(?:blob|raw|tree|commit|src)/{_SHA}(?:/|$)"
    rf"|//raw\.githubusercontent\.com/[^/]+/[^/]+/{_SHA}/"
    rf"|@{_SHA}/"
    rf"|[?&](?:ref|sha|commit|at)={_SHA}(?:&|#|$)",
    re.IGNORECASE,
)
_HELPER_EXPR = re.compile(rf"\{{\{{[^{{}}]*\b(?:{'|'.join(HELPERS)})\s*\([^{{}}]*\}}\}}")


@dataclass(frozen=True)
class Issue:
    line: int
    col: int
    rule: str
    message: str


@dataclass(frozen=True)
class Heading:
    offset: int
    level: int
    title: str

    @property
    def key(self) -> str:
        return self.title.strip().rstrip(":.").strip().lower()


def headings(masked: Masked) -> list[Heading]:
    return [
        Heading(m.start(), len(m.group(1)), m.group(2)) for m in _HEADING.finditer(masked.prose)
    ]


def check_structure(masked: Masked, confidence: str, ctx: Context, body_start: int) -> list[Issue]:
    out: list[Issue] = []
    heads = headings(masked)
    line0, _ = masked.position(body_start)
    for level, titles in REQUIRED_SECTIONS:
        if not any(h.level == level and h.key in titles for h in heads):
            want = "#" * level + " " + titles[0].replace("tl;dr", "TL;DR").capitalize()
            out.append(Issue(line0, 1, "sections", f"missing required section `{want}`"))
    for name, pattern in REQUIRED_ANYWHERE:
        if not any(pattern.search(h.key) for h in heads):
            out.append(Issue(line0, 1, "sections", f"missing required section: {name}"))
    if not _TAKEAWAYS.search(masked.prose):
        out.append(Issue(line0, 1, "sections", "missing the `**Main takeaways:**` list in Results"))
    out += _confidence(masked, confidence, line0)
    out += _hero(ctx, line0)
    out += _captions(masked)
    out += _card(masked, heads)
    for m in HEDGES.finditer(masked.prose):
        line, col = masked.position(m.start())
        out.append(
            Issue(
                line,
                col,
                "hedging",
                f"hedging phrase {m.group()!r}: state the number "
                "(bind it) or the threshold it clears instead",
            )
        )
    return out


def _confidence(masked: Masked, confidence: str, line0: int) -> list[Issue]:
    hits = list(_CONFIDENCE_ANY.finditer(masked.prose))
    if len(hits) != 1:
        where = [masked.position(m.start()) for m in hits]
        line, col = where[1] if len(where) > 1 else (line0, 1)
        return [
            Issue(
                line,
                col,
                "confidence",
                f"exactly one `**Confidence: {confidence}**` line is required; found {len(hits)}",
            )
        ]
    m = _CONFIDENCE.match(masked.prose, hits[0].start())
    line, col = masked.position(hits[0].start())
    if not m:
        return [
            Issue(
                line,
                col,
                "confidence",
                f"write the confidence line as `**Confidence: {confidence}** — why`",
            )
        ]
    if m.group(1) != confidence:
        return [
            Issue(
                line,
                col,
                "confidence",
                f"confidence line says {m.group(1)} but the front matter says {confidence}",
            )
        ]
    return []


def _hero(ctx: Context, line0: int) -> list[Issue]:
    hero = ctx.hero
    if not hero:
        return [Issue(line0, 1, "hero", "front matter names no `hero` figure")]
    if hero.startswith(("http://", "https://")):
        if not _PINNED.search(hero):
            return [
                Issue(
                    line0,
                    1,
                    "hero",
                    f"hero URL {hero} is not pinned to a commit "
                    "(use the commit SHA in the URL, never a branch)",
                )
            ]
    elif hero not in ctx.figures:
        have = ", ".join(sorted(ctx.figures)) or "none"
        return [
            Issue(
                line0, 1, "hero", f"hero {hero!r} is not one of the result's figures (has: {have})"
            )
        ]
    return []


def _captions(masked: Masked) -> list[Issue]:
    out = []
    for m in _IMAGE.finditer(masked.text):
        if masked.prose[m.start()] != "!":
            continue  # inside code or a template
        if not m.group(1).strip():
            line, col = masked.position(m.start())
            out.append(Issue(line, col, "caption", "image without a caption (alt text)"))
    return out


def _card(masked: Masked, heads: list[Heading]) -> list[Issue]:
    out = []
    for i, h in enumerate(heads):
        if not CARD.search(h.key):
            continue
        end = next((x.offset for x in heads[i + 1 :] if x.level <= h.level), len(masked.text))
        for m in re.finditer(r"^[ \t]*\|.*$", masked.prose[h.offset : end], re.MULTILINE):
            start = h.offset + m.start()
            row = masked.text[start : h.offset + m.end()]
            if re.fullmatch(r"[\s|:\-]+", row):
                continue  # the |---|---| rule
            out += _card_row(masked, start, row)
    return out


def _card_row(masked: Masked, start: int, row: str) -> list[Issue]:
    out = []
    cells = re.split(r"(?<!\\)\|", row.strip())[1:-1] if row.strip().endswith("|") else []
    offset = start + row.index("|") + 1
    for cell in cells:
        text = _HELPER_EXPR.sub("bound", cell)
        if "{{" in text or "}}" in text or _PLACEHOLDER.search(text):
            line, col = masked.position(offset)
            shown = cell.strip() or "(empty)"
            out.append(Issue(line, col, "card", f"reproducibility card cell not filled: {shown}"))
        offset += len(cell) + 1
    return out

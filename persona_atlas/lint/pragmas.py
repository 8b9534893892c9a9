"""Explicit, counted permission for a number that cannot match the result.

Syntax — an HTML comment, invisible on the page::

    The base model has 7.6B parameters. <!-- lint-allow 7.6B: model card, not measured here -->

The comment names one or more tokens exactly as ``atlas lint`` prints them, then a colon and
the reason (required). It covers its own line; a comment alone on its line covers the next
non-blank line. A pragma that allows nothing — the token is not there, or it matches anyway —
is itself an error, so stale pragmas cannot pile up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from persona_atlas.lint.prose import Masked

_PRAGMA = re.compile(r"<!--\s*lint-allow\b(?P<rest>.*?)-->", re.DOTALL)
_BODY = re.compile(r"\s+(?P<tokens>[^:]+?)\s*:\s*(?P<reason>\S.*?)\s*$", re.DOTALL)


@dataclass
class Pragma:
    line: int
    col: int
    covers: int  # the line whose numbers it may allow
    tokens: list[str]
    reason: str
    used: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class PragmaError:
    line: int
    col: int
    message: str


def find_pragmas(masked: Masked) -> tuple[list[Pragma], list[PragmaError]]:
    """Every ``lint-allow`` comment in the report, and the malformed ones."""
    pragmas: list[Pragma] = []
    errors: list[PragmaError] = []
    lines = masked.text.split("\n")
    for region in masked.of_kind("comment"):
        m = _PRAGMA.fullmatch(masked.text, region.start, region.end)
        if not m:
            continue
        line, col = masked.position(region.start)
        body = _BODY.match(m.group("rest"))
        if not body:
            errors.append(
                PragmaError(
                    line,
                    col,
                    "lint-allow needs tokens, a colon and a reason: "
                    "<!-- lint-allow 7.6B: why this number cannot be in the result -->",
                )
            )
            continue
        tokens = [t for t in re.split(r"[\s,]+", body.group("tokens")) if t]
        covers = line
        end_line, _ = masked.position(region.end)
        alone = not masked.prose[masked.line_starts[line - 1] : _line_end(masked, end_line)].strip()
        if alone:
            covers = next((i + 1 for i in range(end_line, len(lines)) if lines[i].strip()), line)
        pragmas.append(Pragma(line, col, covers, tokens, body.group("reason")))
    return pragmas, errors


def _line_end(masked: Masked, line: int) -> int:
    return masked.line_starts[line] if line < len(masked.line_starts) else len(masked.text)


def allow(pragmas: list[Pragma], line: int, token: str) -> Pragma | None:
    """The pragma that allows ``token`` on ``line``, if any (and mark it used)."""
    for p in pragmas:
        if p.covers == line and token in p.tokens:
            p.used.add(token)
            return p
    return None


def unused(pragmas: list[Pragma]) -> list[PragmaError]:
    return [
        PragmaError(
            p.line,
            p.col,
            f"lint-allow {tok!r} allows nothing on line {p.covers}: "
            "no failing number is written that way there; remove it",
        )
        for p in pragmas
        for tok in p.tokens
        if tok not in p.used
    ]

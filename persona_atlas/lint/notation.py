"""How the prose around a number changes what it claims.

- **Approximate**: ``~0.6``, ``≈ 0.6``, ``about 0.6``, ``roughly 4``: the number is supported by
  a value within one unit of its last digit, or within `APPROX` (5 %) of it, whichever is
  larger (``~1e-4`` by 0 … 2e-4, ``~0.6`` by 0.5 … 0.7); a bare integer stays a count
  (``about 57 cells are KILL`` is checked as a count).
- **Percentage points**: ``+12.3 pp``, ``12.3 percentage points`` is a percent (a difference of
  two percents matches a stored difference of fractions ×100).
- **A change**: ``rises from 0.49 to 0.90``, ``drops from 38% to 12%`` names a before and an
  after: one collection's first and last value, or two values each checked on its own — not
  the ends of one collection's range (``ranges from 0.01 to 0.70`` still is one).
"""

from __future__ import annotations

import re
from dataclasses import replace

from persona_atlas.lint.numbers import Claim

#: The looser tolerance of an approximate number: a share of its value.
APPROX = 0.05
_APPROX_BEFORE = re.compile(
    r"(?:[~≈∼]|\babout|\bapproximately|\bapprox\.?|\broughly|\baround|\bcirca|\bca\.)\s*[+\-−]?$",
    re.IGNORECASE,
)
_POINTS_AFTER = re.compile(r"\s*(?:pp\b|p\.p\.|percentage[- ]points?\b)", re.IGNORECASE)
_CHANGE_BEFORE = re.compile(
    r"\b(?:rise|rises|rose|risen|rising|fall|falls|fell|fallen|falling|drops?|dropped|dropping"
    r"|increase[sd]?|increasing|decrease[sd]?|decreasing|change[sd]?|changing|goes|went|gone"
    r"|grows?|grew|grown|shrinks?|shrank|moves?|moved|climbs?|climbed|declines?|declined"
    r"|improves?|improved|jumps?|jumped|shifts?|shifted|widens?|widened|narrows?|narrowed)\b"
    r"[^.;:\n]{0,40}?\bfrom\s*$",
    re.IGNORECASE,
)
_RANGE_BEFORE = re.compile(
    r"\b(?:ranges?|ranged|ranging|spans?|spanned|spanning|varies|vary|varied|varying)\s+from\s*$",
    re.IGNORECASE,
)


def read_notation(prose: str, start: int, end: int, claim: Claim) -> Claim:
    """``claim`` as its surroundings ``prose[:start]`` / ``prose[end:]`` qualify it."""
    if _POINTS_AFTER.match(prose, end) and not claim.percent:
        claim = replace(claim, percent=True, integer=False)
    if not claim.integer and _APPROX_BEFORE.search(prose[max(0, start - 16) : start]):
        widened = max(2 * claim.half_width, APPROX * abs(claim.value))
        claim = replace(claim, half_width=widened, approx=True)
    return claim


def is_change(prose: str, start: int) -> bool:
    """The number after ``from`` in "rises from A to B": A and B are two values, not a range
    ("the drop ranges from A to B" stays a range)."""
    before = prose[max(0, start - 120) : start]
    return bool(_CHANGE_BEFORE.search(before)) and not _RANGE_BEFORE.search(before)

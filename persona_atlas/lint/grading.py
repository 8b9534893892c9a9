"""Grade a number no stored value in scope supports: ``contradicted`` or ``unverified``.

A write-up holds many numbers its JSON never stored: settings, counts of things nobody
recorded, figures from another issue. Calling those *failed* drowns the real mistakes, so a
number is **contradicted** only when its context identifies a stored quantity and that
quantity disagrees with it; otherwise it is **unverified**, with the reason:

- its context names nothing the JSON holds;
- the sentence says the number comes from elsewhere: another issue (``#142`` when no file
  is about it) or a pilot, a prior or previous run, a parent task (`ELSEWHERE`);
- it is a whole number (a count or a setting) that no stored value its context names equals;
- a value out of scope rounds to it, and the context names that value at least `RIVAL_RATIO`
  as well as the ones in scope: the scope may have been read wrong;
- its context does not single out a stored value: the best-named value's description is
  named less than `IDENTIFIED`, or more than `FEW` values are named about as well.

It is contradicted when the context singles out a value (cover ≥ `IDENTIFIED`, at most `FEW`
values) that disagrees, or when a value it names at least `NEAR_COVER` of is `NEAR` one unit
of the last typed digit off (``0.17`` for a stored 0.1646: the typo and double-rounding kind
of mistake). A range is contradicted when no collection of the JSON has it and its context
names what the JSON stores; a bound when it fails for values its context singles out, unless
it states a rule (`CRITERION`); a bound of 2 or more `SCALE` times past every value it names
is on another scale, and unverified whether it holds or not. The constants were chosen
on the write-up corpus of tests/lint/writeups (docs/lint.md, "Measured on the group's
write-ups").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from persona_atlas.lint.numbers import Claim

#: Share of a stored value's description (its path's terms, each by its specificity) the
#: context must name for the value to count as identified.
IDENTIFIED = 0.5
#: At most this many distinct values singled out: more means the context names a family.
FEW = 3
#: A near miss: within this many units of the last typed digit of a value in scope …
NEAR = 1.0
#: … whose description the context names at least this share of.
NEAR_COVER = 0.2
#: Words that make a bound a rule stated, not a claim about the data, when the JSON stores
#: no threshold its context names ("pre-registered threshold: > 15%").
CRITERION = frozenset({"threshold", "criterion", "cutoff", "criteria", "alpha", "significance"})
#: A bound more than this many times the largest value its context names is about something
#: else ("alignment below 30" next to rates of at most 1).
SCALE = 10.0
#: Words that make a bound one on the magnitude (``above 0.15 in absolute magnitude``).
MAGNITUDE = frozenset({"absolute", "magnitude"})
#: Words that say a number is from another study, not from the JSON at hand.
ELSEWHERE = frozenset({"pilot", "prior", "previous", "previously", "parent"})


@dataclass(frozen=True)
class Identification:
    """How well a context names the values in its scope."""

    cover: float
    """The largest share of a value's description the context names, of the values in
    scope."""
    values: np.ndarray
    """The values in scope whose description the context names that well (within
    `MARGIN`): the ones it singles out."""

    @property
    def size(self) -> int:
        return len(np.unique(self.values))


#: Values whose cover is this close to the best are singled out together.
MARGIN = 0.05


def identify(cover: np.ndarray, values: np.ndarray) -> Identification:
    """From the values in scope and how much of each one's description the context names
    (`Lookup.covers`): the best cover, and the values named about that well."""
    if not len(cover):
        return Identification(0.0, np.array([]))
    best = float(cover.max())
    return Identification(best, values[cover >= best - MARGIN])


def elsewhere(weights: Mapping[str, float], vocab: Mapping[str, int]) -> str:
    """Why the sentence is about another study, or ''."""
    issues = sorted(t for t in weights if t.startswith("#") and t not in vocab)
    if issues:
        return f"the sentence is about {', '.join(issues)}, which the JSON does not hold"
    cue = sorted(t for t in weights if t in ELSEWHERE)
    return f"the sentence says it comes from elsewhere ({', '.join(cue)})" if cue else ""


def criterion(weights: Mapping[str, float]) -> str:
    """Why a failing bound is a stated rule rather than a claim, or ''."""
    said = sorted(t for t in weights if t in CRITERION)
    return f"a rule the sentence states ({', '.join(said)}), not a stored value" if said else ""


NAMES_NOTHING = "its context names nothing the JSON holds"
NOT_A_STORED_COUNT = "a whole number its context's stored values do not hold (a count or a setting)"
NOT_IDENTIFIED = "its context does not single out a stored value"
ELSEWHERE_ROUNDS = "a stored value its context does not name rounds to it"
RIVAL = "a stored value its context names as well as those in scope rounds to it"
#: A value out of scope that rounds to the number and whose description the context names at
#: least this share as well as the best in scope: the scope may have been misread.
RIVAL_RATIO = 0.9
#: At most this many values that round to a number are weighed as rivals.
RIVALS = 512
ELSEWHERE_RANGE = "a stored collection its context does not name has this range"
NO_LAYERS = "a layer, and the JSON holds no layers"
OTHER_SCALE = "a bound on another scale than the values its context names"
BOUND_NOT_IDENTIFIED = "the values it fails for are not the ones its context singles out"


def grade_point(
    ident: Identification, claim: Claim, some_elsewhere: bool, rival: float, away: str
) -> str:
    """'' (contradicted) or why the number is only unverified. ``rival``: the best cover of
    a value out of scope that rounds to the number (-1: none)."""
    if away:
        return away
    if claim.integer:
        return NOT_A_STORED_COUNT
    if rival >= RIVAL_RATIO * ident.cover:
        return RIVAL
    target = claim.value / 100.0 if claim.percent else claim.value
    unit = claim.half_width * 2 / (100.0 if claim.percent else 1.0)
    miss = float(np.min(np.abs(ident.values - target))) / unit if len(ident.values) else np.inf
    if miss <= NEAR and ident.cover >= NEAR_COVER:
        return ""
    if ident.cover >= IDENTIFIED and ident.size <= FEW:
        return ""
    return ELSEWHERE_ROUNDS if some_elsewhere else NOT_IDENTIFIED

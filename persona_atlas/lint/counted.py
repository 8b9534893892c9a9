"""Counted claims in a report, typed or bound: each number must be the count it claims.

"All 60 cells are KILL" with 60 typed: the number's verdict becomes that of the count
(`counts.VerdictCounts.check`) instead of its match in scope. "All {{ value("metrics.n_cells")
}} cells are KILL": the bound value is read from the result and checked the same way; a false
one is a failure at the ``value()`` call (a bound number is otherwise only checked to render).
"""

from __future__ import annotations

import re

from persona_atlas.lint.counts import CountClaim
from persona_atlas.lint.lookup import Lookup, Verdict
from persona_atlas.lint.numbers import Claim, RawToken
from persona_atlas.lint.prose import Masked

_VALUE_CALL = re.compile(r"""\{\{-?\s*value\(\s*(?P<q>["'])(?P<path>[^"']+)(?P=q)""")


def counted(
    masked: Masked,
    claims: list[tuple[RawToken, Claim]],
    verdicts: list[Verdict],
    lookup: Lookup,
) -> tuple[list[Verdict], list[tuple[int, str]]]:
    """The verdicts with those of typed counts replaced, and (offset, message) for each bound
    count that is false."""
    prose, bound = _with_bound_counts(masked, lookup)
    at: dict[int, CountClaim] = {}
    for found_claim in lookup.counts.claims(prose):
        at[found_claim.total_at] = found_claim
        if found_claim.part_at is not None:
            at[found_claim.part_at] = found_claim
    if not at:
        return verdicts, []
    out = list(verdicts)
    for i, (tok, claim) in enumerate(claims):
        cc = at.get(tok.start)
        if cc is None or not claim.integer or claim.percent:
            continue
        found = lookup.counts.check(cc, int(claim.value), tok.start)
        if found is not None:
            c = found.candidate
            out[i] = Verdict((c,)) if found.ok else Verdict((), (c,), 1, found.note)
    wrong: list[tuple[int, str]] = []
    for offset, (path, n) in sorted(bound.items()):
        claim_at = at.get(offset)
        found = lookup.counts.check(claim_at, n, offset) if claim_at is not None else None
        if found is not None and not found.ok:
            wrong.append((offset, f"value({path!r}) = {n} in a counted claim: {found.note}"))
    return out, wrong


def _with_bound_counts(masked: Masked, lookup: Lookup) -> tuple[str, dict[int, tuple[str, int]]]:
    """The prose with each ``{{ value("path") }}`` of an integral stored value written in
    (padded to the call's length, so offsets stay), and offset → (path, value) of each."""
    chars = list(masked.prose)
    bound: dict[int, tuple[str, int]] = {}
    for region in masked.of_kind("template"):
        m = _VALUE_CALL.match(masked.text, region.start, region.end)
        n = lookup.counts.stored_integer(m.group("path")) if m else None
        if m is None or n is None or len(str(n)) > region.end - region.start:
            continue
        chars[region.start : region.start + len(str(n))] = str(n)
        bound[region.start] = (m.group("path"), n)
    return "".join(chars), bound

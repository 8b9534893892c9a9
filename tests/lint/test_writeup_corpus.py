"""Precision and recall of ``contradicted`` on the group's own write-ups.

Each write-up's true mistakes were found by hand, number by number, against the JSON its
numbers come from (``tests/lint/writeups/*.yaml``; see `corpus`). Per write-up, the linter's
``contradicted`` numbers must catch at least 90 % of them (recall) and at least 80 % of them
must be real mistakes (precision; a contradicted number listed as ambiguous counts neither
way). The #227 write-up, which careful reading finds correct, may have at most 2.
"""

from __future__ import annotations

import pytest

from tests.lint.corpus import corpus, score

WRITEUPS = corpus()


def test_the_corpus_has_at_least_four_writeups_with_their_mistakes() -> None:
    assert len(WRITEUPS) >= 4
    assert sum(len(w.mistakes) for w in WRITEUPS) >= 10  # real mistakes to find, not only none


@pytest.mark.parametrize("w", WRITEUPS, ids=lambda w: w.name)
def test_contradicted_finds_the_mistakes_and_little_else(w) -> None:  # type: ignore[no-untyped-def]
    if not w.present:
        pytest.skip(f"{w.text} or its JSON is absent (../shared/reference)")
    s = score(w)
    assert not [p for p in s.lint.problems if p.rule == "input"], s.lint.problems
    for at, token in w.mistakes.items():  # the hand-checked list points at real tokens
        line, col = map(int, at.split(":"))
        assert any((n.line, n.col, n.token) == (line, col, token) for n in s.lint.numbers), at
    assert s.recall >= 0.9, f"missed: {sorted(s.missed)}"
    assert s.precision >= 0.8, f"false alarms: {sorted(s.false_alarms)}"
    if w.name == "227":
        assert len(s.contradicted) <= 2
    # without --strict only contradicted numbers fail the write-up
    assert s.lint.failed == len(s.contradicted) + len(s.lint.problems)

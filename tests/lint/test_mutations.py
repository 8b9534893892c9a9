"""Proof that the linter catches wrong numbers: mutate each typed number of a clean text.

For every number the linter matched, three mutations — last digit ±1, sign flip, and a
fraction ↔ percent slip (adding or dropping the ``%`` without rescaling) — must each be
flagged: the mutated text has a failure that the unmutated one has not. Runs over

- the fixture report and every ``results/*/report.md`` (each must lint clean — a report that
  does not fails here, it is never left out — and 100 % of their mutations must be flagged);
- the group's #201/#218 write-up, for its numbers that lint clean (read from ``../shared``;
  skipped with the reason when that folder is absent).

A mutation the linter reports as supported because it is the stored value truncated to its
digits (``0.532`` for 0.5329) is a correct writing under the rules and is not a miss.
Nothing else is dropped silently. A mutation that stays unflagged because the mutated number is
itself a correct claim under the rules (a looser bound that still holds, a layer that exists)
is listed in `EQUIVALENT` with why; the test fails on any other, and on any listed one that
is flagged after all (so the list cannot go stale).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from persona_atlas.lint import ReportLint, lint_file, lint_report
from persona_atlas.lint.engine import read_text
from persona_atlas.lint.lookup import TRUNCATED
from tests.lint.lintkit import FIXTURE, REPO
from tests.lint.test_reference_writeup import JSON, WRITEUP

_MANTISSA = re.compile(r"(?P<digits>\d{1,3}(?:,\d{3})+|\d*\.?\d+)")

Mutation = tuple[int, int, str, str]  # line, col, token, mutated token

_LAYER = "a layer reference is checked for existence only, and the #218 sweep has this layer"
_LOOSER = "a looser bound than a true one is still true"
#: Unflagged mutations that are correct claims under the rules, per text, with why.
EQUIVALENT: dict[str, dict[Mutation, str]] = {
    "issue-42": {
        (41, 57, "1.0e-4", "1.1e-4"): f"every cell's Mantel p is 1.0e-4; {_LOOSER}",
    },
    WRITEUP.name: {
        (19, 263, "0.99", "0.98"): f"noise-floor mc_r ≥ 0.9904; {_LOOSER}",
        (19, 263, "0.99", "−0.99"): f"noise-floor mc_r ≥ 0.9904; {_LOOSER}",
        (19, 263, "0.99", "0.99%"): f"noise-floor mc_r ≥ 0.9904 ≥ 0.0099; {_LOOSER}",
        (28, 97, "0.90", "0.89"): "A vs B mc_r at layers 21-27 includes 0.892 (layer 21)",
        (28, 123, "21", "22"): _LAYER,
        (28, 123, "21", "20"): _LAYER,
        (28, 126, "27", "26"): _LAYER,
        (30, 128, "0", "1"): _LAYER,
        (30, 147, "22", "23"): _LAYER,
        (30, 147, "22", "21"): _LAYER,
        (30, 150, "27", "26"): _LAYER,
        (30, 316, "27", "26"): _LAYER,
        (32, 176, "7", "8"): "A vs C2 cos_min is 0.07 at layer 8 too (0.0712)",
        (39, 149, "0.85", "−0.85"): f"every stored cross-recipe cosine is > −0.85; {_LOOSER}",
        (59, 49, "0", "1"): _LAYER,
        (59, 52, "27", "26"): _LAYER,
        (59, 52, "27", "−27"): "'[0..−27]' reads as the span 0..27: a dash after '..' is no sign",
    },
}


def mutations(token: str) -> list[tuple[str, str]]:
    """(kind, mutated token) for one typed number."""
    out = []
    sign = token[0] if token[0] in "-−+" else ""
    body = token[len(sign) :]
    m = _MANTISSA.match(body)
    if m:
        digits = m.group("digits")
        plain = digits.replace(",", "")
        step = Decimal(1).scaleb(-len(plain.split(".")[1]) if "." in plain else 0)
        for delta in (step, -step):
            new = Decimal(plain) + delta
            if new < 0:
                continue
            text = f"{new:,}" if "," in digits else str(new)
            out.append(("last digit ±1", sign + text + body[m.end() :]))
        if Decimal(plain) != 0:
            flipped = body if sign in "-−" and sign else "−" + body
            out.append(("sign flip", flipped))
    if token.endswith("%"):
        out.append(("percent → fraction", token.rstrip("%").rstrip()))
    else:
        out.append(("fraction → percent", token + "%"))
    return out


def _splice(text: str, line: int, col: int, old: str, new: str) -> str:
    lines = text.split("\n")
    row = lines[line - 1]
    assert row[col - 1 : col - 1 + len(old)] == old, (row, col, old)
    lines[line - 1] = row[: col - 1] + new + row[col - 1 + len(old) :]
    return "\n".join(lines)


def failures(lint: ReportLint) -> Counter[tuple[int, str]]:
    """Every failure of a lint, as (line, what failed)."""
    out: Counter[tuple[int, str]] = Counter(
        (n.line, n.token) for n in lint.numbers if n.status == "failed"
    )
    out.update((b.line, f"[{b.helper}]") for b in lint.bindings if not b.ok)
    out.update((p.line, f"[{p.rule}]") for p in lint.problems)
    return out


def unflagged(path: Path, lint: Callable[[str | None], ReportLint]) -> tuple[list[Mutation], int]:
    """The mutations of ``path``'s matched numbers that add no failure, and how many ran."""
    base = lint(None)
    before = failures(base)
    text = read_text(path)
    missed: list[Mutation] = []
    total = 0
    for n in base.numbers:
        if n.status != "matched":
            continue
        for _, new in mutations(n.token):
            total += 1
            mutated = lint(_splice(text, n.line, n.col, n.token, new))
            if failures(mutated) - before:
                continue
            if _truncation(mutated, n.line, n.col):
                name = path.parent.name if path.name == "report.md" else path.name
                TRUNCATIONS[name] = TRUNCATIONS.get(name, 0) + 1
            else:
                missed.append((n.line, n.col, n.token, new))
    return missed, total


#: Per text: mutations supported as the stored value truncated (shown, not missed).
TRUNCATIONS: dict[str, int] = {}


def _truncation(lint: ReportLint, line: int, col: int) -> bool:
    """The mutated number is the stored value cut to its digits: supported, and said so
    (docs/lint.md: truncation), so not a miss."""
    return any((n.line, n.col) == (line, col) and n.note == TRUNCATED for n in lint.numbers)


def _check(name: str, missed: list[Mutation], total: int) -> None:
    expected = EQUIVALENT.get(name, {})
    surprise = [m for m in missed if m not in expected]
    assert not surprise, f"{len(surprise)}/{total} mutations not flagged: {surprise}"
    stale = [m for m in expected if m not in missed]
    assert not stale, f"listed as equivalent but flagged (remove them): {stale}"
    cut = TRUNCATIONS.get(name, 0)
    print(
        f"\n{name}: {total - len(missed) - cut}/{total} flagged, {cut} truncations (supported), "
        f"{len(missed)} equivalent (listed)"
    )


REPOSITORY_REPORTS = sorted((REPO / "results").glob("*/report.md"))


@pytest.mark.parametrize(
    "report", [FIXTURE / "report.md", *REPOSITORY_REPORTS], ids=lambda p: p.parent.name
)
def test_every_mutation_of_a_report_is_flagged(report: Path) -> None:
    clean = lint_report(report)
    assert clean.failed == 0, "the unmutated report must lint clean (no false positives)"
    typed = any(n.status == "matched" for n in clean.numbers)
    if not typed and report.parent != FIXTURE:
        pytest.skip("every number in this report is bound with value(): nothing typed to mutate")
    assert typed, "no typed numbers prove nothing"
    missed, total = unflagged(report, lambda text: lint_report(report, text=text))
    if report.parent != FIXTURE:
        assert not missed, f"{report}: {len(missed)}/{total} mutations not flagged: {missed}"
    _check(report.parent.name, missed, total)


def test_the_repository_reports_type_numbers_to_mutate() -> None:
    """A skip above must not hide the whole check: some committed report types numbers."""
    assert any(n.status == "matched" for r in REPOSITORY_REPORTS for n in lint_report(r).numbers)


@pytest.mark.skipif(not WRITEUP.exists(), reason=f"reference write-up not present at {WRITEUP}")
def test_every_mutation_of_the_reference_writeup_is_flagged_or_listed() -> None:
    missed, total = unflagged(WRITEUP, lambda text: lint_file(WRITEUP, JSON, text=text))
    _check(WRITEUP.name, missed, total)
    assert total >= 300  # every number of the write-up that lints clean


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("0.64", ["0.65", "0.63", "−0.64", "0.64%"]),
        ("−0.010", ["−0.011", "−0.009", "0.010", "−0.010%"]),
        ("38.3%", ["38.4%", "38.2%", "−38.3%", "38.3"]),
        ("37,675", ["37,676", "37,674", "−37,675", "37,675%"]),
        ("0", ["1", "0%"]),
    ],
)
def test_mutation_operators(token: str, expected: list[str]) -> None:
    assert [new for _, new in mutations(token)] == expected

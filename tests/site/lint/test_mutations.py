"""Proof that the linter catches wrong numbers: mutate each typed number of a clean report.

For every number the linter matched, three mutations — last digit ±1, sign flip, and a
fraction ↔ percent slip (adding or dropping the ``%`` without rescaling) — must each be
flagged, and the unmutated report must lint clean. Runs over the fixture report and over every
``results/*/report.md`` of the repository that lints clean.

A mutation whose new number is itself stored in the result (an independent linear scan finds
it) is *equivalent*: no linter that matches against the result can tell it apart. The fixture
is built to have none; for repository reports they are counted and listed, never silently
passed.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from persona_atlas.site.lint import lint_report
from persona_atlas.site.lint.engine import NumberCheck, read_text
from persona_atlas.site.lint.matching import ValueIndex, naive_matches
from persona_atlas.site.lint.numbers import find_tokens, parse_claim
from tests.site.lint.lintkit import FIXTURE, REPO

_MANTISSA = re.compile(r"(?P<digits>\d{1,3}(?:,\d{3})+|\d*\.?\d+)")


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


def _index(report: Path) -> tuple[ValueIndex, set[str]]:
    from persona_atlas.schema import load_result, load_run

    docs = {"": load_result(report.parent / "result.json").model_dump(mode="json")}
    if (report.parent / "run.json").exists():
        docs["run."] = load_run(report.parent / "run.json").model_dump(mode="json")
    index = ValueIndex.of(docs)
    pct = set(index.percents.paths) if index.percents else set()
    return index, pct


def _equivalent(index: ValueIndex, pct: set[str], new_token: str) -> bool:
    toks = find_tokens(" " + new_token + " ")
    return len(toks) == 1 and bool(naive_matches(index.leaves, parse_claim(toks[0]), pct))


def clean_repository_reports() -> list[Path]:
    return [p for p in sorted((REPO / "results").glob("*/report.md")) if not lint_report(p).failed]


REPORTS = [FIXTURE / "report.md", *clean_repository_reports()]


@pytest.mark.parametrize("report", REPORTS, ids=lambda p: p.parent.name)
def test_every_mutation_is_flagged(report: Path) -> None:
    clean = lint_report(report)
    assert clean.failed == 0, "the unmutated report must lint clean (no false positives)"
    text = read_text(report)
    index, pct = _index(report)
    typed: list[NumberCheck] = [n for n in clean.numbers if n.status == "matched"]
    assert typed, "a report with no typed numbers proves nothing"
    missed, equivalent, total = [], [], 0
    for n in typed:
        for kind, new in mutations(n.token):
            total += 1
            mutated = lint_report(report, text=_splice(text, n.line, n.col, n.token, new))
            if mutated.failed:
                continue
            where = f"{n.line}:{n.col} {n.token} → {new} ({kind})"
            (equivalent if _equivalent(index, pct, new) else missed).append(where)
    assert not missed, f"{len(missed)}/{total} mutations not flagged: {missed}"
    if report.parent == FIXTURE:
        assert not equivalent, f"fixture mutations that the result supports: {equivalent}"
    flagged = total - len(equivalent)
    print(f"{report}: {flagged}/{total} mutations flagged, {len(equivalent)} equivalent")


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

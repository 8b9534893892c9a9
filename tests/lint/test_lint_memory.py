"""A very large result is linted in bounded memory: its largest lists are summarised (their
columns keep their range), the rest is indexed value by value."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from persona_atlas.lint import summary
from persona_atlas.lint.context import contexts
from persona_atlas.lint.lookup import Lookup
from persona_atlas.lint.numbers import find_tokens, parse_claim
from persona_atlas.lint.prose import mask
from tests.lint.lintkit import REPO

COLUMNS = ["pair", "layer", "persona", "cos"]
ROWS = [
    ["A vs B", layer, f"p{i}", round(0.1 + (i * 7 % 80) / 100, 2)]
    for layer in (7, 14)
    for i in range(60)
]
DOC = {
    "metrics": {"n_personas": 60, "cos_min": 0.11},
    "tables": {"per_persona": {"columns": COLUMNS, "rows": ROWS}},
}


def verdicts(lookup: Lookup, text: str) -> list[bool]:
    """Whether each number of the sentence matches (a range counts once per end)."""
    m = mask(text)
    tokens = find_tokens(m.prose)
    where = contexts(m, tokens, lookup.describer.recipes)
    claims = [parse_claim(t) for t in tokens]
    if len(claims) == 2:
        v = lookup.match_range(claims[0], claims[1], where[0])
        return [bool(v.matches)] * 2
    return [bool(lookup.match(c, w).matches) for c, w in zip(claims, where, strict=True)]


def test_the_largest_lists_are_summarised_past_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    full = Lookup({"": DOC})
    assert len(full.index.leaves) == 2 + 2 * len(ROWS)  # under the limit: every value
    monkeypatch.setattr(summary, "MAX_INDEXED", 10)
    small = Lookup({"": DOC})
    assert [p for p, _ in small.index.leaves] == ["metrics.n_personas", "metrics.cos_min"]
    # a range over the summarised column still matches its stored min and max
    assert verdicts(small, "Per-persona cos ranges from 0.10 to 0.89.") == [True, True]
    assert verdicts(small, "Per-persona cos ranges from 0.12 to 0.89.") == [False, False]
    # a single cell does not: it is not indexed (bind it with value())
    assert verdicts(full, "A vs B per-persona cos of p1 at layer 7 is 0.17.")[-1]
    assert not verdicts(small, "A vs B per-persona cos of p1 at layer 7 is 0.17.")[-1]
    text = "The per-persona cos at layer 7 is 0.17."
    m = mask(text)
    (ctx,) = contexts(m, [find_tokens(m.prose)[-1]], small.describer.recipes)
    note = small.match(parse_claim(find_tokens(m.prose)[-1]), ctx).note
    assert note.endswith(
        "tables.per_persona.rows is too large to index value by value (only ranges over it are "
        "checked): bind such a value with value()"
    )


def _bench() -> object:
    spec = importlib.util.spec_from_file_location(
        "bench_lint", REPO / "benchmarks" / "bench_lint.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_lint", module)
    spec.loader.exec_module(module)
    return module


def test_peak_memory_stays_near_that_of_reading_the_json(tmp_path: Path) -> None:
    """A 12 MB result (474,000 numbers): the lint's peak RSS is within 3× the file's size of
    a plain json.load's in the same interpreter setup (it was 600 MB above it before)."""
    bench = _bench()
    report, _ = bench.write_big_result(tmp_path / "results" / "issue-99", 12)  # type: ignore[attr-defined]
    result = report.parent / "result.json"
    size_mb = result.stat().st_size / 2**20
    imports = "from persona_atlas.lint import lint_report\nimport json\n"
    _, base, _ = bench.measured(imports + f"json.load(open({str(result)!r}))")  # type: ignore[attr-defined]
    _, peak, said = bench.measured(  # type: ignore[attr-defined]
        imports + f"print(lint_report({str(report)!r}).counts()['matched'])"
    )
    assert int(said) > 200  # the report's numbers were matched
    assert peak - base < 3 * size_mb, (peak, base, size_mb)

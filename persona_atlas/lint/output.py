"""How lint results are shown: one line per failure, a summary, or JSON.

Failure lines read ``file:line:col  token  contradicted → nearest candidates (path = value)``
(``unverified`` under ``--strict``); other failures read ``file:line:col  [rule]  message``;
warnings about the JSON read (a bare NaN) ``file  [warning]  …``.
"""

from __future__ import annotations

import json
from typing import Any

from persona_atlas.lint.engine import NumberCheck, ReportLint

SUMMARY_KEYS = (
    "checked", "matched", "bound", "exempt", "pragma", "failed", "other_failures",
    "supported", "contradicted", "unverified", "allowed",
)  # fmt: skip


def _where(lint: ReportLint, line: int, col: int) -> str:
    return f"{lint.path}:{line}:{col}" if line else str(lint.path)


def text_lines(lint: ReportLint, *, verbose: bool = False) -> list[str]:
    out: list[tuple[int, int, str]] = []
    for n in lint.numbers:
        where = _where(lint, n.line, n.col)
        if n.status == "failed" and (verbose or lint.failing(n)):
            why = f" ({n.reason})" if n.reason else ""
            out.append((n.line, n.col, f"{where}  {n.token}  {n.verdict}{why} → {_nearest(n)}"))
        elif verbose and n.status == "exempt":
            out.append((n.line, n.col, f"{where}  {n.token}  exempt ({n.rule}): {n.reason}"))
        elif verbose and n.status == "pragma":
            out.append((n.line, n.col, f"{where}  {n.token}  allowed by pragma: {n.reason}"))
        elif verbose:
            best = n.matches[0].show() if n.matches else ""
            more = f" (+{len(n.matches) - 1} more in scope)" if len(n.matches) > 1 else ""
            how = f" ({n.note})" if n.note else ""
            out.append((n.line, n.col, f"{where}  {n.token}  supported by {best}{more}{how}"))
    for b in lint.bindings:
        where = _where(lint, b.line, b.col)
        if not b.ok:
            out.append((b.line, b.col, f"{where}  [{b.helper}]  {b.message}"))
        elif verbose and b.helper == "value":
            out.append((b.line, b.col, f"{where}  bound {b.target} → {b.shown}"))
    for p in lint.problems:
        out.append((p.line, p.col, f"{_where(lint, p.line, p.col)}  [{p.rule}]  {p.message}"))
    warnings = [f"{lint.path}  [warning]  {w}" for w in lint.warnings]
    return warnings + [text for *_, text in sorted(out, key=lambda t: (t[0], t[1]))]


def _nearest(n: NumberCheck) -> str:
    """``in scope: a = 1, b = 2; elsewhere: c = 3 (why)`` — the values the number's context
    refers to first, then the closest anywhere."""
    scoped = ", ".join(c.show() for c in n.nearest[: n.in_scope])
    rest = ", ".join(c.show() for c in n.nearest[n.in_scope :])
    if scoped:
        shown = f"in scope: {scoped}" + (f"; elsewhere: {rest}" if rest else "")
    else:
        shown = rest or "no numbers in the result"
    return f"{shown} ({n.note})" if n.note else shown


def totals(lints: list[ReportLint]) -> dict[str, int]:
    total = dict.fromkeys(SUMMARY_KEYS, 0)
    for lint in lints:
        for k, v in lint.counts().items():
            total[k] += v
    return total


def summary_line(lints: list[ReportLint]) -> str:
    t = totals(lints)
    bad = sum(lint.failed > 0 for lint in lints)
    strict = any(lint.strict for lint in lints)
    return (
        f"{len(lints)} report(s), {bad} failing: {t['checked']} numbers checked — "
        f"{t['supported']} supported ({t['bound']} bound), {t['contradicted']} contradicted, "
        f"{t['unverified']} unverified{' (failing: --strict)' if strict else ''}, "
        f"{t['exempt']} exempt by rule, {t['allowed']} allowed by pragma; "
        f"{t['other_failures']} other failure(s) (structure, helpers, pragmas, input)"
    )


def as_json(lints: list[ReportLint]) -> dict[str, Any]:
    def cand(c: Any) -> dict[str, Any]:
        out = {"path": c.path, "value": c.value}
        if c.high is not None:
            out["high"] = c.high
        return out

    from persona_atlas.lint.annotate import number_record, records, verdict_counts

    reports: list[dict[str, Any]] = []
    verdicts: dict[str, int] = {}
    for lint in lints:
        recs = records(lint)
        counts: dict[str, int] = {**lint.counts(), **verdict_counts(recs)}
        for k, v in verdict_counts(recs).items():
            verdicts[k] = verdicts.get(k, 0) + v
        reports.append(
            {
                "path": str(lint.path),
                "strict": lint.strict,
                "summary": counts,
                "warnings": lint.warnings,
                "numbers": [
                    {
                        "line": n.line,
                        "col": n.col,
                        "token": n.token,
                        "status": n.status,
                        "rule": n.rule or None,
                        "reason": n.reason or None,
                        "matches": [cand(c) for c in n.matches],
                        "nearest": [cand(c) for c in n.nearest],
                        "nearest_in_scope": n.in_scope,
                        "note": n.note or None,
                        **_annotation(number_record(n).as_dict()),
                    }
                    for n in lint.numbers
                ],
                # one record per number, bound values included, with its verdict
                "records": [r.as_dict() for r in recs],
                "bindings": [b.__dict__ for b in lint.bindings],
                "problems": [p.__dict__ for p in lint.problems],
            }
        )
    return {"summary": {**totals(lints), **verdicts}, "reports": reports}


def _annotation(record: dict[str, Any]) -> dict[str, Any]:
    """The annotated view's fields, added to each number's existing JSON fields."""
    return {k: record[k] for k in ("text", "verdict", "path", "stored")}


def dumps(lints: list[ReportLint]) -> str:
    return json.dumps(as_json(lints), indent=2, ensure_ascii=False)

"""The annotated view of a lint: one record per number, and the report as HTML with each
number coloured by its verdict.

Each number shows its graded verdict (`engine.VERDICTS`); a bound value is ``supported`` and a
broken binding ``contradicted``.
Reports come from pull requests, so everything taken from the report or its JSON is escaped
(docs/security.md); the page loads nothing from elsewhere.
"""

from __future__ import annotations

import html
import re
from dataclasses import asdict, dataclass
from typing import Any

from persona_atlas.lint.engine import VERDICTS, NumberCheck, ReportLint, read_text
from persona_atlas.lint.matching import Candidate

LEGEND = {
    "supported": "a stored value in scope rounds to it (bound: rendered from the JSON)",
    "contradicted": "its context identifies a stored value, and that value disagrees: lint fails",
    "unverified": "the JSON holds nothing its context identifies: fails only under --strict",
    "exempt": "not a claim (code, version, date, reference, …)",
    "allowed": "allowed by a lint-allow pragma, with its reason",
}
_EXPRESSION = re.compile(r"\{\{.*?\}\}")


@dataclass(frozen=True)
class Record:
    """One number of the report: where, what, its verdict and the stored value behind it."""

    line: int
    col: int
    text: str
    verdict: str
    status: str  # the engine's status it was mapped from
    path: str | None
    stored: Any
    reason: str
    source: str = "prose"  # "binding": a ``{{ value(...) }}`` expression

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def records(lint: ReportLint) -> list[Record]:
    """Every typed number and every bound value, in reading order."""
    out = [number_record(n) for n in lint.numbers]
    for b in lint.bindings:
        if b.helper == "value":
            status = "bound" if b.ok else "failed"
            reason = "bound value, rendered from the JSON" if b.ok else b.message
            stored = b.shown or None
            out.append(
                Record(
                    b.line,
                    b.col,
                    b.shown or b.target,
                    "supported" if b.ok else "contradicted",
                    status,
                    b.target,
                    stored,
                    reason,
                    "binding",
                )
            )
    return sorted(out, key=lambda r: (r.line, r.col))


def number_record(n: NumberCheck) -> Record:
    best: Candidate | None = None
    if n.status == "matched":
        best = n.matches[0] if n.matches else None
        reason = (n.note or "rounds to the stored value") + (
            f" (+{len(n.matches) - 1} more in scope)" if len(n.matches) > 1 else ""
        )
    elif n.status == "failed":
        best = n.nearest[0] if n.nearest else None  # in scope when any is
        scoped = ", ".join(c.show() for c in n.nearest[: n.in_scope])
        rest = ", ".join(c.show() for c in n.nearest[n.in_scope :])
        reason = (
            f"unverified: {n.reason}"
            if n.verdict == "unverified"
            else "no stored value its context refers to rounds to it"
        )
        reason += f"; in scope: {scoped}" if scoped else ""
        reason += f"; elsewhere: {rest}" if rest else ""
        reason += "" if n.nearest else "; no numbers in the result"
        reason += f" ({n.note})" if n.note else ""
    elif n.status == "pragma":
        reason = f"allowed by pragma: {n.reason}"
    else:
        reason = f"exempt ({n.rule}): {n.reason}"
    stored: Any = None
    if best is not None:
        stored = [best.value, best.high] if best.high is not None else best.value
    return Record(
        n.line, n.col, n.token, n.verdict, n.status,
        best.path if best else None, stored, reason,
    )  # fmt: skip


def verdict_counts(recs: list[Record]) -> dict[str, int]:
    counts: dict[str, int] = dict.fromkeys(VERDICTS, 0)
    for r in recs:
        counts[r.verdict] += 1
    return counts


# ----------------------------------------------------------------------------- HTML

_CSS = """
body{font:15px/1.5 system-ui,sans-serif;margin:1.5rem auto;max-width:60rem;padding:0 1rem;color:#1f2328}
h1{font-size:1.2rem}.legend span,.n{padding:0 .15em;border-radius:3px;cursor:pointer}
.legend{display:flex;flex-wrap:wrap;gap:.4rem 1rem;margin:.5rem 0 1rem}
pre.prose{white-space:pre-wrap;word-wrap:break-word;font:14px/1.6 ui-monospace,monospace;
background:#f6f8fa;padding:1rem;border-radius:6px}
.v-supported{background:#dafbe1;color:#116329}.v-contradicted{background:#ffebe9;color:#a40e26;
font-weight:bold;outline:1px solid #cf222e}.v-exempt{background:#eaeef2;color:#57606a}
.v-allowed{background:#fff8c5;color:#7d4e00}.v-unverified{background:#ddf4ff;color:#0a3069;
border-bottom:1px dotted #0969da}.bound{border-bottom:2px dashed #1a7f37}
#pin{position:absolute;display:none;max-width:28rem;background:#fff;border:1px solid #8c959f;
border-radius:6px;padding:.5rem .7rem;box-shadow:0 4px 12px #0003;white-space:pre-wrap;font-size:13px}
"""
# Tap (or Enter) pins the number's explanation; textContent only, never HTML.
_JS = """
(function(){var pin=document.getElementById('pin');
function show(el){var r=el.getBoundingClientRect();pin.textContent=el.getAttribute('data-info');
pin.style.left=(window.scrollX+r.left)+'px';pin.style.top=(window.scrollY+r.bottom+4)+'px';
pin.style.display='block';}
document.addEventListener('click',function(ev){var el=ev.target.closest?ev.target.closest('.n'):null;
if(el){show(el);}else if(ev.target!==pin){pin.style.display='none';}});
document.addEventListener('keydown',function(ev){if(ev.key==='Enter'&&ev.target.classList&&
ev.target.classList.contains('n')){show(ev.target);}if(ev.key==='Escape'){pin.style.display='none';}});
})();
"""


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _info(r: Record) -> str:
    label = r.verdict + (" (bound)" if r.status == "bound" else "")
    lines = [f"{r.text}: {label}"]
    if r.path is not None:
        lines.append(f"path: {r.path}")
    if r.stored is not None:
        lines.append(f"stored: {r.stored}")
    lines.append(f"reason: {r.reason}")
    return "\n".join(lines)


def _spans(text: str, recs: list[Record]) -> list[tuple[int, int, Record]]:
    """Character spans of the records in ``text``; a record whose text is not found where
    it says is listed in the summary but not highlighted."""
    starts = [0]
    starts += [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    spans: list[tuple[int, int, Record]] = []
    last = 0
    for r in recs:
        if not 1 <= r.line <= len(starts):
            continue
        at = starts[r.line - 1] + r.col - 1
        if r.source == "binding":
            end_line = text.find("\n", at)
            line_start = starts[r.line - 1]
            line = text[line_start : end_line if end_line >= 0 else len(text)]
            m = next(
                (m for m in _EXPRESSION.finditer(line) if m.start() <= at - line_start < m.end()),
                None,
            )
            if m is None:
                continue
            start, end = line_start + m.start(), line_start + m.end()
        elif text[at : at + len(r.text)] == r.text:
            start, end = at, at + len(r.text)
        else:
            continue
        if start >= last:
            spans.append((start, end, r))
            last = end
    return spans


def as_html(lint: ReportLint, text: str | None = None) -> str:
    """A self-contained page: the report's text with every number coloured by verdict."""
    recs = records(lint)
    counts = verdict_counts(recs)
    if text is None:
        try:
            text = read_text(lint.path)
        except (OSError, ValueError) as exc:  # the lint already says why; show it here too
            text = f"(the report could not be read: {exc})"
    parts: list[str] = []
    pos = 0
    for start, end, r in _spans(text, recs):
        parts.append(_esc(text[pos:start]))
        bound = " bound" if r.status == "bound" else ""
        info = _esc(_info(r))
        parts.append(
            f'<span class="n v-{r.verdict}{bound}" tabindex="0" title="{info}" '
            f'data-info="{info}" data-verdict="{r.verdict}">{_esc(text[start:end])}</span>'
        )
        pos = end
    parts.append(_esc(text[pos:]))
    legend = "".join(
        f'<span class="v-{v}" title="{_esc(LEGEND[v])}">{v}: {counts[v]}</span>' for v in VERDICTS
    )
    problems = "".join(
        f"<li>{p.line}:{p.col} [{_esc(p.rule)}] {_esc(p.message)}</li>" for p in lint.problems
    )
    problems_html = f"<h2>Other problems</h2><ul>{problems}</ul>" if problems else ""
    total = sum(counts.values())
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Numbers checked: {_esc(lint.path.name)}</title><style>{_CSS}</style></head>"
        f"<body><h1>Numbers checked: {_esc(lint.path)}</h1>"
        f'<p class="summary">{total} numbers: '
        + ", ".join(f"{counts[v]} {v}" for v in VERDICTS)
        + f'</p><div class="legend">{legend}</div>'
        "<p>Hover or tap a number for the JSON path, the stored value and the reason.</p>"
        f'{problems_html}<pre class="prose">{"".join(parts)}</pre>'
        f'<div id="pin" role="tooltip"></div><script>{_JS}</script></body></html>\n'
    )


def not_checked_html() -> str:
    """The annotated view of a site built without the lint gate."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Numbers not checked</title><style>{_CSS}</style></head><body>"
        "<h1>Numbers not checked</h1><p>This site was built with the lint gate "
        "switched off: the page's numbers "
        "were not checked against its result.</p></body></html>\n"
    )


def as_records_json(lint: ReportLint) -> dict[str, Any]:
    recs = records(lint)
    return {"records": [r.as_dict() for r in recs], "verdicts": verdict_counts(recs)}

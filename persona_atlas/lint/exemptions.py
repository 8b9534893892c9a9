"""The few rules that say a number in prose is an identifier, not a claim.

Each rule has a reason (shown by ``atlas lint -v``) and a test. A number that no rule exempts
is a claim and must match the result, be bound, or carry a pragma.
"""

from __future__ import annotations

import re

from persona_atlas.lint.numbers import RawToken
from persona_atlas.lint.prose import REGION_RULES

TOKEN_RULES: dict[str, str] = {
    "issue": "an issue reference (#201, issue 201)",
    "date": "part of a date or time (2026-05-03, 05/03/2026, 08:29, May 3)",
    "version": "a version string (v1.2.3, 1.2.3, Python 3.11)",
    "commit": "a commit SHA (4822c74)",
    "identifier": "part of a name (Qwen2.5-7B, Llama-3.1, layer_20, fp32, L24, 3rd, pos[0])",
    "reference": "a reference to a part of a document (Figure 3, Table 2, section 4.2, §5)",
    "list": "an ordered-list marker (1. at the start of a line)",
    "citation": "a citation (Chen et al. 2025, [1], arXiv:2507.21509)",
    "level": "the level of an interval, not a value (95% CI, 95% bootstrap CI)",
}
#: Every exemption rule and its reason.
RULES: dict[str, str] = {**REGION_RULES, **TOKEN_RULES}

#: Units that may be glued to a number without making it a name (``2x``, ``80GB``, ``200ms``).
UNITS = frozenset(
    {"x", "X", "GB", "MB", "KB", "TB", "GiB", "MiB", "KiB", "TiB", "ms", "s", "h", "min", "pp"}
)
_WORD_CHARS = re.compile(r"[\w.\-\u2212']")
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_MONTH_BEFORE = re.compile(rf"\b{_MONTH}\s+(?:\d{{1,2}},?\s+)?$")
_MONTH_AFTER = re.compile(rf"^(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\b")
_DATE_TIME = re.compile(
    r"(?<![\w.])(?:\d{4}-\d{2}(?:-\d{2})?(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z?)?"
    r"|\d{1,2}/\d{1,2}/\d{4}|\d{1,2}:\d{2}(?::\d{2})?)(?![\w:/])"
)
_DOTTED_VERSION = re.compile(r"^v?\d+(?:\.\d+){2,}$")
_SOFTWARE = re.compile(
    r"\b(?:python|torch|pytorch|cuda|transformers|vllm|mkdocs|numpy|duckdb|pydantic|jinja2?|"
    r"altair|safetensors|ubuntu|debian)\s+v?$",
    re.IGNORECASE,
)
_COMMIT = re.compile(r"^(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)(?!\d+e\d+$)[0-9a-f]{7,40}$")
_CITATION = re.compile(r"\bet al\.?,?\s*\(?$")
_PAPER_ID = re.compile(r"(?:\barxiv:|\bdoi:)\s*$", re.IGNORECASE)  # arXiv:2507.21509
_ISSUE_WORD = re.compile(r"\b(?:issues?|PRs?|pull request)\s+$", re.IGNORECASE)
_REFERENCE = re.compile(
    r"(?:\b(?:fig(?:ure)?s?|tables?|tab|sections?|sec|appendix|eq(?:uation)?s?|chapters?)"
    r"\.?\s*|§\s*)$",
    re.IGNORECASE,
)
_REFERENCED = re.compile(r"[1-9]\d*(?:\.\d+)*[a-z]?")  # 3, 4.2, 2b
#: After a percent: the interval it is the level of (``95% CI``, ``95% bootstrap CI``).
_INTERVAL_AFTER = re.compile(
    r"^%?\s*(?:(?:bootstrap|bca|percentile|wilson|bayesian|two-sided)\s+)*"
    r"(?:CIs?\b|HDI\b|(?:confidence|credible|prediction)[ -](?:intervals?|levels?|bands?)\b)",
    re.IGNORECASE,
)
_NAME_HEAD = re.compile(r"^(?:[A-Z][A-Za-z]+|[A-Za-z]+\d[\w.]*)$")


def word_around(prose: str, start: int, end: int) -> tuple[int, int]:
    """Bounds of the run of name-like characters that contains ``prose[start:end]``."""
    ws, we = start, end
    while ws > 0 and _WORD_CHARS.match(prose[ws - 1]):
        ws -= 1
    while we < len(prose) and _WORD_CHARS.match(prose[we]):
        we += 1
    while we > end and prose[we - 1] in ".:'/-":  # sentence punctuation is not part of it
        we -= 1
    return ws, we


def token_rule(prose: str, tok: RawToken) -> str | None:
    """The rule that exempts this token, or None when it is a claim."""
    ws, we = word_around(prose, tok.start, tok.end)
    word = prose[ws:we]
    digits_at = tok.start + (1 if tok.signed else 0)
    before = prose[max(0, ws - 40) : ws]
    if (digits_at > 0 and prose[digits_at - 1] == "#") or _ISSUE_WORD.search(
        before + prose[ws : tok.start]
    ):
        return "issue"
    if _in_date_time(prose, tok) or _MONTH_BEFORE.search(prose[max(0, tok.start - 30) : tok.start]):
        return "date"
    if _MONTH_AFTER.match(prose[tok.end : tok.end + 16]):
        return "date"
    if _DOTTED_VERSION.match(word) or (_SOFTWARE.search(before) and "." in tok.text):
        return "version"
    if _COMMIT.match(word):
        return "commit"
    if _in_name(prose, ws, digits_at) or _glued_name(prose, tok.end):
        return "identifier"
    reference = _REFERENCE.search(prose[max(0, digits_at - 16) : digits_at])
    if reference and not tok.signed and _REFERENCED.fullmatch(prose[digits_at:we]):
        return "reference"
    if _is_list_marker(prose, tok):
        return "list"
    if tok.text.endswith("%") and _INTERVAL_AFTER.match(prose[tok.end : tok.end + 40]):
        return "level"
    if _CITATION.search(before + prose[ws : tok.start]) and re.fullmatch(r"(19|20)\d\d", tok.text):
        return "citation"
    if _is_citation_mark(prose, digits_at, tok.end) or _PAPER_ID.search(
        before + prose[ws:digits_at]
    ):
        return "citation"
    return None


def _in_date_time(prose: str, tok: RawToken) -> bool:
    """Inside ``2026-05-03``, ``2026-05-03T08:29:21Z``, ``05/03/2026`` or ``08:29``."""
    lo = max(0, tok.start - 24)
    return any(
        m.start() <= tok.start and tok.end <= m.end()
        for m in _DATE_TIME.finditer(prose, lo, min(len(prose), tok.end + 24))
    )


def _in_name(prose: str, ws: int, at: int) -> bool:
    """The number is part of a name: glued to a letter or ``_`` before it (``L24``, ``fp32``,
    ``layer_20``, ``Qwen2.5``), a subscript (``pos[0]``), or after a hyphen in a name that
    starts with a capital or with letters and digits (``Llama-3.1-8B``, ``GPT-4``; not
    ``top-10`` or ``N-275``, which are claims)."""
    prev = prose[at - 1] if at > 0 else ""
    if prev.isalpha() or prev == "_":
        return True
    if prev == "[" and at > 1 and (prose[at - 2].isalnum() or prose[at - 2] == "_"):
        return bool(re.match(r"\d+\]", prose[at:]))
    if prev in "-\u2212" and ws < at - 1:
        head = re.split(r"[-\u2212]", prose[ws : at - 1])[0]
        return bool(_NAME_HEAD.match(head)) and len(re.sub(r"[^A-Za-z]", "", head)) >= 2
    return False


def _is_citation_mark(prose: str, at: int, end: int) -> bool:
    """``[1]``, ``[12]``: a numbered citation (not after a name, not a layer list)."""
    if at == 0 or prose[at - 1] != "[" or not prose.startswith("]", end) or end - at > 3:
        return False
    before = prose[max(0, at - 12) : at - 1]
    return not re.search(r"(?:[\w\]]|\blayers?\s*)$", before) and not prose.startswith("](", end)


def _glued_name(prose: str, end: int) -> bool:
    """Letters directly after the number that are not a unit (``3rd``, ``4822c74``)."""
    m = re.match(r"[A-Za-z_]+", prose[end:])
    if not m:
        return False
    return m.group() not in UNITS or bool(
        re.match(r"[\w]", prose[m.end() + end : m.end() + end + 1])
    )


def _is_list_marker(prose: str, tok: RawToken) -> bool:
    line_start = prose.rfind("\n", 0, tok.start) + 1
    if prose[line_start : tok.start].strip(" \t>") or tok.signed:
        return False
    return bool(re.match(r"[.)](?:\s|$)", prose[tok.end : tok.end + 2])) and tok.text.isdigit()

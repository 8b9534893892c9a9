"""The few rules that say a number in prose is an identifier, not a claim.

Each rule has a reason (shown by ``atlas lint -v``) and a test. A number that no rule exempts
is a claim and must match the result, be bound, or carry a pragma.
"""

from __future__ import annotations

import re

from persona_atlas.site.lint.numbers import RawToken
from persona_atlas.site.lint.prose import REGION_RULES

TOKEN_RULES: dict[str, str] = {
    "issue": "an issue reference (#201)",
    "date": "part of a date or time (2026-05-03, 08:29, May 3)",
    "version": "a version string (v1.2.3, 1.2.3, Python 3.11)",
    "commit": "a commit SHA (4822c74)",
    "identifier": "part of a name (Qwen2.5-7B, layer_20, fp32, L24, 3rd)",
    "list": "an ordered-list marker (1. at the start of a line)",
    "citation": "a citation year (Chen et al. 2025)",
}
#: Every exemption rule and its reason.
RULES: dict[str, str] = {**REGION_RULES, **TOKEN_RULES}

#: Units that may be glued to a number without making it a name (``2x``, ``80GB``, ``200ms``).
UNITS = frozenset(
    {"x", "X", "GB", "MB", "KB", "TB", "GiB", "MiB", "KiB", "TiB", "ms", "s", "h", "min", "pp"}
)
_WORD_CHARS = re.compile(r"[\w.\-\u2212:/#@']")
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_MONTH_BEFORE = re.compile(rf"\b{_MONTH}\s+(?:\d{{1,2}},?\s+)?$")
_MONTH_AFTER = re.compile(rf"^(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\b")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}(?:-\d{2})?(?:T[\d:.]+Z?)?$|^\d{1,2}:\d{2}(?::\d{2})?$")
_DOTTED_VERSION = re.compile(r"^v?\d+(?:\.\d+){2,}$")
_SOFTWARE = re.compile(
    r"\b(?:python|torch|pytorch|cuda|transformers|vllm|mkdocs|numpy|duckdb|pydantic|jinja2?|"
    r"altair|safetensors|ubuntu|debian)\s+v?$",
    re.IGNORECASE,
)
_COMMIT = re.compile(r"^(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{7,40}$")
_CITATION = re.compile(r"\bet al\.?,?\s*\(?$")


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
    if digits_at > 0 and prose[digits_at - 1] == "#":
        return "issue"
    if _ISO_DATE.match(word) or _MONTH_BEFORE.search(prose[max(0, tok.start - 30) : tok.start]):
        return "date"
    if _MONTH_AFTER.match(prose[tok.end : tok.end + 16]):
        return "date"
    if _DOTTED_VERSION.match(word) or (_SOFTWARE.search(before) and "." in tok.text):
        return "version"
    if _COMMIT.match(word):
        return "commit"
    if word[:1].isalpha() or word[:1] == "_":
        return "identifier"
    if _glued_name(prose, tok.end):
        return "identifier"
    if _is_list_marker(prose, tok):
        return "list"
    if _CITATION.search(before + prose[ws : tok.start]) and re.fullmatch(r"(19|20)\d\d", tok.text):
        return "citation"
    return None


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

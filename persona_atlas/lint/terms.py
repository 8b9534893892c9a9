"""The words that tie prose to result paths: terms, recipe names and layer numbers.

A result path and a sentence are both read into the same three kinds of *terms*:

- **words**: lower-cased, singular (``layers`` → ``layer``), with the compound kept next to
  its parts (``cos_min`` → ``cos_min``, ``cos``, ``min``); the *vocabulary* of the result's
  kind maps its legacy names and prose synonyms onto one name (recipe comparison:
  ``per_persona.min`` → ``cos_min``, ``roles`` → ``persona``, ``success`` → ``pass``);
- **recipes**: the result's recipe names (``A``, ``B*``, ``C1``; from ``A__B`` keys, recipe
  lists and table cells such as ``"A vs B"``), written ``r:a``, ``r:bstar``;
- **layers**: ``layer_20`` / ``layer20`` keys, a ``layer`` column, the elements of a
  ``layers`` list; in prose ``layer 20``, ``layers 21-27``, ``layers 10, 15 and 20``, ``L24``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from itertools import pairwise

from persona_atlas.kinds.base import Vocabulary

#: Words read as another whatever the kind: prose spellings of the generic names, and the
#: notation of statistics (ρ / rho / Spearman, r / Pearson, τ / Kendall, p / p-value, σ / SD).
BASE = Vocabulary.of(
    synonyms={
        "cosine": "cos",
        "matrice": "matrix",
        "block": "layer",
        "ρ": "rho",
        "spearman": "rho",
        "pearson": "r",
        "τ": "tau",
        "kendall": "tau",
        "pval": "p",
        "pvalue": "p",
        "σ": "sd",
        "std": "sd",
        "stdev": "sd",
        "μ": "mean",
        "avg": "mean",
        "average": "mean",
        "pct": "percent",
        "percentage": "percent",
    }
)
_ACTIVE: ContextVar[Vocabulary] = ContextVar("vocabulary", default=BASE)


@contextmanager
def vocabulary(words: Vocabulary) -> Iterator[None]:
    """Read terms with ``words`` (plus `BASE`) while the block runs."""
    token = _ACTIVE.set(BASE | words)
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def items() -> tuple[frozenset[str], frozenset[str]]:
    """(columns, list keys) that name the compared items (recipes) under the active
    vocabulary."""
    return _items(_ACTIVE.get())


@lru_cache(maxsize=64)
def _items(words: Vocabulary) -> tuple[frozenset[str], frozenset[str]]:
    return frozenset(words.item_columns), frozenset(words.item_lists)


def alias(compound: str) -> str | None:
    """The name a legacy compound stands for under the active vocabulary."""
    return _aliases(_ACTIVE.get()).get(compound)


#: Words that name nothing (articles, prepositions, path plumbing).
_STOP_WORDS = """
the an of and or in at to for on by is are was were be it its this that with from as than
then but not no all each every per vs versus rows row value values
"""
STOP = frozenset(_STOP_WORDS.split())
_KEEP_SHORT = frozenset({"n", "p", "r"})
_LETTERS_DIGITS = re.compile(r"([a-z]+)\d+")
_WORD = re.compile(r"[A-Za-z\u0370-\u03ff][A-Za-z0-9\u0370-\u03ff]*(?:_[A-Za-z0-9\u0370-\u03ff]+)*")
LAYER_KEY = re.compile(r"^layers?_?(\d+)$", re.IGNORECASE)


def singular(word: str) -> str:
    if len(word) <= 3 or word.endswith("ss"):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("sses"):
        return word[:-2]
    if word.endswith("s"):
        return word[:-1]
    return word


@lru_cache(maxsize=65536)
def spelled(word: str) -> str:
    """A key as spelled, lower-case and singular, no synonym applied (``pearson_r``): how
    kinds name the legacy compounds of their aliases."""
    return "_".join(singular(p.lower()) for p in _SPLIT.split(word) if p)


def _norm(word: str, words: Vocabulary | None = None) -> str:
    w = singular(word.lower())
    return _synonyms(words or _ACTIVE.get()).get(w, w)


@lru_cache(maxsize=64)
def _synonyms(words: Vocabulary) -> dict[str, str]:
    return dict(words.synonyms)


@lru_cache(maxsize=64)
def _aliases(words: Vocabulary) -> dict[str, str]:
    return dict(words.aliases)


def word_terms(word: str) -> tuple[str, ...]:
    """Terms of one word or identifier: ``cos_min`` → ``cos_min``, ``cos``, ``min``."""
    return _word_terms(word, _ACTIVE.get())


#: Where a key splits into words: ``_``, any other mark (``"JS-to-neutral × headline"``) and
#: a camelCase hump (``logpMax``).
_SPLIT = re.compile(r"[^0-9A-Za-z\u0370-\u03ff]+|(?<=[a-z])(?=[A-Z])")


@lru_cache(maxsize=65536)
def _word_terms(word: str, words: Vocabulary) -> tuple[str, ...]:
    parts = [p for p in _SPLIT.split(word) if p]
    out: list[str] = []
    if len(parts) > 1:
        compound = "_".join(_norm(p, words) for p in parts)
        legacy = _aliases(words).get(compound) or _aliases(words).get(spelled(word))
        if legacy:  # a legacy name: read as the name it stands for
            return _word_terms(legacy, words) + tuple(
                w for w in (_norm(p, words) for p in parts) if len(w) > 1 and w not in STOP
            )
        out.append(compound)
    for p in parts:
        w = _norm(p, words)
        if (len(w) > 1 or w in _KEEP_SHORT) and w not in STOP and not w.isdigit():
            out.append(w)
            letters = _LETTERS_DIGITS.fullmatch(w)
            if letters and len(letters.group(1)) > 1:  # ``ci95`` is also ``ci``
                out.append(letters.group(1))
    out += _joins(word, words)  # ``logical_and_pushes_back`` is also ``pushback``
    return tuple(out)


def joins(word: str) -> dict[str, tuple[str, str]]:
    """Two parts of a key written as one word in prose, and those parts' terms:
    ``logical_and_pushes_back`` → {``pushback``: (``pushe``, ``back``), …}. A joined word is a
    second spelling of its parts, not more of what a value is about (`grading` leaves it out
    of a description's size)."""
    return _joins(word, _ACTIVE.get())


@lru_cache(maxsize=65536)
def _joins(word: str, words: Vocabulary) -> dict[str, tuple[str, str]]:
    parts = [p for p in _SPLIT.split(word) if p]
    return {
        _stem(a.lower()) + _stem(b.lower()): (_norm(a, words), _norm(b, words))
        for a, b in pairwise(parts)
        if a.isalpha() and b.isalpha() and len(a) > 2 and len(b) > 2
    }


def with_parts(terms: Iterable[str], joined: Mapping[str, tuple[str, str]]) -> set[str]:
    """``terms`` and the parts of each joined one (``pushback`` → ``pushe``, ``back``)."""
    out = set(terms)
    for t in list(out):
        out.update(joined.get(t, ()))
    return out


def _stem(word: str) -> str:
    """``pushes`` → ``push``, ``layers`` → ``layer``: enough to join two parts into a word."""
    if word.endswith("es") and word[:-2].endswith(("sh", "ch", "x", "ss", "z")):
        return word[:-2]
    return singular(word)


def text_terms(text: str) -> Iterator[tuple[str, int]]:
    """(term, offset) for every word of prose or a table cell."""
    for m in _WORD.finditer(text):
        for t in word_terms(m.group()):
            yield t, m.start()


#: A part of a compound counts half: ``cos_min`` says more than ``min``.
PART = 0.5
#: An integer before a plural noun is a count: ``275 personas`` → ``n_persona``; one word
#: may stand between (``28 decoder blocks``).
_INTEGER = r"(?<![\w.,])\d{1,3}(?:,\d{3})*(?![\d.,]?\d)"
_COUNT = re.compile(rf"{_INTEGER}\s+([A-Za-z]{{3,}}s)\b")
_COUNT_AFTER_WORD = re.compile(rf"{_INTEGER}\s+[A-Za-z][\w-]*[^s\W]\s+([A-Za-z]{{3,}}s)\b")


def weighted_terms(text: str) -> Iterator[tuple[str, int, float]]:
    """(term, offset, factor): `text_terms` with compound parts at `PART`, plus a count
    term ``n_<noun>`` at each integer written before a plural noun."""
    for m in _WORD.finditer(text):
        terms = word_terms(m.group())
        compound = "_" in m.group().strip("_") and len(terms) > 1
        for k, t in enumerate(terms):
            yield t, m.start(), PART if compound and k > 0 else 1.0
    for m in (*_COUNT.finditer(text), *_COUNT_AFTER_WORD.finditer(text)):
        noun = _norm(m.group(1))
        if noun != m.group(1).lower():
            yield f"n_{noun}", m.start(), 1.0


def canon_recipe(name: str) -> str:
    """``B*`` / ``B\\*`` / ``Bstar`` / ``bstar`` → ``bstar``."""
    return name.replace("\\", "").replace("*", "star").lower()


class Recipes:
    """The result's recipe names, and how to find them in keys and in prose."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = frozenset(canon_recipe(n) for n in names if n)
        shown = set()
        for n in self.names:
            star = n.replace("star", r"\\?\*")
            shown |= {re.escape(n) if len(n) > 1 else "", star, n.upper() if len(n) == 1 else ""}
        alts = sorted((s for s in shown if s), key=len, reverse=True)
        self._prose = (
            re.compile(r"(?<![\w*\\])(?:" + "|".join(alts) + r")(?![\w*\\])", re.IGNORECASE)
            if alts
            else None
        )

    def in_key(self, key: str) -> list[str]:
        """Recipes named by a key: ``A__B`` → a, b; ``a__b__layer7`` → a, b; ``B`` → b."""
        parts = key.split("__")
        found = [canon_recipe(p) for p in parts if canon_recipe(p) in self.names]
        return found if len(parts) > 1 or found else []

    def in_text(self, text: str) -> Iterator[tuple[str, int]]:
        """(recipe, offset) for recipe names in prose. One capital letter must be written as a
        capital, and a sentence-initial ``A`` before a lower-case word is the article."""
        if self._prose is None:
            return
        for m in self._prose.finditer(text):
            word = m.group()
            if len(word) == 1 and not word.isupper():
                continue
            if word == "A" and _article(text, m.start(), m.end()):
                continue
            yield canon_recipe(word), m.start()


_ARTICLE_NEXT = re.compile(r"\s+(?!vs\b|and\b|or\b|versus\b|is\b|was\b)[a-z]")


def _article(text: str, start: int, end: int) -> bool:
    before = text[:start].rstrip(" \t*_>")
    sentence_start = not before or before[-1] in ".!?:\n|-" or before.endswith("\n")
    return sentence_start and bool(_ARTICLE_NEXT.match(text, end))


#: ``layer 20``, ``layers 21-27``, ``layers 10, 15, 20 and 25``, ``layers [7, 14]``, ``L24``.
#: A list stops before an item that counts a plural noun (``at layer 7, 12 personas fail``:
#: 12 is a count, as in `_COUNT`).
_LAYER_PROSE = re.compile(
    r"\blayers?[\s_]*\[?\s*(?P<list>\d+(?!\d|\.\d|\s*%)"
    r"(?:\s*(?:,|and|or|to|through|-|–|\.\.)\s*\d+(?!\d|\.\d|\s*%|\s+[A-Za-z]{3,}s\b))*)"
    r"|\bL(?P<l>\d+)\b",
    re.IGNORECASE,
)
_SPAN = re.compile(r"(\d+)\s*(?:-|–|to|through|\.\.)\s*(\d+)")


def layers_in_text(text: str) -> Iterator[tuple[int, int, int, int]]:
    """(layer, start, end, mention) for each layer the prose names; a span ``21-27`` names
    each layer from 21 to 27 (``start``/``end`` then cover the span). ``mention``: where the
    mention starts, the same for every layer of one list or span."""
    for m in _LAYER_PROSE.finditer(text):
        if m.group("l"):
            yield int(m.group("l")), m.start("l"), m.end("l"), m.start()
            continue
        listed = m.group("list")
        base = m.start("list")
        for span in _SPAN.finditer(listed):
            lo, hi = int(span.group(1)), int(span.group(2))
            if 0 <= hi - lo <= 512:
                for layer in range(lo, hi + 1):
                    yield layer, base + span.start(), base + span.end(), m.start()
        for num in re.finditer(r"\d+", listed):
            yield int(num.group()), base + num.start(), base + num.end(), m.start()

"""The context of each number: what its sentence, table row or caption names.

A number in a sentence (see `passages`) is described by the sentence's mentions, each weighted
by how close it stands: ``1 / (1 + d / DECAY)``, ``d`` counting the words between, plus
`CLAUSE_STEP` per clause mark (``, : ; ( ) — –``) and `SEMICOLON_STEP` more per ``;``,
doubled after the number (a value follows the name of what it measures). A ``; `` ends a
sentence in prose (`passages`), so the semicolon step tells apart the parts of a table cell
(``#201: [7, 14, 21, 27]; #218: all 28``). A number in a table cell is described by its
column header (weight 1), its own cell, the row's first cell, the rest of the row, and the
table's lead-in.

Recipes and layers pin values (see `scope`): they come from the sentence; a sentence that
names none takes them from the earlier sentences of its block, and a table row, or the
paragraph right after a table, from the table's lead-in ("A vs B, the primary pair:"). Of
several a sentence names, the one nearest the number pins it (`_nearness`).
"""

from __future__ import annotations

import bisect
import re
from itertools import combinations

from persona_atlas.lint.describe import recipe_term
from persona_atlas.lint.numbers import RawToken
from persona_atlas.lint.passages import Passages, Unit, cells_of, context_text, pins_of
from persona_atlas.lint.prose import Masked
from persona_atlas.lint.scope import TextContext
from persona_atlas.lint.terms import LAYER_KEY, Recipes, weighted_terms

#: Distance added per clause mark and per semicolon crossed, the factor for words after the
#: number, and how fast a term's weight decays with distance; for choosing the pinning layer
#: or recipes, the distance added per conjunction crossed.
CLAUSE_STEP, SEMICOLON_STEP, AFTER, DECAY, JOIN_STEP = 2, 2, 2.0, 2.0, 2
#: Weights of the parts of a table row, and of what a sentence inherits.
HEADER, LABEL, ROW, LEAD_IN, INHERITED = 1.0, 0.7, 0.4, 0.3, 0.25
#: Recipes and layers named by a table's lead-in are what the table is about.
LEAD_IN_PIN = 0.7
_BOUND_BEFORE = re.compile(
    r"(≥|>=|⩾|≤|<=|⩽|>|<|\bat least|\bat most|\babove|\bbelow|\bexceeds?"
    r"|\b(?:more|greater|higher|less|fewer|lower) than)\s*$",
    re.IGNORECASE,
)
_BOUNDS = {"≥": "≥", ">=": "≥", "⩾": "≥", "≤": "≤", "<=": "≤", "⩽": "≤", ">": ">", "<": "<"}
_BOUND_WORDS = {
    "at least": "≥", "at most": "≤", "above": ">", "exceed": ">", "exceeds": ">",
    "more than": ">", "greater than": ">", "higher than": ">",
    "below": "<", "less than": "<", "fewer than": "<", "lower than": "<",
}  # fmt: skip
_NEGATED = re.compile(r"\b(?:no|not)\s+$", re.IGNORECASE)
_NEGATION = {">": "≤", "<": "≥", "≥": "<", "≤": ">"}


def _add(weights: dict[str, float], term: str, w: float) -> None:
    if w > weights.get(term, 0.0):
        weights[term] = w


def _near(
    doc: Passages, start: int, end: int, at: int, weights: dict[str, float]
) -> list[tuple[str, int, float]]:
    """Weight the mentions of ``text[start:end]`` by their distance from offset ``at``."""
    chunks, marks, semis, _, placed = doc.placed(start, end)
    c0, m0, s0 = (bisect.bisect_right(x, at) for x in (chunks, marks, semis))
    for term, o, factor, c, m, sc, _ in placed:
        d: float = abs(c - c0) + CLAUSE_STEP * abs(m - m0) + SEMICOLON_STEP * abs(sc - s0)
        if o > at:
            d *= AFTER
        w = factor / (1.0 + d / DECAY)
        if w > weights.get(term, 0.0):
            weights[term] = w
    return doc.mentions(start, end)


def _nearness(doc: Passages, start: int, end: int, at: int) -> dict[str, float]:
    """How near each recipe (``r:``) and layer (``l:``) mention of a sentence stands to
    offset ``at``, to choose the one that pins: as `_near`, but a conjunction crossed counts
    `JOIN_STEP` and words after the number count once ("0.53 at layer 7 and 0.64 at layer
    14": each value is of the layer right after it)."""
    chunks, marks, semis, joins, placed = doc.placed(start, end)
    c0, m0, s0, j0 = (bisect.bisect_right(x, at) for x in (chunks, marks, semis, joins))
    out: dict[str, float] = {}
    for term, _, _, c, m, sc, j in placed:
        if term.startswith(("r:", "l:")):
            d = abs(c - c0) + CLAUSE_STEP * abs(m - m0) + SEMICOLON_STEP * abs(sc - s0)
            d += JOIN_STEP * abs(j - j0)
            _add(out, term, 1.0 / (1.0 + d / DECAY))
    return out


def contexts(
    masked: Masked, tokens: list[RawToken], recipes: Recipes, *, lines: bool = False
) -> list[TextContext]:
    """One `TextContext` per token (same order). ``lines``: every line is a paragraph (plain
    text copied from a web page), not a Markdown line that a paragraph wraps over."""
    doc = Passages(context_text(masked), recipes, lines)
    for r in masked.of_kind("template"):
        for m in _VALUE_PATH.finditer(masked.text, r.start, r.end):
            doc.bound.append((r.start, m.group(2)))
    out = []
    for tok in tokens:
        ctx = _row_context(doc, tok) if doc.units else TextContext()
        out.append(ctx)
    return out


def _row_context(doc: Passages, tok: RawToken) -> TextContext:
    i = doc.unit_at(tok.start)
    unit = doc.units[i]
    weights: dict[str, float] = {}
    ref = False
    near: dict[str, float] = {}
    if unit.table >= 0:
        recipes, layers, ref = _table_cell(doc, unit, tok, weights)
    else:
        ref = any(a <= tok.start < b for a, b in doc.layer_spans(unit.start, unit.end))
        _near(doc, unit.start, unit.end, tok.start, weights)
        recipes, layers = doc.pins(i)
        if len(recipes) > 1 or len(layers) > 1:
            near = _nearness(doc, unit.start, unit.end, tok.start)
        for n in layers:
            _add(weights, f"l:{n}", INHERITED)
    single = {r: weights.pop(f"r:{r}", INHERITED) for r in recipes}
    for r, w in single.items():  # a value of one recipe is less what "A vs B" is about
        _add(weights, recipe_term([r]), w if len(recipes) == 1 else w / 2)
    for x, y in combinations(sorted(recipes), 2):
        _add(weights, recipe_term([x, y]), min(single[x], single[y]))
    ref = ref and tok.text.isdigit()
    bound = _bound_layer(doc, unit, tok) if ref else None
    return TextContext(weights, recipes, layers, _relation(doc.text, tok), ref, bound, near)


_VALUE_PATH = re.compile(r"""\bvalue\(\s*(["'])([^"']+)\1""")


def _bound_layer(doc: Passages, unit: Unit, tok: RawToken) -> int | None:
    """The layer named by the path of the ``value()`` nearest the token in its sentence."""
    best: tuple[int, int] | None = None
    for start, path in doc.bound:
        if unit.start <= start < unit.end:
            layer = next((int(m.group(1)) for m in map(LAYER_KEY.match, _parts(path)) if m), None)
            if layer is not None and (best is None or abs(start - tok.start) < best[0]):
                best = (abs(start - tok.start), layer)
    return best[1] if best else None


def _parts(path: str) -> list[str]:
    return [p for seg in re.split(r"[.\[\]]", path) for p in seg.split("__") if p]


_LAYER_HEADER = re.compile(r"^\s*(?:layers?|l)\s*$", re.IGNORECASE)
#: Integers of a cell in a "layers" row or column: not ``#201``, not a count (``28 layers``).
_LAYER_CELL_INT = re.compile(r"(?<![\d#])(?<!\d\.)(?<!all )\d+(?!\d|\.\d)(?!\s*[A-Za-z%])")


def _table_cell(
    doc: Passages, unit: Unit, tok: RawToken, weights: dict[str, float]
) -> tuple[frozenset[str], frozenset[int], bool]:
    header, lead = doc.tables[unit.table]
    row = doc.text[unit.start : unit.end]
    cells = cells_of(row)
    first = row.index("|") + 1 if "|" in row else 0
    starts, pos = [], unit.start + first
    for c in cells:
        starts.append(pos)
        pos += len(c) + 1
    j = max(0, bisect.bisect_right(starts, tok.start) - 1)
    found = _near(doc, starts[j], starts[j] + len(cells[j]), tok.start, weights)
    layers: set[int] = set()
    ref = False
    for k, cell in enumerate(cells):
        named = doc.mentions(starts[k], starts[k] + len(cell))
        found = [*found, *named] if k != j else found
        w = LABEL if k == 0 else ROW
        for t, _, f in named:
            if k != j:
                _add(weights, t, w * f)
        under_layer = header is not None and k < len(header) and _LAYER_HEADER.match(header[k])
        if under_layer or (k > 0 and _LAYER_HEADER.match(cells[0])):
            for m in _LAYER_CELL_INT.finditer(cell):
                layers.add(int(m.group()))
                _add(weights, f"l:{int(m.group())}", LABEL)
                ref = ref or (k == j and starts[k] + m.start() == tok.start)
    if header is not None and j < len(header):
        for t, _, f in weighted_terms(header[j]):
            _add(weights, t, HEADER * f)
    recipes, more_layers = pins_of(found)
    layers |= more_layers
    if lead is not None:
        named = doc.mentions(lead.start, lead.end)
        for t, _, f in named:
            _add(weights, t, (LEAD_IN_PIN if t.startswith(("r:", "l:")) else LEAD_IN) * f)
        r, ls = pins_of(named)
        recipes = recipes or r
        layers = layers or set(ls)
    return recipes, frozenset(layers), ref


def _relation(text: str, tok: RawToken) -> str | None:
    """A bound written before the number (``≥ 0.99``, ``at most 1e-4``, ``above 0.15``,
    ``less than 5%``) or ``0.99+``."""
    m = _BOUND_BEFORE.search(text, max(0, tok.start - 16), tok.start)
    if m:
        word = re.sub(r"\s+", " ", m.group(1).lower())
        relation = _BOUND_WORDS.get(word) or _BOUNDS[word]
        if word in _BOUND_WORDS and _NEGATED.search(text, max(0, m.start() - 8), m.start()):
            relation = _NEGATION[relation]  # "no more than 0.05" is ≤ 0.05
        return relation
    if text.startswith("+", tok.end) and not re.match(r"\+[\w\d]", text[tok.end : tok.end + 2]):
        return "≥"
    return None

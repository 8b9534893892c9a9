"""A text cut into what a number's context is read from.

*Blocks* are paragraphs, list items, headings and table rows (in plain text copied from a
web page, every line); prose blocks are cut into sentences (``.``, ``!``, ``?`` or ``;``
before a space). A table is its rows, its header (the row above a ``|---|`` rule) and its
*lead-in*: the sentence right before it ("A vs B, the primary pair:"). Each span's mentions —
words, recipes (``r:a``), layers (``l:7``), issues (``#201``) — are found once and reused by
every number in it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass

from persona_atlas.lint.prose import Masked
from persona_atlas.lint.terms import Recipes, layers_in_text, weighted_terms

_SENTENCE_END = re.compile(
    r"(?<!\be\.g)(?<!\bi\.e)(?<!\bvs)(?<!\bal)(?<!\bcf)[.!?][\"')\]”’]*(?=\s|$)|;(?=\s)"
)
_CLAUSE = re.compile(r",(?!\s*[\d−-])|[:;()—–]")  # not the commas of a list "7, 14, 21"
_SEMICOLON = re.compile(r";")
_JOIN = re.compile(r"\b(?:and|or|but|while|whereas)\b", re.IGNORECASE)
_CHUNK = re.compile(r"[^\s\w]*\w\S*")  # a word, with what is glued to it (not "≥" alone)
_ISSUE = re.compile(r"#(\d+)")
_LIST_ITEM = re.compile(r"^\s{0,3}(?:>\s*)*(?:[-*+]|\d+[.)])(?:\s|$)")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s")
_SEPARATOR = re.compile(r"^\s*\|?[\s:|\-]+\|[\s:|\-]*$")


def context_text(masked: Masked) -> str:
    """The prose, with code spans put back (`` `superseded_cells` `` names a table)."""
    chars = list(masked.prose)
    for r in masked.of_kind("code"):
        segment = masked.text[r.start : r.end]
        if "\n\n" not in segment and not segment.lstrip().startswith(("```", "~~~")):
            chars[r.start : r.end] = segment.replace("`", " ")
    return "".join(chars)


#: Word starts, clause marks, semicolons and conjunctions; each mention with how many of each
#: precede it.
Placed = tuple[
    list[int], list[int], list[int], list[int], list[tuple[str, int, float, int, int, int, int]]
]


@dataclass
class Unit:
    """A sentence, a heading, or a table row: where it is, its block and its table."""

    start: int
    end: int
    block: int
    table: int = -1  # index of the table a row belongs to, or -1
    follows_table: int = -1  # for prose: the table right before its block


class Passages:
    """A text cut into blocks, sentences and table rows (`Unit`), with what each names."""

    def __init__(self, text: str, recipes: Recipes, lines: bool) -> None:
        self.text = text
        self.recipes = recipes
        self.lines = lines
        self.bound: list[tuple[int, str]] = []  # (offset, path) of each value() call
        self._mentions: dict[tuple[int, int], list[tuple[str, int, float]]] = {}
        self._pins: dict[int, tuple[frozenset[str], frozenset[int]]] = {}
        self._placed: dict[tuple[int, int], Placed] = {}
        self._layers: dict[tuple[int, int], list[tuple[int, int, int, int]]] = {}
        self.units: list[Unit] = []
        self.tables: list[tuple[list[str] | None, Unit | None]] = []  # (header, lead-in)
        self._split()
        self.starts = [u.start for u in self.units]

    def _split(self) -> None:
        block = -1
        lines: list[tuple[int, int]] = []  # the prose block being read
        after = -1  # the table the block being read follows
        table = -1  # the table being read
        follows = -1  # the table the next prose block follows
        rows = 0  # rows of the table being read
        pos = 0
        for line in self.text.split("\n"):
            start, end = pos, pos + len(line)
            pos = end + 1
            stripped = line.strip()
            if stripped.startswith("|"):
                self._flush(lines, block, after)
                lines = []
                if table < 0:
                    lead = self.units[-1] if self.units and self.units[-1].table < 0 else None
                    self.tables.append((None, lead))
                    table, rows = len(self.tables) - 1, 0
                if _SEPARATOR.match(line):
                    first = self.units[-1] if self.units else None
                    if first is not None and first.table == table and rows == 1:
                        header = cells_of(self.text[first.start : first.end])
                        self.tables[table] = (header, self.tables[table][1])
                    continue
                rows += 1
                block += 1
                self.units.append(Unit(start, end, block, table=table))
                continue
            if table >= 0:
                follows, table = table, -1
            heading = bool(_HEADING.match(line))
            if not stripped or heading or self.lines or _LIST_ITEM.match(line):
                self._flush(lines, block, after)
                lines = []
            if not stripped:
                continue
            if not lines:
                block += 1
                after, follows = follows, -1
            lines.append((start, end))
            if heading:
                self._flush(lines, block, after)
                lines = []
        self._flush(lines, block, after)

    def _flush(self, lines: list[tuple[int, int]], block: int, after: int) -> None:
        """Cut a prose block into sentences."""
        if not lines:
            return
        start, end = lines[0][0], lines[-1][1]
        cut = start
        for m in _SENTENCE_END.finditer(self.text, start, end):
            self.units.append(Unit(cut, m.end(), block, follows_table=after))
            cut = m.end()
        if self.text[cut:end].strip():
            self.units.append(Unit(cut, end, block, follows_table=after))

    def pins(self, i: int) -> tuple[frozenset[str], frozenset[int]]:
        """The recipes and layers sentence ``i`` names, or else (each on its own) those of the
        nearest earlier sentence of its block that names some, or else those of the lead-in
        of the table its block follows."""
        hit = self._pins.get(i)
        if hit is not None:
            return hit
        unit = self.units[i]
        recipes, layers = pins_of(self.mentions(unit.start, unit.end))
        if (not recipes or not layers) and i > 0 and self.units[i - 1].block == unit.block:
            r, ls = self.pins(i - 1)
            recipes, layers = recipes or r, layers or ls
        elif (not recipes or not layers) and unit.follows_table >= 0:
            lead = self.tables[unit.follows_table][1]
            if lead is not None:
                r, ls = pins_of(self.mentions(lead.start, lead.end))
                recipes, layers = recipes or r, layers or ls
        self._pins[i] = (recipes, layers)
        return recipes, layers

    def unit_at(self, offset: int) -> int:
        return max(0, bisect.bisect_right(self.starts, offset) - 1)

    # -- what a span names ----------------------------------------------------------------
    def mentions(self, start: int, end: int) -> list[tuple[str, int, float]]:
        """(term, offset, factor) of every word, recipe (``r:``), layer (``l:``) and issue
        (``#``) in ``text[start:end]`` (memoised: a sentence has many numbers)."""
        hit = self._mentions.get((start, end))
        if hit is None:
            hit = self._mentions[(start, end)] = self._find_mentions(start, end)
        return hit

    def placed(self, start: int, end: int) -> Placed:
        """Word starts, clause marks, semicolons and conjunctions (``and``, ``or``, ``but``,
        ``while``) of a span, and each mention with how many of each precede it (memoised):
        what `context` measures distances with."""
        hit = self._placed.get((start, end))
        if hit is None:
            chunks = [m.start() for m in _CHUNK.finditer(self.text, start, end)]
            marks = [m.start() for m in _CLAUSE.finditer(self.text, start, end)]
            semis = [m.start() for m in _SEMICOLON.finditer(self.text, start, end)]
            joins = [m.start() for m in _JOIN.finditer(self.text, start, end)]
            right = bisect.bisect_right
            placed = [
                (t, o, f, right(chunks, o), right(marks, o), right(semis, o), right(joins, o))
                for t, o, f in self.mentions(start, end)
            ]
            hit = self._placed[(start, end)] = (chunks, marks, semis, joins, placed)
        return hit

    def layer_spans(self, start: int, end: int) -> list[tuple[int, int]]:
        """Offsets of the layer numbers the span names (``layer 24``, ``layers 10, 15``)."""
        return [(a, b) for _, a, b, _ in self._layers_in(start, end)]

    def _layers_in(self, start: int, end: int) -> list[tuple[int, int, int, int]]:
        """`terms.layers_in_text` of ``text[start:end]``, offsets in the text (memoised)."""
        hit = self._layers.get((start, end))
        if hit is None:
            found = layers_in_text(self.text[start:end])
            hit = [(n, start + a, start + b, start + g) for n, a, b, g in found]
            self._layers[(start, end)] = hit
        return hit

    def _find_mentions(self, start: int, end: int) -> list[tuple[str, int, float]]:
        text = self.text[start:end]
        out = [(t, start + o, f) for t, o, f in weighted_terms(text)]
        out += [(f"r:{r}", start + o, 1.0) for r, o in self.recipes.in_text(text)]
        # every layer of a list or span at each of its numbers: the list is one mention, as
        # near as its nearest number ("at layers 7 and 14, cos_min is …" is about both)
        layers = self._layers_in(start, end)
        at: dict[int, set[int]] = {}
        for _, o, _, g in layers:
            at.setdefault(g, set()).add(o)
        out += [(f"l:{n}", o, 1.0) for n, _, _, g in layers for o in sorted(at[g])]
        out += [(f"#{m.group(1)}", start + m.start(), 1.0) for m in _ISSUE.finditer(text)]
        return out


def cells_of(row: str) -> list[str]:
    body = row.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") else body
    return re.split(r"(?<!\\)\|", body)


def pins_of(mentions: Iterable[tuple[str, int, float]]) -> tuple[frozenset[str], frozenset[int]]:
    terms = [t for t, _, _ in mentions]
    return (
        frozenset(t[2:] for t in terms if t.startswith("r:")),
        frozenset(int(t[2:]) for t in terms if t.startswith("l:")),
    )

"""Columns for Jinja AST nodes, which carry only a line number.

Lint reports every template problem at file:line:col. Jinja's parser keeps lines, not
columns, so the column is that of the next unused matching token on the node's line, read
from the report's template regions: an identifier or operator outside string literals, a
number, or a string literal with a digit. Nodes are visited in source order, so repeated
names on one line get successive columns.
"""

from __future__ import annotations

import re
from collections import defaultdict

from persona_atlas.lint.prose import Masked

#: Tokens of template code outside string literals, and the string literals themselves.
_TOKEN = re.compile(
    r"""(?P<str>"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*')"""
    r"|(?P<num>\d[\d_]*(?:\.\d+)?(?:[eE][+-]?\d+)?)"
    r"|(?P<ident>[A-Za-z_]\w*)"
    r"|(?P<op>\*\*|//|[-+*/%\[(])"
)


class TemplatePositions:
    """Columns for AST nodes, which carry only a line: the next unused token on that line
    that matches (an identifier, an operator, a number, a string with a digit)."""

    def __init__(self, masked: Masked) -> None:
        self.tokens: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
        self.used: set[tuple[int, int]] = set()
        for region in masked.of_kind("template", "statement"):
            for m in _TOKEN.finditer(masked.text, region.start, region.end):
                line, col = masked.position(m.start())
                kind = m.lastgroup or ""
                self.tokens[line].append((col, kind, m.group()))

    def first(self, line: int) -> int:
        return self.tokens[line][0][0] if self.tokens.get(line) else 1

    def find(self, line: int, needle: str) -> int:
        """``needle``: an identifier or operator; ``"0"`` any number; ``'"'`` a string with
        a digit."""
        for col, kind, text in self.tokens.get(line, []):
            if (line, col) in self.used:
                continue
            if needle == "0":
                hit = kind == "num"
            elif needle == '"':
                hit = kind == "str" and any(ch.isdigit() for ch in text)
            else:
                hit = kind != "str" and text == needle
            if hit:
                self.used.add((line, col))
                return col
        return self.first(line)

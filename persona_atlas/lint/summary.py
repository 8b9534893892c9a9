"""Bounded indexing of very large results: their largest lists are summarised.

Indexing a stored value for scoped matching costs about a kilobyte (its path, its terms, its
family, its place in the sorted values), so a result with millions of numbers (a table of
per-persona, per-question cosines; full cosine matrices) would need gigabytes. When a result
holds more than `MAX_INDEXED` numbers, its largest outermost lists — a table's ``rows``, a
matrix, a long list — are *summarised*, biggest first, until at most `MAX_INDEXED` numbers are
left to index value by value. A summarised list keeps the collections a range or a bound is
checked against: for each column of its rows (or for the whole list) its first, min, max and
last value, in the same families as if each value were indexed (``tables.t.rows[*][4]``,
``tables.t.rows[*][*]``). Its single values cannot be matched by a typed number: bind them
with ``value()`` or state a summary the analysis stores. Counting and summarising read the
loaded JSON once, without building an object per value.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

#: At most this many numbers of one result are indexed value by value (the committed results
#: have at most about 20,000; indexing 200,000 takes about 200 MB and a few seconds).
MAX_INDEXED = 200_000


def _count(node: Any) -> int:
    """Numeric leaves under ``node`` (ints and floats, not booleans)."""
    if type(node) is dict:
        return sum(map(_count, node.values()))
    if type(node) is list:
        n = 0
        for v in node:
            t = type(v)
            if t is float or t is int:
                n += 1
            elif t is list or t is dict:
                n += _count(v)
        return n
    t = type(node)
    return 1 if t is float or t is int else 0


def oversized(docs: Mapping[str, Any], limit: int | None = None) -> frozenset[int]:
    """The ``id()`` of each list to summarise: outermost lists (their parent is an object),
    largest first, until at most ``limit`` (`MAX_INDEXED`) numbers are left."""
    limit = MAX_INDEXED if limit is None else limit
    lists: list[tuple[int, int]] = []  # (numbers under it, id)
    total = 0

    def walk(node: Any) -> None:
        nonlocal total
        for v in node.values():
            t = type(v)
            if t is dict:
                walk(v)
            elif t is list:
                n = _count(v)
                lists.append((n, id(v)))
                total += n
            elif t is float or t is int:
                total += 1

    for doc in docs.values():
        if type(doc) is dict:
            walk(doc)
        elif type(doc) is list:
            n = _count(doc)
            lists.append((n, id(doc)))
            total += n
    skip: set[int] = set()
    for n, ident in sorted(lists, reverse=True):
        if total <= limit:
            break
        skip.add(ident)
        total -= n
    return frozenset(skip)


def _numbers(node: Any) -> Iterator[float]:
    t = type(node)
    if t is float or t is int:
        yield node
    elif t is list:
        for v in node:
            yield from _numbers(v)
    elif t is dict:
        for v in node.values():
            yield from _numbers(v)


def _column(rows: list[list[Any]], j: int) -> np.ndarray:
    return np.fromiter(
        (v for r in rows if len(r) > j and ((t := type(v := r[j])) is float or t is int)),
        dtype=float,
    )


def summary_leaves(node: list[Any], path: str) -> list[tuple[str, float]]:
    """Stand-in leaves of a summarised list at ``path``: per column of its rows (a table's
    ``rows``, a matrix) or for the whole list, its first, min, max and last value, at a path of
    the same families (``path[0][j]``, ``path[0]``), in that order — what `matching.collections_of`
    reads a range and a trajectory from."""
    out: list[tuple[str, float]] = []
    if node and all(type(r) is list for r in node):
        width = max(map(len, node))
        columns = [(f"{path}[0][{j}]", _column(node, j)) for j in range(width)]
    else:
        columns = [(f"{path}[0]", np.fromiter(_numbers(node), dtype=float))]
    for where, values in columns:
        if len(values):
            out += [(where, float(x)) for x in (values[0], values.min(), values.max(), values[-1])]
    return out

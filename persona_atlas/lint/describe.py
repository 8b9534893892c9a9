"""What each stored value is about: its `Descriptor` (terms, recipes, layer).

A path is read into terms (`terms.word_terms` of each key; ``A__B`` keys name recipes,
``layer_20`` keys a layer); a table cell is described by its table, its column and the rest
of its row (``"A vs B"``, the ``layer`` column, ``GREY``, a source file ``issue_201_…``). A
leaf's *family* is its path with recipes, layers and row numbers made generic; a family whose
values all share one recipe set (or one layer) has nothing to pin there (`identity_free`).

Terms are kept as ids in the `Describer`'s vocabulary and built up key by key along the walk
(a result repeats its keys and its row cells): describing a 300 KB result is one pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

from persona_atlas.lint.matching import is_number
from persona_atlas.lint.terms import (
    LAYER_KEY,
    Recipes,
    canon_recipe,
    items,
    joins,
    spelled,
    text_terms,
    word_terms,
)
from persona_atlas.lint.terms import alias as terms_alias

_FILE_ISSUE = re.compile(r"issue_(\d+)")


@dataclass(frozen=True, eq=False)
class Descriptor:
    """What a stored value is about: term ids (its recipe and layer terms included)."""

    ids: tuple[int, ...]
    recipes: frozenset[str] = frozenset()
    layer: int | None = None
    words: Sequence[str] = field(default=(), repr=False)
    """The vocabulary the ids index (the describer's)."""

    @property
    def terms(self) -> frozenset[str]:
        return frozenset(self.words[i] for i in self.ids)


def recipes_of(docs: Mapping[str, Any], skip: AbstractSet[int] = frozenset()) -> Recipes:
    """The recipe names a result uses: ``A__B`` keys, and the lists and table columns its
    kind's vocabulary names (recipe comparison: ``recipes`` / ``methods`` lists, the ``x`` /
    ``y`` / ``recipe`` columns); not the lists in ``skip``, summarised."""
    found: set[str] = set()
    item_columns, item_lists = items()

    def walk(node: Any, key: str) -> None:
        if isinstance(node, dict):
            if _is_table(node) and id(node["rows"]) not in skip:
                hits = [i for i, c in enumerate(node["columns"]) if str(c) in item_columns]
                for row in node["rows"]:
                    if isinstance(row, list):
                        found.update(str(row[i]) for i in hits if i < len(row) and row[i])
            for k, v in node.items():
                parts = str(k).split("__")
                if len(parts) > 1:
                    found.update(p for p in parts if _name_like(p) and not LAYER_KEY.match(p))
                walk(v, str(k))
        elif isinstance(node, list):
            if id(node) in skip:
                return
            if key in item_lists:
                found.update(v for v in node if isinstance(v, str) and _name_like(v))
            for v in node:
                walk(v, key)

    for doc in docs.values():
        walk(doc, "")
    return Recipes(found)


def _name_like(s: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z][A-Za-z0-9*]{0,11}(?:_[A-Za-z0-9]+){0,3}", s))


@dataclass(frozen=True)
class _Where:
    """What the path down to a node says: term ids, recipes, layer, and its family so far."""

    ids: tuple[int, ...]
    recipes: frozenset[str]
    layer: int | None
    family: str


def recipe_term(recipes: Iterable[str]) -> str:
    """The one term for a set of recipes: ``r:a`` for one, ``r:a+b`` for a pair."""
    return "r:" + "+".join(sorted(recipes))


class Describer:
    """Builds descriptors; owns the vocabulary (term → id) they and the contexts share."""

    def __init__(self, recipes: Recipes) -> None:
        self.recipes = recipes
        self.words: list[str] = []
        self.vocab: dict[str, int] = {}
        self._keys: dict[str, tuple[tuple[int, ...], frozenset[str], int | None]] = {}
        self._aliased: dict[tuple[str, str], tuple[int, ...]] = {}
        self.joined: dict[str, tuple[str, str]] = {}
        """The joined words of this JSON's keys (`terms.joins`) and their parts."""
        self._leaf_terms: dict[tuple[frozenset[str], int | None], tuple[int, ...]] = {}
        self._skip: AbstractSet[int] = frozenset()

    def ids(self, terms: Iterable[str]) -> tuple[int, ...]:
        out = []
        for t in terms:
            i = self.vocab.get(t)
            if i is None:
                i = self.vocab[t] = len(self.words)
                self.words.append(t)
            out.append(i)
        return tuple(out)

    def key(self, key: str) -> tuple[tuple[int, ...], frozenset[str], int | None]:
        """(term ids, recipes, layer) of one key: ``a__b__layer7`` → (), {a, b}, 7."""
        hit = self._keys.get(key)
        if hit is not None:
            return hit
        terms: list[str] = []
        recipes: list[str] = []
        layer = None
        parts = key.split("__")
        for part in parts:
            m = LAYER_KEY.match(part)
            if m:
                layer = int(m.group(1))
            elif canon_recipe(part) in self.recipes.names and (len(parts) > 1 or key == part):
                recipes.append(canon_recipe(part))
            else:
                terms += word_terms(part)
                self.joined.update(joins(part))
        hit = (self.ids(terms), frozenset(recipes), layer)
        self._keys[key] = hit
        return hit

    def leaf(self, at: _Where, layer: int | None) -> Descriptor:
        """A leaf's descriptor: the path's ids plus one term for its recipes, one for its layer."""
        extra = self._leaf_terms.get((at.recipes, layer))
        if extra is None:
            more = [recipe_term(at.recipes)] if at.recipes else []
            more += [f"l:{layer}"] if layer is not None else []
            extra = self._leaf_terms[(at.recipes, layer)] = self.ids(more)
        return Descriptor(at.ids + extra, at.recipes, layer, self.words)

    def describe(
        self, docs: Mapping[str, Any], skip: AbstractSet[int] = frozenset()
    ) -> tuple[list[Descriptor], list[str]]:
        """One descriptor per numeric leaf, in `matching.numeric_leaves` order, and each
        leaf's family: its path with recipes (``R``), layers (``L``) and positions (``[*]``)
        made generic, a table cell keeping its column (``tables.cells.rows[*][5]``). The lists
        in ``skip`` are summarised (`summary`): no leaf of theirs is described."""
        self._skip = skip
        out: list[Descriptor] = []
        families: list[str] = []
        for prefix, doc in docs.items():
            if doc is not None:
                base = self.ids(_prefix_terms(prefix))
                self._walk(doc, _Where(base, frozenset(), None, prefix), "", out, families)
        return out, families

    def _generic(self, key: str) -> str:
        _, kr, kl = self.key(key)
        if not kr and kl is None:
            return key
        return "__".join(
            "L" if LAYER_KEY.match(p) else "R" if canon_recipe(p) in kr else p
            for p in key.split("__")
        )

    def _step(self, at: _Where, parent: str, key: str) -> _Where:
        kt, kr, kl = self.key(key)
        more = self._aliased.get((parent, key))
        if more is None:  # a legacy name its kind reads as another (``matrix_mc.pearson_r``)
            alias = terms_alias(
                "_".join((*word_terms(parent)[:1], *word_terms(key)[:1]))
            ) or terms_alias("_".join(filter(None, (spelled(parent), spelled(key)))))
            more = self._aliased[(parent, key)] = self.ids(word_terms(alias)) if alias else ()
        ids = at.ids + kt + more
        layer = kl if kl is not None else at.layer
        return _Where(ids, at.recipes | kr, layer, f"{at.family}.{self._generic(key)}")

    def _walk(
        self, node: Any, at: _Where, key: str, out: list[Descriptor], families: list[str]
    ) -> None:
        if isinstance(node, dict):
            if _is_table(node):
                self._table(node, at, out, families)
                return
            for k, v in node.items():
                self._walk(v, self._step(at, key, str(k)), str(k), out, families)
        elif isinstance(node, list):
            if id(node) in self._skip:
                return
            shared: Descriptor | None = None
            family = at.family + "[*]"
            layered = "layer" in word_terms(key)
            for v in node:
                if is_number(v):
                    if layered and float(v).is_integer():
                        out.append(self.leaf(at, int(v)))
                    else:
                        shared = shared or self.leaf(at, at.layer)
                        out.append(shared)
                    families.append(family)
                else:
                    self._walk(v, _Where(at.ids, at.recipes, at.layer, family), key, out, families)
        elif is_number(node):
            layer = at.layer
            if key == "layer" and layer is None and float(node).is_integer():
                layer = int(node)
            out.append(self.leaf(at, layer))
            families.append(at.family)

    def _table(
        self, node: dict[str, Any], at: _Where, out: list[Descriptor], families: list[str]
    ) -> None:
        columns = [str(c) for c in node["columns"]]
        col_ids = [self.ids(word_terms(c)) for c in columns]
        for k, v in node.items():
            inner = _Where(at.ids + self.key(k)[0], at.recipes, at.layer, f"{at.family}.{k}")
            if k != "rows" or id(v) in self._skip:
                self._walk(v, inner, k, out, families)
                continue
            for row in v:
                if not isinstance(row, list):
                    self._walk(row, inner, k, out, families)
                    continue
                rt, rr, rl = self._row(columns, row)
                row_at = _Where(
                    at.ids + rt, at.recipes | rr, rl if rl is not None else at.layer, ""
                )
                for j, cell in enumerate(row):
                    family = f"{inner.family}[*][{j}]"
                    if is_number(cell):
                        ct = col_ids[j] if j < len(columns) else ()
                        cell_at = _Where(row_at.ids + ct, row_at.recipes, row_at.layer, family)
                        out.append(self.leaf(cell_at, row_at.layer))
                        families.append(family)
                    elif isinstance(cell, dict | list):
                        where = _Where(row_at.ids, row_at.recipes, rl, family)
                        self._walk(cell, where, k, out, families)

    def _row(
        self, columns: Sequence[str], row: Sequence[Any]
    ) -> tuple[tuple[int, ...], frozenset[str], int | None]:
        """What a row's other cells say: its words, recipes (``A vs B``, an ``x`` column), its
        ``layer`` column, and ``#201`` for a source file named ``issue_201_…``."""
        terms: list[str] = []
        recipes: set[str] = set()
        layer = None
        for j, cell in enumerate(row):
            col = columns[j] if j < len(columns) else ""
            if isinstance(cell, str):
                if col in items()[0] and canon_recipe(cell) in self.recipes.names:
                    recipes.add(canon_recipe(cell))
                    continue
                recipes.update(r for r, _ in self.recipes.in_text(cell))
                terms += [t for t, _ in text_terms(cell)]
                terms += [f"#{n}" for n in _FILE_ISSUE.findall(cell)]
            elif col == "layer" and is_number(cell) and float(cell).is_integer():
                layer = int(cell)
        return self.ids(terms), frozenset(recipes), layer

    def path(self, path: str, more: Iterable[str] = ()) -> Descriptor:
        """A descriptor from a path string alone (a collection: ``pairs.A__B.by_layer.layer_#``
        with ``#`` and ``*`` for what varies), plus the terms ``more``."""
        prefix, _, rest = path.rpartition(":")
        at = _Where(self.ids(_prefix_terms(prefix + ":")) if prefix else (), frozenset(), None, "")
        if rest.startswith("run."):
            at = _Where(at.ids + self.ids(["run"]), at.recipes, None, "")
        parent = ""
        for key in re.findall(r"[A-Za-z_][\w\-]*", rest.split(" (")[0].replace("#", "")):
            at = self._step(at, parent, key)
            parent = key
        return self.leaf(_Where(at.ids + self.ids(more), at.recipes, at.layer, ""), at.layer)


def _is_table(node: dict[str, Any]) -> bool:
    return isinstance(node.get("columns"), list) and isinstance(node.get("rows"), list)


def _prefix_terms(prefix: str) -> tuple[str, ...]:
    m = _FILE_ISSUE.search(prefix)
    if m:
        return (f"#{m.group(1)}",)
    return tuple(word_terms(prefix.rstrip(".:"))) if prefix else ()


def identity_free(
    descriptors: Sequence[Descriptor], families: Sequence[str]
) -> tuple[list[bool], list[bool]]:
    """Per leaf: (recipes need no pinning, layer needs no pinning) — true when every value
    of its family has the same recipes (or layer), so naming them would tell nothing apart."""
    recipes: dict[str, set[frozenset[str]]] = {}
    layers: dict[str, set[int | None]] = {}
    for d, f in zip(descriptors, families, strict=True):
        recipes.setdefault(f, set()).add(d.recipes)
        layers.setdefault(f, set()).add(d.layer)
    return (
        [len(recipes[f]) <= 1 for f in families],
        [len(layers[f]) <= 1 for f in families],
    )

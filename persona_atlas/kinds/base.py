"""What a kind declares: the one place that says what its results hold and need.

A kind (``persona_atlas/kinds/<kind>/__init__.py`` defines ``KIND``) names the analysis that
produces it, its config model, the tables its results carry (columns with types and docs,
read by the producers, the figures, the docs and the test fixtures), its figures, the words
the linter should know for them, and the modules its code version covers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from persona_atlas.config_types import KindConfig
from persona_atlas.schema import Scalar, Table

#: DuckDB column types (``atlas`` queries tables with DuckDB).
ColumnType = Literal["VARCHAR", "INTEGER", "DOUBLE", "BOOLEAN"]


@dataclass(frozen=True)
class Vocabulary:
    """Words a kind adds for its tables and columns (``persona_atlas/kinds/<kind>/``):
    ``aliases``, legacy names of one quantity (normalised compound → the name the analysis
    writes), and ``synonyms``, single words read as another (a role is a persona)."""

    aliases: tuple[tuple[str, str], ...] = ()
    synonyms: tuple[tuple[str, str], ...] = ()
    item_columns: tuple[str, ...] = ()
    """Table columns whose cells name the items the result compares (recipes: ``x``)."""
    item_lists: tuple[str, ...] = ()
    """Keys of lists of those names (``recipes``)."""

    @classmethod
    def of(
        cls,
        aliases: Mapping[str, str] | None = None,
        synonyms: Mapping[str, str] | None = None,
        item_columns: Sequence[str] = (),
        item_lists: Sequence[str] = (),
    ) -> Vocabulary:
        return cls(
            tuple((aliases or {}).items()),
            tuple((synonyms or {}).items()),
            tuple(item_columns),
            tuple(item_lists),
        )

    def __or__(self, other: Vocabulary) -> Vocabulary:
        return Vocabulary(
            tuple({**dict(self.aliases), **dict(other.aliases)}.items()),
            tuple({**dict(self.synonyms), **dict(other.synonyms)}.items()),
            tuple(dict.fromkeys((*self.item_columns, *other.item_columns))),
            tuple(dict.fromkeys((*self.item_lists, *other.item_lists))),
        )


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    doc: str


@dataclass(frozen=True)
class TableContract:
    """A table a kind's results may carry: its columns in order, what a row is.

    ``more`` documents columns whose names depend on the data (``layer_<L>``: one per
    layer), which follow the fixed ``columns``."""

    name: str
    doc: str
    columns: tuple[Column, ...]
    more: str = ""

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def types(self) -> dict[str, ColumnType]:
        return {c.name: c.type for c in self.columns}

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"table {self.name!r} has no column {name!r}")

    def table(
        self, rows: list[list[Scalar]], description: str = "", *, extra: Sequence[str] = ()
    ) -> Table:
        """A ``Table`` with this contract's columns (then ``extra`` ones, for ``more``)."""
        if extra and not self.more:
            raise ValueError(f"table {self.name!r} declares no columns beyond its contract")
        return Table(columns=[*self.names, *extra], rows=rows, description=description or self.doc)

    def mismatch(self, table: Table) -> str | None:
        """Why ``table`` does not follow this contract (None: it does)."""
        fixed = table.columns[: len(self.columns)]
        if fixed != self.names:
            return f"table {self.name!r}: columns {fixed} ≠ declared {self.names}"
        if len(table.columns) > len(self.columns) and not self.more:
            return f"table {self.name!r}: undeclared columns {table.columns[len(self.columns) :]}"
        return None


@dataclass(frozen=True)
class Producer:
    """Something other than the kind's own analysis that writes results of the kind (an
    importer): its analysis name in provenance and the modules its code version covers."""

    name: str
    doc: str
    modules: tuple[str, ...]


@dataclass(frozen=True)
class Kind:
    """One kind of result. ``name`` is the ``analysis.name`` that selects it in an
    experiment YAML and the analysis name its results record in provenance."""

    name: str
    doc: str
    config: type[KindConfig]
    run: str
    """``"module:function"``: takes the validated config, returns an ``AnalysisOutput``."""
    tables: tuple[TableContract, ...]
    figures: tuple[str, ...]
    """Charts (``figures/registry.py``) every result of the kind gets."""
    modules: tuple[str, ...]
    """Shared modules (dotted names) whose code its results depend on, besides its own
    folder; their imports inside ``persona_atlas.analysis`` are followed."""
    optional_figures: tuple[str, ...] = ()
    """Charts drawn when the result carries their table."""
    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    result_kind: str = ""
    """The ``kind`` its result.json records, when it writes another kind's shape (a
    stored-matrix comparison is a recipe comparison); empty: ``name``."""
    producers: tuple[Producer, ...] = ()

    @property
    def writes(self) -> str:
        return self.result_kind or self.name

    def table(self, name: str) -> TableContract:
        for t in self.tables:
            if t.name == name:
                return t
        raise KeyError(f"kind {self.name!r} declares no table {name!r}")

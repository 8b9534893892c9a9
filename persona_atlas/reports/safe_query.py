"""``query()``: one read-only SELECT over a result's own tables, nothing else.

The SQL comes from a report, i.e. from a pull request. It runs on an in-memory DuckDB whose
configuration is locked with file, network and extension access off, so even a query that got
past validation cannot read or write a file. Before it runs, the statement is parsed by DuckDB
itself (``json_serialize_sql``) and must be a single SELECT (``WITH`` allowed) whose every
relation is one of the result's tables or a CTE: no table functions (``read_text``,
``read_csv``, ``glob``, ``duckdb_settings`` ...), no file paths, no ``VALUES`` lists, no other
schemas. It must read at least one result table, and an output column may not be a literal
number (a number the query does not read from the result is a number nobody checks). It runs
under a row limit and a time limit. Every refusal is a `QueryError` with a short message that
never repeats data DuckDB read.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping
from typing import Any

MAX_ROWS = 1000
TIME_LIMIT_S = 5.0
#: Locked at connect: no file system, no network, no extensions, no spilling to disk.
CONFIG: dict[str, Any] = {
    "enable_external_access": False,
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
    "allow_community_extensions": False,
    "allow_unsigned_extensions": False,
    "temp_directory": "",
    "memory_limit": "256MB",
    "threads": 1,
    "lock_configuration": True,
}
_RELATIONS = ("BASE_TABLE", "JOIN", "SUBQUERY", "EMPTY")
_NOT_CONSTANT = {"COLUMN_REF", "STAR", "SUBQUERY", "WINDOW", "COLUMNS"}
_READS_ROWS = {"count_star", "count"}


class QueryError(ValueError):
    """A query that may not run or did not run; the message is safe to publish."""


_DB: Any = None
_DB_LOCK = threading.Lock()


def locked_database() -> Any:
    """The process's one in-memory database (connecting costs ~50 ms; a cursor ~nothing)."""
    global _DB
    with _DB_LOCK:
        if _DB is None:
            import duckdb

            _DB = duckdb.connect(":memory:", config=dict(CONFIG))
        return _DB


def run_query(
    tables: Mapping[str, tuple[list[str], list[list[Any]]]], sql: str
) -> tuple[list[str], list[list[Any]]]:
    """(column names, rows) of ``sql`` over ``tables`` (name → (columns, rows))."""
    import duckdb

    con = locked_database().cursor()  # its own connection: registered tables stay local
    try:
        _validate(con, sql, set(tables))
        for name, (columns, rows) in tables.items():
            con.register(name, _columns(columns, rows))
        timer = threading.Timer(TIME_LIMIT_S, con.interrupt)
        timer.start()
        try:
            cur = con.execute(sql)
            got = cur.fetchmany(MAX_ROWS + 1)
        finally:
            timer.cancel()
        names = [d[0] for d in cur.description or []]
    except duckdb.InterruptException:
        raise QueryError(
            f"query: took longer than {TIME_LIMIT_S:g} s and was stopped; filter or aggregate"
        ) from None
    except duckdb.Error as exc:
        raise QueryError(_duckdb_message(exc)) from None
    finally:
        con.close()
    if len(got) > MAX_ROWS:
        raise QueryError(f"query: more than {MAX_ROWS} rows; add LIMIT, WHERE or GROUP BY")
    return names, [list(r) for r in got]


def _columns(columns: list[str], rows: list[list[Any]]) -> dict[str, Any]:
    import numpy as np

    return {c: np.array([row[i] for row in rows], dtype=object) for i, c in enumerate(columns)}


def _duckdb_message(exc: Exception) -> str:
    """DuckDB's own text only where it can hold nothing but the SQL and the table schemas."""
    import duckdb

    kind = type(exc).__name__.removesuffix("Exception")
    if isinstance(exc, duckdb.ParserException | duckdb.BinderException | duckdb.CatalogException):
        first = str(exc).split("\n", 1)[0]
        return f"query: {first[:200]}"
    return f"query: DuckDB could not run it ({kind} error; its text may quote data, so it is not shown)"


def _validate(con: Any, sql: str, tables: set[str]) -> None:
    import duckdb

    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryError(_duckdb_message(exc)) from None
    kinds = [s.type.name for s in statements]
    if kinds != ["SELECT"]:
        found = ", ".join(kinds) or "no statement"
        raise QueryError(
            f"query: only a single SELECT over the result's tables is allowed; found {found}"
        )
    (row,) = con.execute("SELECT json_serialize_sql(?)", [sql]).fetchall()
    tree = json.loads(row[0])
    if tree.get("error"):
        raise QueryError(f"query: {str(tree.get('error_message', 'cannot parse'))[:200]}")
    (statement,) = tree["statements"]
    ctes = {key.lower() for key in _cte_names(statement)}
    allowed = {t.lower() for t in tables}
    read = _check_relations(statement, allowed | ctes)
    if not read & allowed:
        raise QueryError(
            "query: it must read at least one of the result's tables "
            f"({', '.join(sorted(tables)) or 'none'})"
        )
    for position, expr in _output_columns(statement["node"]):
        if _literal_with_digits(expr):
            raise QueryError(
                f"query: output column {position} is a literal number, not read from the "
                "result's tables; type it in prose (lint checks it) or select a column"
            )


def _walk(x: Any) -> Iterator[dict[str, Any]]:
    if isinstance(x, dict):
        yield x
        for v in x.values():
            yield from _walk(v)
    elif isinstance(x, list):
        for v in x:
            yield from _walk(v)


def _cte_names(statement: Any) -> Iterator[str]:
    for d in _walk(statement):
        if "cte_map" in d:
            for entry in d["cte_map"].get("map", []):
                yield str(entry["key"])


def _check_relations(statement: Any, allowed: set[str]) -> set[str]:
    """Every relation in the statement (top level, CTEs, subqueries) is allowed; the names read."""
    read: set[str] = set()
    for d in _walk(statement):
        if "from_table" in d:
            _check_ref(d["from_table"], allowed, read)
    return read


def _check_ref(ref: dict[str, Any], allowed: set[str], read: set[str]) -> None:
    kind = str(ref.get("type"))
    if kind not in _RELATIONS:
        what = {"TABLE_FUNCTION": "a table function", "EXPRESSION_LIST": "a VALUES list"}
        raise QueryError(
            f"query: only the result's tables can be read; found {what.get(kind, kind)}"
        )
    if kind == "BASE_TABLE":
        name = str(ref.get("table_name", ""))
        if ref.get("schema_name") or ref.get("catalog_name") or name.lower() not in allowed:
            raise QueryError(
                f"query: {name[:60]!r} is not one of the result's tables; only those can be read"
            )
        read.add(name.lower())
    elif kind == "JOIN":
        _check_ref(ref["left"], allowed, read)
        _check_ref(ref["right"], allowed, read)


def _output_columns(node: dict[str, Any]) -> Iterator[tuple[int, dict[str, Any]]]:
    """The select-list expressions that become rows: of the node, its set operands, its CTEs,
    its FROM subqueries and the scalar subqueries in its select list (not of a ``WHERE x IN
    (SELECT ...)`` test)."""
    for entry in node.get("cte_map", {}).get("map", []):
        yield from _output_columns(entry["value"]["query_node"])
    if "select_list" not in node:  # UNION / INTERSECT / EXCEPT, a recursive CTE
        for operand in [*node.get("children", []), node.get("left"), node.get("right")]:
            if operand:
                yield from _output_columns(operand)
        return
    for position, expr in enumerate(node.get("select_list", []), start=1):
        yield position, expr
        for d in _walk(expr):  # a scalar subquery's column is this column
            if d.get("class") == "SUBQUERY":
                yield from _output_columns(d["subquery"]["node"])
    refs = [node.get("from_table") or {}]
    while refs:
        ref = refs.pop()
        if ref.get("type") == "JOIN":
            refs += [ref["left"], ref["right"]]
        elif ref.get("type") == "SUBQUERY":
            yield from _output_columns(ref["subquery"]["node"])


def _literal_with_digits(expr: dict[str, Any]) -> bool:
    """A column made of literals only (``1``, ``'0.98'``, ``CAST(0.5 AS DOUBLE)``, ``1 + 1``)
    whose text has a digit."""
    digits = False
    for d in _walk(expr):
        cls = d.get("class")
        if cls in _NOT_CONSTANT:
            return False
        if cls == "FUNCTION" and d.get("function_name") in _READS_ROWS:
            return False  # count(*) counts a result table's rows
        if cls == "CONSTANT":
            digits = digits or any(ch.isdigit() for ch in str(d.get("literal", {}).get("text", "")))
    return digits

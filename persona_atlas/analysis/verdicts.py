"""Verdicts per cell and the declared verdict tables of a recipe comparison.

A cell is one recipe pair at one layer. PASS iff cos_min > pass_cos_min and
mc_r > pass_mc_r; KILL iff cos_min < kill_cos_min or mc_r < kill_mc_r; GREY otherwise
(DESIGN §4). The tables that go into result.json (``verdict_counts``, ``verdict_by_pair``,
ranges and per-pair summaries) are DuckDB queries over the ``cells`` table, so what a
report shows is declared once, here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import duckdb

from persona_atlas.analysis.sameness import ATOL, RTOL
from persona_atlas.config import Thresholds
from persona_atlas.kinds.recipe_comparison import tables as contract
from persona_atlas.schema import Scalar, Table

VERDICTS = ("PASS", "GREY", "KILL")

#: Columns of the ``cells`` table in order, with DuckDB types: the kind's contract.
CELL_COLUMNS: dict[str, str] = dict(contract.CELLS.types)
#: Numeric cell columns summarised as ``metrics.ranges.<name>.{min,max}``.
RANGE_COLUMNS = [c for c, t in CELL_COLUMNS.items() if t == "DOUBLE"]


def verdict(cos_min: float | None, mc_r: float | None, th: Thresholds) -> str | None:
    """PASS / GREY / KILL for one cell; None when either metric is missing or undefined."""
    if cos_min is None or mc_r is None or not (math.isfinite(cos_min) and math.isfinite(mc_r)):
        return None
    if cos_min < th.kill_cos_min or mc_r < th.kill_mc_r:
        return "KILL"
    if cos_min > th.pass_cos_min and mc_r > th.pass_mc_r:
        return "PASS"
    return "GREY"


def pair_label(x: str, y: str) -> str:
    return f"{x} vs {y}"


def pair_key(x: str, y: str) -> str:
    """Key under ``metrics.pairs``: recipe stems joined by ``__`` (``A__Bstar``)."""
    from persona_atlas.config import RECIPES

    return f"{RECIPES.get(x, x)}__{RECIPES.get(y, y)}"


def cells_connection(rows: Sequence[Sequence[Scalar]]) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the ``cells`` table loaded (plus ``ord``, the row order)."""
    con = duckdb.connect()
    cols = ", ".join(f'"{c}" {t}' for c, t in CELL_COLUMNS.items())
    con.execute(f"CREATE TABLE cells ({cols}, ord INTEGER)")
    if rows:  # DuckDB's executemany refuses an empty batch
        con.executemany(
            f"INSERT INTO cells VALUES ({', '.join('?' * (len(CELL_COLUMNS) + 1))})",
            [(*row, i) for i, row in enumerate(rows)],
        )
    return con


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[list[Any]]:
    return [list(r) for r in con.execute(sql).fetchall()]


def verdict_counts(con: duckdb.DuckDBPyConnection) -> Table:
    rows = _rows(
        con,
        """
        SELECT v.verdict, count(c.verdict)
        FROM (VALUES ('PASS', 0), ('GREY', 1), ('KILL', 2)) v(verdict, o)
        LEFT JOIN cells c USING (verdict)
        GROUP BY v.verdict, v.o ORDER BY v.o
        """,
    )
    return contract.VERDICT_COUNTS.table(rows)


def verdict_by_pair(con: duckdb.DuckDBPyConnection) -> Table:
    rows = _rows(
        con,
        """
        SELECT pair, category,
               count(*) FILTER (WHERE verdict = 'PASS'),
               count(*) FILTER (WHERE verdict = 'GREY'),
               count(*) FILTER (WHERE verdict = 'KILL')
        FROM cells GROUP BY pair, category ORDER BY min(ord)
        """,
    )
    return contract.VERDICT_BY_PAIR.table(rows)


def verdict_grid(con: duckdb.DuckDBPyConnection) -> Table:
    """Pairs × layers: the verdict of every cell (the partition heatmap as a table)."""
    layers = [
        r[0] for r in con.execute("SELECT DISTINCT layer FROM cells ORDER BY layer").fetchall()
    ]
    rows = _rows(
        con,
        """
        SELECT pair, category, list(verdict ORDER BY layer), list(layer ORDER BY layer)
        FROM cells GROUP BY pair, category ORDER BY min(ord)
        """,
    )
    grid = []
    for pair, category, found, at in rows:
        by_layer = dict(zip(at, found, strict=True))
        grid.append([pair, category, *(by_layer.get(layer) for layer in layers)])
    return contract.VERDICT_GRID.table(grid, extra=[f"layer_{layer}" for layer in layers])


def ranges(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, float | None]]:
    """``{metric: {min, max}}`` over all cells (null when the metric is missing everywhere)."""
    select = ", ".join(f'min("{c}"), max("{c}")' for c in RANGE_COLUMNS)
    values = con.execute(f"SELECT {select} FROM cells").fetchone() or ()
    return {
        c: {"min": values[2 * i], "max": values[2 * i + 1]} for i, c in enumerate(RANGE_COLUMNS)
    }


def pair_summaries(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Any]]:
    """Per pair: category, min/max of cos_min and mc_r over layers, best layers, counts.

    A best layer is the lowest layer whose value is the same as the maximum by the float
    rule of ``sameness``: an arg-max of values that tie up to rounding (a clipped 1.0, two
    layers 1e-16 apart) would otherwise depend on the BLAS kernel that rounded them."""
    out: dict[str, dict[str, Any]] = {}
    sql = """
        WITH top AS (
            SELECT x, y, max(mc_r) AS mc_r, max(cos_min) AS cos_min FROM cells GROUP BY x, y
        )
        SELECT c.x, c.y, any_value(c.category),
               min(c.cos_min), max(c.cos_min), min(c.mc_r), max(c.mc_r),
               min(c.layer) FILTER (WHERE c.mc_r >= t.mc_r - greatest($rtol * abs(t.mc_r), $atol)),
               min(c.layer) FILTER (
                   WHERE c.cos_min >= t.cos_min - greatest($rtol * abs(t.cos_min), $atol)
               ),
               count(*),
               count(*) FILTER (WHERE c.verdict = 'PASS'),
               count(*) FILTER (WHERE c.verdict = 'GREY'),
               count(*) FILTER (WHERE c.verdict = 'KILL')
        FROM cells c JOIN top t ON c.x = t.x AND c.y = t.y
        GROUP BY c.x, c.y ORDER BY min(c.ord)
        """
    for r in con.execute(sql, {"rtol": RTOL, "atol": ATOL}).fetchall():
        out[pair_key(r[0], r[1])] = {
            "pair": pair_label(r[0], r[1]),
            "category": r[2],
            "cos_min": {"min": r[3], "max": r[4]},
            "mc_r": {"min": r[5], "max": r[6]},
            "best_layer_mc_r": r[7],
            "best_layer_cos_min": r[8],
            "n_layers": r[9],
            "verdict_counts": {"PASS": r[10], "GREY": r[11], "KILL": r[12]},
        }
    return out


def by_category(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Verdict counts per pair category, and the group's headline booleans."""
    out: dict[str, Any] = {}
    sql = """
        SELECT category,
               count(*) FILTER (WHERE verdict = 'PASS'),
               count(*) FILTER (WHERE verdict = 'GREY'),
               count(*) FILTER (WHERE verdict = 'KILL'),
               count(*)
        FROM cells GROUP BY category ORDER BY category
        """
    for category, n_pass, n_grey, n_kill, n in con.execute(sql).fetchall():
        out[category] = {"PASS": n_pass, "GREY": n_grey, "KILL": n_kill, "cells": n}
    none = {"PASS": 0, "GREY": 0, "KILL": 0, "cells": 0}
    lb, sanity = out.get("load-bearing", none), out.get("sanity", none)
    out["all_load_bearing_pass"] = lb["cells"] > 0 and lb["PASS"] == lb["cells"]
    out["any_load_bearing_kill"] = lb["KILL"] > 0
    out["all_sanity_pass"] = sanity["cells"] > 0 and sanity["PASS"] == sanity["cells"]
    return out


def headline(con: duckdb.DuckDBPyConnection) -> str | None:
    """Index verdict: the single verdict of every load-bearing cell (all cells when none are
    load-bearing), or ``mixed``."""
    row = con.execute(
        """
        SELECT list(DISTINCT verdict ORDER BY verdict) FROM cells
        WHERE verdict IS NOT NULL
          AND (category = 'load-bearing'
               OR NOT EXISTS (SELECT 1 FROM cells WHERE category = 'load-bearing'))
        """
    ).fetchone()
    found = row[0] if row else None
    if not found:
        return None
    return found[0] if len(found) == 1 else "mixed"

"""Assemble the result.json body of a ``recipe-comparison`` from its cells.

Both analyses that compare recipes (the centroid sweep and the stored-matrix pilot) produce
cell rows and hand them here, so the tables, ranges, counts and null explanations follow
docs/data-contracts.md in one place.
"""

from __future__ import annotations

import math
from typing import Any

from persona_atlas.analysis import verdicts as v
from persona_atlas.analysis.output import AnalysisOutput
from persona_atlas.config import Thresholds
from persona_atlas.jsonpath import flatten
from persona_atlas.kinds.recipe_comparison.tables import CELLS
from persona_atlas.schema import Scalar, Table


def cell_row(cell: dict[str, Any]) -> list[Scalar]:
    """The cell's values in the ``cells`` contract's order (keys starting with ``_`` are
    ignored)."""
    missing = set(CELLS.names) - set(cell)
    if missing:
        raise KeyError(f"cell is missing {sorted(missing)}")
    return [cell[c] for c in CELLS.names]


def comparison_output(
    cells: list[dict[str, Any]],
    *,
    thresholds: Thresholds,
    null_reasons: dict[str, str],
    counts: dict[str, int | None],
    tables: dict[str, Table] | None = None,
    metrics: dict[str, Any] | None = None,
) -> AnalysisOutput:
    """Cells → ``cells``, ``verdict_counts``, ``verdict_by_pair`` tables and the metrics.

    ``null_reasons`` maps a cell column to why it can be null; every null cell gets a
    ``nulls`` entry with that reason, unless the cell says why itself (``cell["_why"]``:
    column → reason). ``counts`` are ``n_personas``, ``n_questions`` ...
    (null when unknown, explained the same way under ``metrics.<name>``).
    """
    rows = [cell_row(c) for c in cells]
    nulls: dict[str, str] = {}
    columns = CELLS.names
    for i, row in enumerate(rows):
        why = cells[i].get("_why", {})
        for j, value in enumerate(row):
            if isinstance(value, float) and not math.isfinite(value):
                row[j] = None  # strict JSON: e.g. a correlation of a constant series
                nulls[f"tables.cells.rows[{i}][{j}]"] = "undefined (a constant input series)"
            elif value is None:
                reason = why.get(columns[j]) or null_reasons.get(columns[j])
                if reason is None:
                    raise ValueError(f"cell {i} has null {columns[j]} and no reason is given")
                nulls[f"tables.cells.rows[{i}][{j}]"] = reason
    con = v.cells_connection(rows)
    try:
        by_verdict = v.verdict_counts(con)
        out_tables = {
            "cells": CELLS.table(rows),
            "verdict_counts": by_verdict,
            "verdict_by_pair": v.verdict_by_pair(con),
            "verdict_grid": v.verdict_grid(con),
            **(tables or {}),
        }
        ranges = v.ranges(con)
        pairs = v.pair_summaries(con)
        categories = v.by_category(con)
        headline = v.headline(con)
    finally:
        con.close()
    for name, bounds in ranges.items():
        for end, value in bounds.items():
            if value is None:
                nulls[f"metrics.ranges.{name}.{end}"] = null_reasons.get(name, "no cell has it")
    out_metrics: dict[str, Any] = dict(counts)
    for name, value in counts.items():
        if value is None:
            nulls[f"metrics.{name}"] = null_reasons.get(name, "not recorded in the input")
    out_metrics.update(
        n_pairs=len(pairs),
        n_cells=len(rows),
        thresholds=thresholds.model_dump(),
        ranges=ranges,
        verdict_counts={str(r[0]): r[1] for r in by_verdict.rows},
        verdict_by_category=categories,
        pairs=pairs,
    )
    if counts.get("n_personas"):
        n = int(counts["n_personas"] or 0)
        out_metrics["n_matrix_pairs"] = n * (n - 1) // 2
    out_metrics.update(metrics or {})
    for path, value in flatten(out_metrics, ["metrics"]):
        if value is None and path not in nulls:
            nulls[path] = "no cell has a value for this metric (not computed or not applicable)"
    if headline is None:
        nulls["verdict"] = "no cell has a verdict (it needs per_persona_cos and mc_r)"
    return AnalysisOutput(
        kind="recipe-comparison",
        metrics=out_metrics,
        tables=out_tables,
        nulls=nulls,
        verdict=headline,
    )

"""Merging several legacy files and deriving the result's tables and metrics.

A later file supersedes an earlier one for the same (pair, layer); superseded rows and every
differing value are kept. Verdicts are recomputed from the thresholds only to check the
stored partition. Derived numbers (counts, ranges, per-pair summaries) are computed here so a
report never needs arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from persona_atlas.analysis import verdicts
from persona_atlas.analysis.comparison import comparison_output
from persona_atlas.analysis.legacy_import.quirks import Row
from persona_atlas.analysis.legacy_import.source import (
    NOISE_COLUMNS,
    SENSITIVITY_COLUMNS,
    VERDICTS,
    Key,
    LegacySource,
)
from persona_atlas.config import RECIPES, Thresholds
from persona_atlas.kinds.recipe_comparison import tables as contract
from persona_atlas.schema import Scalar, Table


@dataclass
class Merged:
    """One table merged over the sources: the later file wins each key."""

    kept: dict[Key, tuple[str, Row]] = field(default_factory=dict)
    superseded: list[tuple[str, str, Row]] = field(default_factory=list)
    """(source label, label of the file that replaced it, row)."""
    differences: list[list[Scalar]] = field(default_factory=list)
    """Rows of ``source_disagreements``."""
    verdict_changes: list[list[Scalar]] = field(default_factory=list)


def merge(table: str, per_source: list[tuple[str, dict[Key, Row]]]) -> Merged:
    merged = Merged()
    for label, rows in per_source:
        for key, row in rows.items():
            if key in merged.kept:
                old_label, old = merged.kept[key]
                merged.superseded.append((old_label, label, old))
                _compare(table, key, (label, row), (old_label, old), merged)
            merged.kept[key] = (label, row)
    return merged


def _compare(
    table: str, key: Key, new: tuple[str, Row], old: tuple[str, Row], merged: Merged
) -> None:
    (new_label, new_row), (old_label, old_row) = new, old
    for column, value in new_row.values.items():
        before = old_row.values.get(column)
        if value == before or column in ("pair", "x", "y", "recipe", "layer", "category"):
            continue
        if column == "verdict":
            merged.verdict_changes.append([key[0], key[1], new_label, value, old_label, before])
            continue
        numbers = isinstance(value, int | float) and isinstance(before, int | float)
        diff = abs(value - before) if numbers else None  # type: ignore[operator]
        merged.differences.append(
            [table, key[0], key[1], column, new_label, value, old_label, before, diff]
        )


DISAGREEMENT_COLUMNS = contract.SOURCE_DISAGREEMENTS.names


class ResultBuilder:
    """Accumulates the tables, metrics and null explanations of the imported result."""

    def __init__(self, sources: list[LegacySource], thresholds: Thresholds) -> None:
        self.sources = sources
        self.t = thresholds
        self.tables: dict[str, Table] = {}
        self.nulls: dict[str, str] = {}
        self.metrics: dict[str, Any] = {}
        self.headline: str | None = None
        self.pair_order: list[str] = []
        for s in sources:
            for x, y in s.pairs:
                if verdicts.pair_label(x, y) not in self.pair_order:
                    self.pair_order.append(verdicts.pair_label(x, y))

    def _rank(self, key: Key) -> tuple[int, int]:
        if key[0] not in self.pair_order:
            self.pair_order.append(key[0])
        return self.pair_order.index(key[0]), key[1]

    def table(self, name: str, columns: list[str], rows: list[Row], description: str) -> None:
        """Add a table; every null cell gets a ``nulls`` entry saying why."""
        self.tables[name] = Table(
            columns=columns,
            rows=[[r.values.get(c) for c in columns] for r in rows],
            description=description,
        )
        self._explain_nulls(name, columns, rows)

    def _explain_nulls(self, name: str, columns: list[str], rows: list[Row]) -> None:
        for i, r in enumerate(rows):
            for j, column in enumerate(columns):
                if r.values.get(column) is None:
                    self.nulls[f"tables.{name}.rows[{i}][{j}]"] = r.why.get(column, "not given")

    def add_cells(self, merged: Merged) -> None:
        """``cells`` and everything derived from it, through the shared recipe-comparison
        assembler, so an imported result has the same shape as a computed one."""
        rows = [merged.kept[k][1] for k in sorted(merged.kept, key=self._rank)]
        info = self.sources[-1].info
        reasons: dict[str, str] = {}
        for r in rows:
            for column, why in r.why.items():
                reasons.setdefault(column, why)
        out = comparison_output(
            [r.values for r in rows],
            thresholds=self.t,
            null_reasons=reasons,
            counts={
                "n_personas": info["n_personas"],
                "n_questions": info["n_questions"],
                "n_layers": len({r.values["layer"] for r in rows}),
            },
        )
        out.tables["cells"].description = (
            "One row per recipe pair and layer, carried over from the legacy files; "
            "verdict is their stored partition."
        )
        self.tables.update(out.tables)
        self.nulls.update(out.nulls)
        self._explain_nulls("cells", contract.CELLS.names, rows)  # per-cell reasons
        self.nulls["tables.per_persona_cos"] = (
            "the legacy files store only min/p5/mean/max of the per-persona cosines per cell; "
            "the per-persona vectors were not kept, so this table is absent"
        )
        self.metrics.update(out.metrics)
        self.metrics["model"] = info["model"]
        self.metrics["layers"] = sorted({int(str(r.values["layer"])) for r in rows})
        pairs = self.metrics["pairs"]
        for r in rows:  # per-layer values, so prose can bind e.g. pairs.A__B.by_layer.layer_24
            key = verdicts.pair_key(str(r.values["x"]), str(r.values["y"]))
            pairs[key].setdefault("by_layer", {})[f"layer_{r.values['layer']}"] = {
                k: r.values[k] for k in ("cos_min", "cos_mean", "mc_r", "raw_pearson", "verdict")
            }
        self.headline = out.verdict
        self._verdict_check(merged)
        self._legacy_headline(rows)

    def _verdict_check(self, merged: Merged) -> None:
        table_rows: list[list[Scalar]] = []
        checked = agree = unverifiable = 0
        per_source: dict[str, int] = {s.label: 0 for s in self.sources}
        for s in self.sources:
            for (pair, layer), r in s.cells.items():
                cos_min, mc_r = r.values["cos_min"], r.values["mc_r"]
                again = verdicts.verdict(_num(cos_min), _num(mc_r), self.t)
                stored = r.values["verdict"]
                kept = merged.kept[(pair, layer)][0] == s.label
                if again is None:
                    unverifiable += kept
                    continue
                checked += kept
                agree += kept and again == stored
                if again != stored:
                    per_source[s.label] += 1
                    table_rows.append([s.label, pair, layer, stored, again])
        self.tables["verdict_disagreements"] = Table(
            columns=contract.VERDICT_DISAGREEMENTS.names,
            rows=table_rows,
            description="Cells whose stored verdict differs from the one the thresholds give.",
        )
        self.metrics["verdict_check"] = {
            "n_checked": checked,
            "n_agree": agree,
            "n_disagree": checked - agree,
            "n_unverifiable": unverifiable,
        }
        self._disagreements_by_source = per_source

    def _legacy_headline(self, rows: list[Row]) -> None:
        """Carry the legacy headline booleans over, and check them against the cells."""
        legacy = next((s for s in reversed(self.sources) if s.verdict), None)
        if legacy is None:
            return
        self.metrics["legacy_verdict"] = {**legacy.verdict, "source": legacy.label}

        def stored(category: str) -> list[Scalar]:
            return [r.values["verdict"] for r in rows if r.values["category"] == category]

        bearing, sanity = stored("load-bearing"), stored("sanity")
        ours = {
            "kill_any_load_bearing": "KILL" in bearing,
            "success_all_load_bearing": bool(bearing) and all(v == "PASS" for v in bearing),
            "sanity_all_pass": bool(sanity) and all(v == "PASS" for v in sanity),
        }
        self.metrics["legacy_verdict_check"] = {
            **ours,
            "agrees": all(legacy.verdict.get(k, v) == v for k, v in ours.items()),
        }

    def add_noise_floor(self, merged: Merged) -> None:
        order = list(RECIPES)
        keys = sorted(merged.kept, key=lambda k: (order.index(k[0]), k[1]))
        rows = [merged.kept[k][1] for k in keys]
        about = "Same recipe, split-half centroids (first vs second half of the questions)."
        self.table("noise_floor", NOISE_COLUMNS, rows, about)
        summary: dict[str, Any] = {"n_rows": len(rows)}
        if rows:
            summary["recipes"] = list(dict.fromkeys(str(r.values["recipe"]) for r in rows))
            summary["layers"] = sorted({int(str(r.values["layer"])) for r in rows})
            for m in NOISE_COLUMNS[2:]:
                if any(r.values[m] is not None for r in rows):
                    summary[m] = _extremes(rows, m, label="recipe")
        self.metrics["noise_floor"] = summary

    def add_sensitivity(self, merged: Merged, cells: Merged) -> None:
        keys = sorted(merged.kept, key=self._rank)
        rows: list[Row] = []
        for pair, layer in keys:
            row = merged.kept[(pair, layer)][1]
            base_key = (pair.replace("B*_no_last", "B*"), layer)
            base = cells.kept.get(base_key, ("", Row({})))[1]
            out = Row(dict(row.values), dict(row.why))
            for m in ("cos_min", "mc_r"):
                a, b = row.values.get(m), base.values.get(m)
                ok = isinstance(a, int | float) and isinstance(b, int | float)
                out.values[f"delta_{m}"] = a - b if ok else None  # type: ignore[operator]
                if not ok:
                    out.why[f"delta_{m}"] = f"{m} of {pair} or {base_key[0]} is missing"
            rows.append(out)
        columns = [*SENSITIVITY_COLUMNS, *contract.SENSITIVITY_DELTAS]
        about = (
            "The pair with B*_no_last (B* minus the last prompt token) in place of B*; "
            "delta = this pair minus the B* pair at the same layer."
        )
        self.table("bstar_no_last_sensitivity", columns, rows, about)
        summary: dict[str, Any] = {"n_rows": len(rows)}
        for m in contract.SENSITIVITY_DELTAS:
            values = [(abs(v), r) for r in rows if isinstance(v := r.values[m], int | float)]
            if values:
                size, where = max(values, key=lambda vr: vr[0])
                summary[f"max_abs_{m}"] = {"value": size, "layer": where.values["layer"]}
        self.metrics["bstar_no_last_sensitivity"] = summary

    def add_merge_report(self, cells: Merged, noise: Merged, sens: Merged) -> None:
        for name, merged, superseded in [
            ("cells", cells, contract.SUPERSEDED_CELLS),
            ("noise_floor", noise, contract.SUPERSEDED_NOISE_FLOOR),
            ("bstar_no_last_sensitivity", sens, contract.SUPERSEDED_BSTAR_NO_LAST_SENSITIVITY),
        ]:
            rows = [
                Row({**row.values, "source": label, "superseded_by": by}, row.why)
                for label, by, row in merged.superseded
            ]
            about = f"Rows of `{name}` replaced by a later file, kept so no number is lost."
            self.table(superseded.name, superseded.names, rows, about)
        differences = cells.differences + noise.differences + sens.differences
        self.tables["source_disagreements"] = Table(
            columns=DISAGREEMENT_COLUMNS,
            rows=differences,
            description="Values that differ between a kept row and the row it superseded.",
        )
        self.tables["source_verdict_changes"] = Table(
            columns=contract.SOURCE_VERDICT_CHANGES.names,
            rows=cells.verdict_changes,
            description="Cells whose stored verdict differs between the merged files.",
        )
        diffs = [float(d[8]) for d in differences if isinstance(d[8], int | float)]
        self.metrics["merge"] = {
            "n_sources": len(self.sources),
            "n_superseded_cells": len(cells.superseded),
            "n_superseded_noise_floor": len(noise.superseded),
            "n_superseded_sensitivity": len(sens.superseded),
            "n_differing_values": len(differences),
            "n_differing_cells": len({(d[1], d[2]) for d in cells.differences}),
            "max_abs_diff": max(diffs) if diffs else 0.0,
            "n_verdict_changes": len(cells.verdict_changes),
        }

    def add_sources(self) -> None:
        out: dict[str, Any] = {}
        for s in self.sources:
            counts = _count(r.values["verdict"] for r in s.cells.values())
            summary_agrees: bool | None = None
            if s.verdict_summary is not None:
                per_layer: dict[str, list[Scalar]] = {}
                for (_, layer), r in s.cells.items():
                    per_layer.setdefault(f"layer_{layer}", []).append(r.values["verdict"])
                summary_agrees = set(per_layer) <= set(s.verdict_summary) and all(
                    _count(per_layer.get(k, [])) == v for k, v in s.verdict_summary.items()
                )
            out[s.label] = {
                "path": s.shown,
                "experiment": s.info["experiment"],
                "model": s.info["model"],
                "layers": s.info["layers"],
                "commit": s.info["commit"],
                "timestamp": s.info["timestamp"],
                "n_cells": len(s.cells),
                "verdict_counts": counts,
                "n_verdict_disagreements": self._disagreements_by_source[s.label],
                "verdict_summary_agrees": summary_agrees,
                "thresholds": s.thresholds,
                "legacy_verdict": s.verdict,
            }
        self.metrics["sources"] = out
        for label, info in out.items():
            for key in ("commit", "timestamp", "thresholds", "verdict_summary_agrees"):
                if info[key] is None:
                    self.nulls[f"metrics.sources.{label}.{key}"] = f"{info['path']} does not say"


def _count(verdicts: Any) -> dict[str, int]:
    counts = dict.fromkeys(VERDICTS, 0)
    for v in verdicts:
        counts[str(v)] += 1
    return counts


def _extremes(rows: list[Row], metric: str, label: str = "pair") -> dict[str, Scalar]:
    """min and max of a column, with the first row (in table order) holding each."""
    present = [r for r in rows if isinstance(r.values[metric], int | float)]
    lo = min(present, key=lambda r: r.values[metric])  # type: ignore[arg-type,return-value]
    hi = max(present, key=lambda r: r.values[metric])  # type: ignore[arg-type,return-value]
    return {
        "min": lo.values[metric],
        "max": hi.values[metric],
        f"min_{label}": lo.values[label],
        "min_layer": lo.values["layer"],
        f"max_{label}": hi.values[label],
        "max_layer": hi.values["layer"],
    }


def _num(value: Scalar) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None

"""The group's legacy recipe-sweep format (#201/#218 ``run_result.json``), read into rows.

One file holds, per recipe pair and layer (key ``<x>__<y>__layer<L>`` under
``cross_method_metrics``), the per-persona cosine summary (min/p5/mean/max), the raw and
mean-centred matrix correlations, the per-question spread correlation, a category, and
optionally the B*_no_last sensitivity of an (x, B*) pair; the stored verdict lives under
``partition``; ``noise_floor`` holds same-recipe split-half figures. Rows come out keyed by
(pair or recipe, layer) with canonical recipe names and our column names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from persona_atlas.analysis.legacy_import.quirks import Reader, Row, join, parse_tolerant
from persona_atlas.analysis.verdicts import VERDICTS, pair_label
from persona_atlas.errors import InputFileError
from persona_atlas.files import sha256_bytes
from persona_atlas.kinds.recipe_comparison import tables as contract

# The recipe-comparison kind's table contracts (persona_atlas/kinds/recipe_comparison/).
NOISE_COLUMNS = contract.NOISE_FLOOR.names
SENSITIVITY_COLUMNS = contract.BSTAR_NO_LAST_SENSITIVITY.names

Key = tuple[str, int]  # (pair or recipe, layer)


@dataclass
class LegacySource:
    """One legacy file, read and normalised to canonical recipe names."""

    path: Path
    shown: str
    """Repository-relative path (absolute when outside the repository): used everywhere."""
    label: str
    """Identifier for metric keys: the file stem, e.g. ``issue_218_run_result``."""
    sha256: str
    size: int
    info: dict[str, Any]
    """experiment, model, n_personas, n_questions, layers, commit, timestamp."""
    pairs: list[tuple[str, str]]
    cells: dict[Key, Row]
    sensitivity: dict[Key, Row]
    noise: dict[Key, Row]
    verdict: dict[str, Any]
    verdict_summary: dict[str, dict[str, int]] | None
    thresholds: dict[str, float] | None
    warnings: list[str]


def read_legacy(path: Path, shown: str) -> LegacySource:
    """Read one legacy file; every problem names ``shown`` and the JSON path."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputFileError(f"{shown}: file not found") from None
    except IsADirectoryError:
        raise InputFileError(
            f"{shown}: is a folder, not a legacy run_result.json",
            hint="name the JSON file(s) inside it",
        ) from None
    doc = parse_tolerant(data, shown)
    rd = Reader(shown)
    meta = rd.items(rd.get(doc, "metadata", "", required=False) or {}, "metadata", dict)
    layers = rd.items(rd.get(doc, "layers", ""), "layers", list)
    info: dict[str, Any] = {
        "experiment": rd.text(rd.get(doc, "experiment", ""), "experiment"),
        "model": rd.text(rd.get(doc, "model", ""), "model"),
        "n_personas": rd.integer(rd.get(doc, "n_roles", ""), "n_roles"),
        "n_questions": rd.integer(rd.get(doc, "n_questions", ""), "n_questions"),
        "layers": sorted(rd.integer(v, f"layers[{i}]") for i, v in enumerate(layers)),
        "commit": str(meta["git_commit"]) if meta.get("git_commit") else None,
        "timestamp": str(meta["timestamp"]) if meta.get("timestamp") else None,
    }
    raw_pairs = rd.items(rd.get(doc, "pairs", ""), "pairs", list)
    pairs = [rd.pair(p, f"pairs[{i}]") for i, p in enumerate(raw_pairs)]
    n_pairs = rd.get(doc, "n_pairs", "", required=False)
    if n_pairs is not None and n_pairs != len(pairs):
        rd.warn("n_pairs", f"says {n_pairs} but pairs lists {len(pairs)}")

    partition = rd.items(rd.get(doc, "partition", ""), "partition", dict)
    cells: dict[Key, Row] = {}
    sensitivity: dict[Key, Row] = {}
    metrics = rd.items(rd.get(doc, "cross_method_metrics", ""), "cross_method_metrics", dict)
    for name, cell in metrics.items():
        key, row, sens = _read_cell(rd, name, cell, partition)
        cells[key] = row
        if sens is not None:
            sensitivity[(str(sens.values["pair"]), key[1])] = sens
    expected = len(pairs) * len(info["layers"])
    if len(cells) != expected:
        rd.warn("cross_method_metrics", f"{len(cells)} cells, expected {expected} (pairs × layers)")

    noise: dict[Key, Row] = {}
    floor = rd.items(rd.get(doc, "noise_floor", "", required=False) or {}, "noise_floor", dict)
    for name, entry in floor.items():
        at = join("noise_floor", name)
        recipe = rd.recipe(rd.get(entry, "method", at), join(at, "method"))
        layer = rd.integer(rd.get(entry, "layer", at), join(at, "layer"))
        row = Row({"recipe": recipe, "layer": layer})
        for column, legacy in _NOISE_FIELDS:
            rd.number_at(entry, legacy, at, row, column)
        noise[(recipe, layer)] = row

    return LegacySource(
        path=path,
        shown=shown,
        label=re.sub(r"\W", "_", path.stem),
        sha256=sha256_bytes(data),
        size=len(data),
        info=info,
        pairs=pairs,
        cells=cells,
        sensitivity=sensitivity,
        noise=noise,
        verdict=_read_verdict(rd, doc),
        verdict_summary=_read_summary(rd, doc),
        thresholds=_read_thresholds(rd, doc),
        warnings=rd.warnings,
    )


_NOISE_FIELDS = [
    ("cos_min", "per_persona_min"),
    ("cos_p5", "per_persona_p5"),
    ("cos_mean", "per_persona_mean"),
    ("mc_r", "matrix_mc_pearson_r"),
]
_PER_PERSONA = [
    ("cos_min", "per_persona.min"),
    ("cos_p5", "per_persona.p5"),
    ("cos_mean", "per_persona.mean"),
    ("cos_max", "per_persona.max"),
]
_CELL_FIELDS = [
    *_PER_PERSONA,
    ("raw_pearson", "matrix_raw.pearson_r"),
    ("raw_spearman", "matrix_raw.spearman_r"),
    ("mc_r", "matrix_mc.pearson_r"),
]
_SENSITIVITY_FIELDS = [*_PER_PERSONA, ("mc_r", "matrix_mc.pearson_r")]


def _read_cell(
    rd: Reader, name: str, cell: Any, partition: dict[str, Any]
) -> tuple[Key, Row, Row | None]:
    at = join("cross_method_metrics", name)
    x, y = rd.pair(rd.get(cell, "pair", at), join(at, "pair"))
    layer = rd.integer(rd.get(cell, "layer", at), join(at, "layer"))
    legacy_x, legacy_y = (str(v).lower() for v in cell["pair"])
    if name != f"{legacy_x}__{legacy_y}__layer{layer}":
        raise InputFileError(
            f"{rd.shown}: {at} holds pair {legacy_x}/{legacy_y} at layer {layer}, "
            "which does not match its key",
            hint="keys are <x>__<y>__layer<L>",
        )
    pair = pair_label(x, y)
    category = rd.text(rd.get(cell, "category", at), join(at, "category"))
    row = Row({"pair": pair, "x": x, "y": y, "category": category, "layer": layer})
    for column, keys in _CELL_FIELDS:
        rd.number_at(cell, keys, at, row, column)
    if rd.get(cell, "per_question_persona_spread", at, required=False) is None:
        row.values["spread_spearman"] = None
        row.why["spread_spearman"] = f"{rd.shown} has no per_question_persona_spread"
    else:
        rd.number_at(cell, "per_question_persona_spread.spearman_r", at, row, "spread_spearman")
    row.values["mantel_p"] = None
    row.why["mantel_p"] = "the legacy recipe-sweep format has no Mantel permutation test"
    row.values["verdict"] = _stored_verdict(rd, partition, name)

    sens_doc = rd.get(cell, "bstar_no_last_sensitivity", at, required=False)
    if sens_doc is None:
        return (pair, layer), row, None
    # The sensitivity check is the same pair with B* minus its last prompt token.
    sx, sy = ("B*_no_last" if r == "B*" else r for r in (x, y))
    sens = Row({"pair": pair_label(sx, sy), "x": sx, "y": sy, "layer": layer})
    for column, keys in _SENSITIVITY_FIELDS:
        rd.number_at(sens_doc, keys, join(at, "bstar_no_last_sensitivity"), sens, column)
    return (pair, layer), row, sens


def _stored_verdict(rd: Reader, partition: dict[str, Any], name: str) -> str:
    where = join("partition", name)
    stored = rd.text(rd.get(partition, name, "partition"), where)
    if stored.strip().upper() not in VERDICTS:
        raise InputFileError(f"{rd.shown}: {where} is {stored!r}, not PASS, GREY or KILL")
    if stored != stored.strip().upper():
        rd.warn(where, f"verdict {stored!r} read as {stored.strip().upper()!r}")
    return stored.strip().upper()


def _read_verdict(rd: Reader, doc: Any) -> dict[str, Any]:
    verdict = rd.items(rd.get(doc, "verdict", "", required=False) or {}, "verdict", dict)
    out: dict[str, Any] = {}
    for key, value in verdict.items():
        where = join("verdict", key)
        is_text = isinstance(value, str) and value.strip().lower() not in ("true", "false")
        out[key] = rd.text(value, where) if is_text else rd.boolean(value, where)
    return out


def _read_summary(rd: Reader, doc: Any) -> dict[str, dict[str, int]] | None:
    summary = rd.get(doc, "verdict_summary", "", required=False)
    if summary is None:
        return None
    out: dict[str, dict[str, int]] = {}
    for layer_key, counts in rd.items(summary, "verdict_summary", dict).items():
        at = join("verdict_summary", layer_key)
        out[layer_key] = {
            v: rd.integer(rd.get(counts, f"n_{v.lower()}", at), join(at, f"n_{v.lower()}"))
            for v in VERDICTS
        }
    return out


def _read_thresholds(rd: Reader, doc: Any) -> dict[str, float] | None:
    legacy = rd.get(doc, "thresholds", "", required=False)
    if legacy is None:
        return None
    row = Row({})
    for ours, theirs in _THRESHOLD_NAMES.items():
        rd.number_at(legacy, theirs, "thresholds", row, ours)
    return {k: float(v) for k, v in row.values.items() if isinstance(v, int | float)}


_THRESHOLD_NAMES = {
    "pass_cos_min": "success_cos_min",
    "pass_mc_r": "success_mc_r",
    "kill_cos_min": "kill_cos_min",
    "kill_mc_r": "kill_mc_r",
}

"""Chart data by reference, so altair never copies or validates the rows.

Altair deep-copies and schema-validates inline rows every time a chart is layered,
concatenated or faceted, which dominated build time at #218 scale. A chart instead refers
to a named dataset; :func:`persona_atlas.figures.render.to_spec` puts the rows into the
spec's top-level ``datasets``. Identical rows shared by several layers are stored once.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from typing import Any

import altair as alt


def dataset(rows: list[dict[str, Any]]) -> alt.NamedData:
    """A named reference to ``rows`` (name = hash of their content)."""
    text = json.dumps(rows, sort_keys=True, separators=(",", ":"), allow_nan=False)
    name = "data-" + hashlib.sha256(text.encode()).hexdigest()[:20]
    _DATASETS[name] = rows
    _DATASETS.move_to_end(name)
    while len(_DATASETS) > _DATASETS_KEPT:
        _DATASETS.popitem(last=False)
    return alt.NamedData(name=name)


def datasets_for(names: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Rows behind the given :func:`dataset` names."""
    missing = [n for n in names if n not in _DATASETS]
    if missing:
        raise KeyError(f"dataset(s) {missing} not built in this process; rebuild the chart")
    return {n: _DATASETS[n] for n in names}


# Rows of recently built charts, by name; bounded so a long process does not grow.
_DATASETS: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
_DATASETS_KEPT = 512

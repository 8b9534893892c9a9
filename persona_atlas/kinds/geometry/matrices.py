"""Reading a persona × persona matrix from a JSON file, with errors that say what to fix.

A matrix is a list of rows with a separate list of labels, or an object of rows
(persona → persona → value). It must be square, symmetric, finite and name each persona
once; a similarity becomes the distance 1 − value, so every statistic compares distances.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from persona_atlas.analysis.result_writer import project_root
from persona_atlas.errors import InputFileError
from persona_atlas.files import read_json
from persona_atlas.jsonpath import PathError, resolve
from persona_atlas.kinds.geometry.config import MatrixSource

#: Largest |m[i, j] − m[j, i]| accepted as symmetric (float32 round-trips stay below it).
SYMMETRY_TOLERANCE = 1e-6


@dataclass(frozen=True)
class LabelledMatrix:
    labels: list[str]
    distance: NDArray[np.float64]
    """[n, n] distances (a similarity source already converted to 1 − value)."""


def _at(data: Any, path: str, where: str) -> Any:
    try:
        return resolve(data, path)
    except PathError as exc:
        raise InputFileError(f"{where}: {exc}", hint="check the path in the config") from None


def _rows_and_labels(data: Any, source: MatrixSource, where: str) -> tuple[list[str], Any]:
    raw = _at(data, source.matrix, where)
    if isinstance(raw, dict):
        if source.labels is not None:
            raise InputFileError(
                f"{where}: {source.matrix} is an object of rows, whose keys are the labels",
                hint="drop `labels` from this matrix source",
            )
        labels = [str(k) for k in raw]
        rows = []
        for name, row in raw.items():
            if not isinstance(row, dict) or list(row) != labels:
                cols = list(row) if isinstance(row, dict) else type(row).__name__
                raise InputFileError(
                    f"{where}: {source.matrix} is not square: rows {labels} but row "
                    f"{name!r} has columns {cols}",
                    hint="give a persona × persona matrix with the same personas, in the "
                    "same order, as rows and columns",
                )
            rows.append(list(row.values()))
        return labels, rows
    if source.labels is None:
        raise InputFileError(
            f"{where}: {source.matrix} is a list of rows without labels",
            hint="set `labels` to the path of the persona names in row order",
        )
    labels = _at(data, source.labels, where)
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        raise InputFileError(f"{where}: {source.labels} is not a list of persona names")
    return labels, raw


def load_matrix(source: MatrixSource, role: str) -> LabelledMatrix:
    """The distance matrix of one source; ``role`` (``x``, ``covariate prompt_len``) names
    it in errors."""
    where = f"{source.file} ({role})"
    path = Path(source.file)  # relative: to the repository root, like top-level file keys
    data = read_json(path if path.is_absolute() else project_root() / path)
    labels, rows = _rows_and_labels(data, source, where)
    if len(set(labels)) != len(labels):
        dup = sorted({x for x in labels if labels.count(x) > 1})
        raise InputFileError(f"{where}: personas {dup} appear twice in the labels")
    try:
        m = np.asarray(rows, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputFileError(
            f"{where}: {source.matrix} is not a rectangular array of numbers",
            hint="every row must list one number per persona",
        ) from None
    n = len(labels)
    if m.shape != (n, n):
        raise InputFileError(
            f"{where}: {source.matrix} has shape {list(m.shape)}, not square {n} × {n} "
            f"for the {n} labels",
            hint="give a persona × persona matrix with one row and column per label",
        )
    if not np.all(np.isfinite(m)):
        i, j = map(int, np.argwhere(~np.isfinite(m))[0])
        raise InputFileError(
            f"{where}: {source.matrix} has a non-finite value ({m[i, j]}) at "
            f"{labels[i]!r} × {labels[j]!r}",
            hint="recompute or drop that persona; statistics need finite values",
        )
    if n < 4:
        raise InputFileError(f"{where}: {n} personas; a geometry comparison needs at least 4")
    asym = float(np.max(np.abs(m - m.T)))
    if asym > SYMMETRY_TOLERANCE:
        raise InputFileError(
            f"{where}: {source.matrix} is not symmetric (largest |m[i,j] − m[j,i]| = {asym:.3g})",
            hint="symmetrise it (e.g. (m + mᵀ) / 2) before comparing geometries",
        )
    distance = 1.0 - m if source.measure == "similarity" else m
    return LabelledMatrix(list(labels), distance)


def aligned(reference: LabelledMatrix, other: LabelledMatrix, role: str) -> NDArray[np.float64]:
    """``other``'s distances in ``reference``'s persona order; refuses other personas."""
    if set(other.labels) != set(reference.labels):
        missing = sorted(set(reference.labels) - set(other.labels))
        extra = sorted(set(other.labels) - set(reference.labels))
        raise InputFileError(
            f"{role}: personas differ from x's (missing {missing[:8]}, extra {extra[:8]})",
            hint="both matrices must cover the same personas (order may differ)",
        )
    order = [other.labels.index(p) for p in reference.labels]
    return other.distance[np.ix_(order, order)]

"""Recipe centroids from extraction (safetensors) as DuckDB tables plus zero-copy numpy views.

DuckDB is the query surface (``personas``, ``recipes``, ``layers``, ``runs``); the tensors
are memory-mapped straight out of the safetensors files (the format is an 8-byte header
length, a JSON header, then raw little-endian C-contiguous buffers), so opening a 7-recipe
#218-scale run costs no copy and no RAM until a layer is touched. Layout and metadata are
fixed by docs/data-contracts.md ("Extraction outputs").
"""

from __future__ import annotations

import json
import struct
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from persona_atlas.analysis.extraction_record import refuse_unfinished, verify_outputs
from persona_atlas.config import PREFIX_ONLY_RECIPES, RECIPES
from persona_atlas.errors import InputFileError
from persona_atlas.run_layout import run_file
from persona_atlas.schema import load_run

CENTROID_FORMAT = "persona-atlas/centroids"
_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64, "U8": np.uint8, "F64": np.float64}


_REDO = "the file is damaged: re-run `atlas extract` for this folder (or restore it from git)"


def _corrupt(path: Path, what: str) -> InputFileError:
    return InputFileError(f"{path}: truncated or corrupt safetensors file ({what})", hint=_REDO)


def read_header(path: Path) -> tuple[dict[str, Any], int]:
    """The safetensors JSON header and the byte offset where tensor data starts."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(8)
            if len(raw) != 8:
                raise _corrupt(path, f"{len(raw)} bytes, too short for a header")
            (size,) = struct.unpack("<Q", raw)
            if size > 100_000_000:
                raise _corrupt(path, f"implausible header size {size}")
            text = fh.read(size)
            if len(text) != size:
                raise _corrupt(path, f"the header needs {size} bytes, the file has {len(text)}")
            header = json.loads(text)
    except FileNotFoundError:
        raise InputFileError(f"{path}: file not found") from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise _corrupt(path, "the header is not JSON") from None
    if not isinstance(header, dict):
        raise _corrupt(path, "the header is not a JSON object")
    return header, 8 + size


def _tensor_entry(path: Path, name: str, info: Any) -> tuple[Any, tuple[int, ...], int, int]:
    """(dtype, shape, begin, end) of one header entry, checked for types and consistency."""
    try:
        dtype = _DTYPES.get(info.get("dtype"))
        begin, end = (int(x) for x in info["data_offsets"])
        shape = tuple(int(x) for x in info["shape"])
    except (AttributeError, KeyError, TypeError, ValueError):
        raise _corrupt(path, f"tensor {name!r} has a malformed header entry") from None
    if dtype is None:
        raise InputFileError(f"{path}: tensor {name!r} has unsupported dtype {info.get('dtype')}")
    count = int(np.prod(shape)) if shape else 1
    if begin < 0 or min(shape, default=0) < 0 or end - begin != count * np.dtype(dtype).itemsize:
        raise InputFileError(f"{path}: tensor {name!r} byte range does not match its shape")
    return dtype, shape, begin, end


def map_tensors(path: Path) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Read-only memory-mapped views of every tensor in a safetensors file, plus metadata.

    Only the header (JSON) is parsed; tensors are raw little-endian buffers, never unpickled.
    A file shorter than its header says (an interrupted copy or write) is an error naming it.
    """
    header, start = read_header(path)
    meta = header.pop("__metadata__", None) or {}
    if not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values()):
        raise _corrupt(path, "__metadata__ is not a map of strings")
    entries = {name: _tensor_entry(path, name, info) for name, info in header.items()}
    needed = start + max((end for *_, end in entries.values()), default=0)
    size = path.stat().st_size
    if size < needed:
        raise _corrupt(path, f"{size} bytes, its header describes {needed}")
    views: dict[str, np.ndarray] = {}
    for name, (dtype, shape, begin, end) in entries.items():
        if end == begin:  # np.memmap cannot map zero bytes
            views[name] = np.zeros(shape, dtype)
            continue
        views[name] = np.memmap(path, dtype=dtype, mode="r", offset=start + begin, shape=shape)
    return views, meta


def _json_list(path: Path, meta: dict[str, str], key: str) -> list[Any]:
    try:
        value = json.loads(meta[key])
    except KeyError:
        raise InputFileError(
            f"{path}: metadata lacks {key!r}", hint="see docs/data-contracts.md"
        ) from None
    except json.JSONDecodeError:
        raise InputFileError(f"{path}: metadata {key!r} is not a JSON list") from None
    if not isinstance(value, list):
        raise InputFileError(f"{path}: metadata {key!r} is not a JSON list")
    return value


@dataclass
class RecipeCentroids:
    """One recipe's centroid file: views are memory-mapped, shape [P, L, H] float32."""

    recipe: str
    path: Path
    personas: list[str]
    layers: list[int]
    model: str
    centroid: np.ndarray
    half_a: np.ndarray
    half_b: np.ndarray
    count: np.ndarray | None

    @property
    def hidden(self) -> int:
        return int(self.centroid.shape[2])


def open_recipe(path: Path) -> RecipeCentroids:
    """Open and check one ``centroids/<stem>.safetensors`` against the contract."""
    views, meta = map_tensors(path)
    if meta.get("format") != CENTROID_FORMAT:
        raise InputFileError(
            f"{path}: metadata format is {meta.get('format')!r}, expected {CENTROID_FORMAT!r}",
            hint="centroid files are written by `atlas extract`",
        )
    recipe = meta.get("recipe", "")
    if recipe not in RECIPES:
        raise InputFileError(f"{path}: unknown recipe {recipe!r} in metadata")
    personas = [str(p) for p in _json_list(path, meta, "personas")]
    layers = [int(x) for x in _json_list(path, meta, "layers")]
    for what, names in (("persona", personas), ("layer", layers)):
        twice = [x for x, k in Counter(names).items() if k > 1]
        if twice:  # rows are looked up by name: a duplicate would be ambiguous
            raise InputFileError(f"{path}: recipe {recipe}: {what} {twice[0]!r} is listed twice")
    if "centroid" not in views:
        raise InputFileError(f"{path}: recipe {recipe}: no 'centroid' tensor")
    for half in ("half_a", "half_b"):
        if half not in views and recipe in PREFIX_ONLY_RECIPES:
            views[half] = views["centroid"]  # question-independent: halves == centroid
        elif half not in views:
            raise InputFileError(
                f"{path}: recipe {recipe}: split half {half!r} is missing",
                hint="the noise floor needs both split-half centroids; re-run the extraction",
            )
    expected = (len(personas), len(layers))
    for name in ("centroid", "half_a", "half_b"):
        v = views[name]
        if v.dtype != np.float32 or v.ndim != 3 or v.shape[:2] != expected:
            raise InputFileError(
                f"{path}: recipe {recipe}: {name} is {v.dtype}{list(v.shape)}, expected "
                f"float32[{expected[0]}, {expected[1]}, H] (personas × layers × hidden)"
            )
    for half in ("half_a", "half_b"):
        if views[half].shape != views["centroid"].shape:
            raise InputFileError(
                f"{path}: recipe {recipe}: split half {half} is {list(views[half].shape)}, "
                f"centroid is {list(views['centroid'].shape)} (they must match)",
                hint="both halves and the centroid come from one extraction run",
            )
    return RecipeCentroids(
        recipe=recipe,
        path=path,
        personas=personas,
        layers=layers,
        model=meta.get("model", ""),
        centroid=views["centroid"],
        half_a=views["half_a"],
        half_b=views["half_b"],
        count=views.get("count"),
    )


def persona_difference(a: list[str], b: list[str], a_name: str, b_name: str) -> str:
    """The first way two persona lists differ (rows are matched by position): names only
    in one of them, else the first row that differs, else their lengths."""
    only_a = [x for x in a if x not in b][:3]
    only_b = [x for x in b if x not in a][:3]
    if only_a or only_b:
        return f"only in {a_name}: {only_a}; only in {b_name}: {only_b}"
    row = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), None)
    if row is None:
        return f"{len(a)} personas in {a_name}, {len(b)} in {b_name}"
    return (
        f"same personas in a different row order: row {row} is {a[row]!r} in {a_name}, "
        f"{b[row]!r} in {b_name}"
    )


class CentroidStore:
    """Every recipe of one extraction, checked for agreement, with a DuckDB query surface."""

    def __init__(self, out_dir: str | Path, recipes: list[str] | None = None) -> None:
        self.out_dir = Path(out_dir)
        folder = self.out_dir / "centroids"
        if not folder.is_dir():
            raise InputFileError(
                f"{folder}: no centroids folder",
                hint="point analysis.centroids at an `atlas extract` output folder",
            )
        refuse_unfinished(self.out_dir)
        wanted = recipes or [r for r in RECIPES if (folder / f"{RECIPES[r]}.safetensors").exists()]
        if not wanted:
            raise InputFileError(f"{folder}: no <recipe>.safetensors files")
        self.recipes: dict[str, RecipeCentroids] = {}
        for name in wanted:
            path = folder / f"{RECIPES[name]}.safetensors"
            if not path.exists():
                raise InputFileError(f"{path}: centroids for recipe {name} not found")
            rc = open_recipe(path)
            if rc.recipe != name:
                raise InputFileError(
                    f"{path}: metadata says recipe {rc.recipe}, file name says {name}"
                )
            self.recipes[name] = rc
        self._check_agreement()
        verify_outputs(self.out_dir, self.data_files())
        first = next(iter(self.recipes.values()))
        self.personas, self.layers = first.personas, first.layers
        self.con = self._tables()

    def _check_agreement(self) -> None:
        items = list(self.recipes.values())
        ref = items[0]
        for rc in items[1:]:
            if rc.personas != ref.personas:
                detail = persona_difference(ref.personas, rc.personas, ref.recipe, rc.recipe)
                raise InputFileError(
                    f"{rc.path}: recipe {rc.recipe} has other personas than recipe {ref.recipe} "
                    f"({detail})",
                    hint="analyse centroids from one extraction run (merge shards first)",
                )
            if rc.layers != ref.layers:
                raise InputFileError(
                    f"{rc.path}: recipe {rc.recipe} has layers {rc.layers}, "
                    f"recipe {ref.recipe} has {ref.layers}"
                )
            if rc.hidden != ref.hidden:
                raise InputFileError(
                    f"{rc.path}: recipe {rc.recipe} has hidden size {rc.hidden}, "
                    f"recipe {ref.recipe} has {ref.hidden}"
                )

    def _tables(self) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect()
        con.execute("CREATE TABLE personas (persona_idx INTEGER, persona VARCHAR)")
        con.executemany("INSERT INTO personas VALUES (?, ?)", list(enumerate(self.personas)))
        con.execute("CREATE TABLE layers (layer_idx INTEGER, layer INTEGER)")
        con.executemany("INSERT INTO layers VALUES (?, ?)", list(enumerate(self.layers)))
        con.execute(
            "CREATE TABLE recipes (recipe VARCHAR, stem VARCHAR, path VARCHAR, model VARCHAR, "
            "n_personas INTEGER, n_layers INTEGER, hidden INTEGER, bytes BIGINT)"
        )
        con.executemany(
            "INSERT INTO recipes VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (r.recipe, RECIPES[r.recipe], str(r.path), r.model, len(r.personas),
                 len(r.layers), r.hidden, r.path.stat().st_size)
                for r in self.recipes.values()
            ],
        )  # fmt: skip
        con.execute(
            "CREATE TABLE runs (path VARCHAR, model VARCHAR, started VARCHAR, n_questions INTEGER)"
        )
        run = run_file(self.out_dir)
        if run.exists():
            info = load_run(run)
            con.execute(
                "INSERT INTO runs VALUES (?, ?, ?, ?)",
                [str(run), info.model.id, info.started, info.questions.count],
            )
        return con

    def query(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        """Run SQL over the ``personas``, ``recipes``, ``layers`` and ``runs`` tables."""
        return self.con.execute(sql, params or []).fetchall()

    @property
    def n_questions(self) -> int | None:
        rows = self.query("SELECT max(n_questions) FROM runs")
        return rows[0][0] if rows else None

    def input_files(self) -> list[Path]:
        files = [rc.path for rc in self.recipes.values()]
        run = run_file(self.out_dir)
        return [*files, run] if run.exists() else files

    def data_files(self) -> list[Path]:
        """The tensor files analysis may read: each recipe's centroids and, when present,
        its per-question arrays."""
        folder = self.out_dir / "per_question"
        per_question = [folder / rc.path.name for rc in self.recipes.values()]
        return [rc.path for rc in self.recipes.values()] + [p for p in per_question if p.exists()]

    def layer(self, recipe: str, tensor: str, layer_idx: int) -> np.ndarray:
        """Zero-copy [P, H] view of one recipe's tensor at axis position ``layer_idx``."""
        arr: np.ndarray = getattr(self.recipes[recipe], tensor)
        return arr[:, layer_idx, :]

"""Per-persona parts (atomic, hashed, resumable) and the merged centroid files.

A persona's results are written as ``parts/<index>.safetensors`` followed by a sidecar
``<index>.safetensors.sha256``; a part counts as done only when the sidecar exists, its hash
matches the bytes, and its settings fingerprint matches the run. Anything else (a truncated
file, a kill between the two writes, a changed config) is recomputed, never used. Merging
stacks the parts into ``centroids/<stem>.safetensors`` in the layout of docs/data-contracts.md.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from persona_atlas.config import PREFIX_ONLY_RECIPES, RECIPES
from persona_atlas.errors import InputFileError
from persona_atlas.files import atomic_write_bytes, atomic_write_text, sha256_bytes, sha256_file

PART_FORMAT = "persona-atlas/part"
CENTROID_FORMAT = "persona-atlas/centroids"
PER_QUESTION_FORMAT = "persona-atlas/per-question"


@dataclass
class PersonaResult:
    """One persona's pooled vectors: recipe → ``[S, L, H]`` fp32 (S = questions, or 1)."""

    name: str
    index: int
    vectors: dict[str, np.ndarray]
    valid: dict[str, np.ndarray]  # recipe → [S] bool
    responses: list[dict[str, Any]] = field(default_factory=list)
    next_token: np.ndarray | None = None  # [Q, V] fp32 log-probabilities at recipe A


def centroid_stats(vectors: np.ndarray, valid: np.ndarray, recipe: str, n_questions: int) -> dict:
    """Centroid, split halves (first ``Q // 2`` questions vs the rest) and count, in fp32."""
    if recipe in PREFIX_ONLY_RECIPES:  # question-independent: the halves are the centroid
        v = vectors[0].astype(np.float32)
        return {"centroid": v, "half_a": v, "half_b": v, "count": n_questions}
    split = n_questions // 2

    def mean(lo: int, hi: int) -> np.ndarray:
        rows = vectors[lo:hi][valid[lo:hi]]  # [n, L, H]
        if len(rows) == 0:
            return np.zeros(vectors.shape[1:], np.float32)
        return rows.mean(0, dtype=np.float32)

    return {
        "centroid": mean(0, n_questions),
        "half_a": mean(0, split),
        "half_b": mean(split, n_questions),
        "count": int(valid.sum()),
    }


def part_path(parts: Path, index: int) -> Path:
    return parts / f"{index:05d}.safetensors"


_DTYPES = {"float32": "F32", "float16": "F16", "int64": "I64", "uint8": "U8"}


def serialize(tensors: dict[str, np.ndarray], meta: dict[str, str]) -> bytes:
    """Safetensors bytes with a deterministic header (sorted names and metadata).

    The reference serialiser orders metadata by a hash map, so identical data could hash
    differently run to run; sorted order keeps a file's sha256 a function of its content.
    """
    header: dict[str, Any] = {"__metadata__": dict(sorted(meta.items()))}
    chunks, offset = [], 0
    for name in sorted(tensors):
        arr = np.ascontiguousarray(tensors[name])
        data = arr.astype(arr.dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {
            "dtype": _DTYPES[arr.dtype.name],
            "shape": list(arr.shape),
            "data_offsets": [offset, offset + len(data)],
        }
        chunks.append(data)
        offset += len(data)
    head = json.dumps(header, separators=(",", ":")).encode()
    head += b" " * (-len(head) % 8)  # the format aligns the data section to 8 bytes
    return len(head).to_bytes(8, "little") + head + b"".join(chunks)


def write_part(
    parts: Path, result: PersonaResult, fingerprint: str, n_questions: int, per_question: bool
) -> Path:
    """Write one persona atomically, then its hash sidecar (the commit point)."""
    tensors: dict[str, np.ndarray] = {}
    for recipe, vecs in result.vectors.items():
        stem = RECIPES[recipe]
        stats = centroid_stats(vecs, result.valid[recipe], recipe, n_questions)
        for key in ("centroid", "half_a", "half_b"):
            tensors[f"{stem}.{key}"] = np.ascontiguousarray(stats[key], np.float32)  # [L, H]
        tensors[f"{stem}.count"] = np.array([stats["count"]], np.int64)
        if per_question and recipe not in PREFIX_ONLY_RECIPES:
            tensors[f"{stem}.vectors"] = vecs.astype(np.float16)  # [Q, L, H]
            tensors[f"{stem}.valid"] = result.valid[recipe].astype(np.uint8)  # [Q]
    if result.next_token is not None:
        tensors["next_token.logprobs"] = np.ascontiguousarray(result.next_token, np.float32)
    meta = {
        "format": PART_FORMAT,
        "persona": result.name,
        "index": str(result.index),
        "fingerprint": fingerprint,
        "responses": json.dumps(result.responses),
    }
    data = serialize(tensors, meta)
    path = part_path(parts, result.index)
    atomic_write_bytes(path, data)
    atomic_write_text(path.with_name(path.name + ".sha256"), sha256_bytes(data) + "\n")
    return path


@dataclass
class Part:
    """A verified part, loaded."""

    path: Path
    persona: str
    tensors: dict[str, np.ndarray]
    responses: list[dict[str, Any]]


def read_part(path: Path, fingerprint: str) -> tuple[Part | None, str]:
    """The part at ``path`` if complete and made with these settings, else (None, why)."""
    from safetensors import safe_open

    sidecar = path.with_name(path.name + ".sha256")
    if not path.exists():
        return None, "missing"
    if not sidecar.exists():
        return None, "no hash sidecar (interrupted while writing)"
    if sha256_file(path) != sidecar.read_text().strip():
        return None, "hash mismatch (truncated or corrupt file)"
    with safe_open(str(path), framework="numpy") as fh:
        meta = fh.metadata() or {}
        if meta.get("format") != PART_FORMAT or meta.get("fingerprint") != fingerprint:
            return None, "made with different settings"
        tensors = {k: fh.get_tensor(k) for k in fh.keys()}  # noqa: SIM118 - not a dict
    return Part(path, meta["persona"], tensors, json.loads(meta["responses"])), "ok"


def find_parts(folders: Sequence[Path], n_personas: int) -> dict[int, list[Path]]:
    """Part files by persona index across folders; raises on parts for unknown indices."""
    found: dict[int, list[Path]] = {}
    for folder in folders:
        for path in sorted(folder.glob("*.safetensors")):
            try:
                index = int(path.stem)
            except ValueError:
                continue
            if index >= n_personas:
                raise InputFileError(
                    f"{path}: part for persona #{index}, but the personas file has {n_personas}",
                    hint="these parts belong to another personas file; remove them",
                )
            found.setdefault(index, []).append(path)
    return found


def write_tensors(path: Path, tensors: dict[str, np.ndarray], meta: dict[str, str]) -> None:
    atomic_write_bytes(path, serialize(tensors, meta))


def write_outputs(
    out_dir: Path,
    parts: Sequence[Part],
    *,
    recipes: Sequence[str],
    layers: Sequence[int],
    model_id: str,
    question_ids: Sequence[str],
    per_question: bool,
) -> list[Path]:
    """Stack verified parts (persona order) into centroid / per-question / responses files."""
    names = [p.persona for p in parts]
    base = {"model": model_id, "personas": json.dumps(names), "layers": json.dumps(list(layers))}
    written: list[Path] = []
    for recipe in recipes:
        stem = RECIPES[recipe]
        # C1-C3 are question-independent: their split halves equal the centroid, so they are
        # not stored (readers take the centroid); this keeps committed centroid files small.
        keys = ("centroid",) if recipe in PREFIX_ONLY_RECIPES else ("centroid", "half_a", "half_b")
        tensors = {
            key: np.stack([p.tensors[f"{stem}.{key}"] for p in parts])  # [P, L, H]
            for key in keys
        }
        tensors["count"] = np.concatenate([p.tensors[f"{stem}.count"] for p in parts])  # [P]
        meta = {"format": CENTROID_FORMAT, "version": "1", "recipe": recipe, **base}
        path = out_dir / "centroids" / f"{stem}.safetensors"
        write_tensors(path, tensors, meta)
        written.append(path)
        if per_question and recipe not in PREFIX_ONLY_RECIPES:
            pq = {
                "vectors": np.stack([p.tensors[f"{stem}.vectors"] for p in parts]),  # [P,Q,L,H]
                "valid": np.stack([p.tensors[f"{stem}.valid"] for p in parts]),  # [P, Q]
            }
            meta = {
                "format": PER_QUESTION_FORMAT,
                "version": "1",
                "recipe": recipe,
                "questions": json.dumps(list(question_ids)),
                **base,
            }
            path = out_dir / "per_question" / f"{stem}.safetensors"
            write_tensors(path, pq, meta)
            written.append(path)
    if any(p.responses for p in parts):
        lines = [json.dumps(r, ensure_ascii=False) for p in parts for r in p.responses]
        path = out_dir / "responses.jsonl"
        atomic_write_text(path, "\n".join(lines) + "\n")
        written.append(path)
    return written


def load_centroids(path: Path) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Tensors and metadata of a centroid file (for tests and the smoke gate)."""
    from safetensors import safe_open

    with safe_open(str(path), framework="numpy") as fh:
        return {k: fh.get_tensor(k) for k in fh.keys()}, dict(fh.metadata() or {})  # noqa: SIM118

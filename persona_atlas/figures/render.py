"""Spec → files: canonical Vega-Lite JSON, SVG and PNG (vl-convert, no browser), meta.json.

Files per figure under ``results/<slug>/figures/``: ``<name>.vl.json``, ``.svg``, ``.png`` and
``.meta.json`` = ``{spec_sha256, data_sha256, result_sha256, commit, chart, caption}``.
Re-running with nothing changed rewrites nothing: when the spec and the result hash match the
meta, rendering is skipped; a file is replaced (atomically) only when its bytes differ.
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import altair as alt

from persona_atlas.errors import InputFileError
from persona_atlas.figures import theme
from persona_atlas.figures.datasets import datasets_for
from persona_atlas.files import atomic_write_bytes, loads_json, sha256_bytes, sha256_file

SUFFIXES = (".vl.json", ".svg", ".png")
PNG_SCALE = 1.5


def vl_version() -> str:
    """The Vega-Lite ``major.minor`` altair writes specs for (and vl-convert renders with)."""
    major, minor = alt.SCHEMA_VERSION.lstrip("v").split(".")[:2]
    return f"{major}.{minor}"


def to_spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """Themed, schema-validated Vega-Lite spec with its data inlined under ``datasets``."""
    spec = chart.configure(**theme.config()).to_dict(validate=True)
    names = sorted(set(_data_names(spec)))
    if names:
        spec["datasets"] = {**spec.get("datasets", {}), **datasets_for(names)}
    return spec


def _data_names(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = []
        data = node.get("data")
        if isinstance(data, dict) and isinstance(data.get("name"), str):
            found.append(data["name"])
        for value in node.values():
            found += _data_names(value)
        return found
    if isinstance(node, list):
        return [n for item in node for n in _data_names(item)]
    return []


def canonical(spec: dict[str, Any]) -> bytes:
    """Byte-stable JSON: sorted keys, no whitespace, UTF-8, trailing newline."""
    text = json.dumps(spec, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return (text + "\n").encode("utf-8")


def inline_data(spec: dict[str, Any]) -> list[Any]:
    """Every dataset a spec carries (``datasets`` entries and inline ``values``), in a
    stable order."""
    found: list[Any] = []
    _inline_data(spec, found)
    return found


def _inline_data(node: Any, found: list[Any]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "datasets" and isinstance(value, dict):
                found.extend(value[k] for k in sorted(value))
            elif key == "values" and isinstance(value, list):
                found.append(value)
            else:
                _inline_data(value, found)
    elif isinstance(node, list):
        for item in node:
            _inline_data(item, found)


def data_hash(spec: dict[str, Any]) -> str:
    """sha256 over the data a spec draws (its ``datasets`` and inline ``values``), ignoring
    styling: two specs that plot the same numbers hash the same."""
    found = inline_data(spec)
    return sha256_bytes(json.dumps(found, sort_keys=True, separators=(",", ":")).encode())


# Element ids Vega numbers from a per-process counter (gradient_7, clip3): renumbered per file
# so an SVG does not change with what else the process rendered before it.
_COUNTED_ID = re.compile(r'(?<=["#])(?P<stem>gradient_|clip|pattern_)(?P<n>\d+)(?=[")])')


def stable_ids(svg: str) -> str:
    """Renumber counter-based ids in order of first appearance."""
    mapping: dict[str, str] = {}

    def renumber(m: re.Match[str]) -> str:
        old = m.group(0)
        if old not in mapping:
            stem = m["stem"]
            mapping[old] = f"{stem}{sum(1 for k in mapping if k.startswith(stem))}"
        return mapping[old]

    return _COUNTED_ID.sub(renumber, svg)


def render_svg(spec: dict[str, Any]) -> bytes:
    import vl_convert

    return stable_ids(vl_convert.vegalite_to_svg(spec, vl_version=vl_version())).encode("utf-8")


def render_png(spec: dict[str, Any]) -> bytes:
    import vl_convert

    png = bytes(vl_convert.vegalite_to_png(spec, vl_version=vl_version(), scale=PNG_SCALE))
    return recompress_png(png)


def recompress_png(png: bytes) -> bytes:
    """Same pixels, re-deflated: vl-convert writes its PNGs with fast, light compression
    (about 4× larger than zlib level 6 for our charts), and these files are committed."""
    pos, chunks = 8, []
    while pos < len(png):
        (size,) = struct.unpack(">I", png[pos : pos + 4])
        chunks.append((png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + size]))
        pos += 12 + size
    pixels = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    out, idat_done = [png[:8]], False
    for kind, body in chunks:
        if kind == b"IDAT":
            if idat_done:
                continue
            idat_done, body = True, zlib.compress(pixels, 6)
        crc = struct.pack(">I", zlib.crc32(kind + body))
        out.append(struct.pack(">I", len(body)) + kind + body + crc)
    return b"".join(out)


@dataclass(frozen=True)
class Meta:
    """The ``.meta.json`` sidecar (field names are the contract)."""

    spec_sha256: str
    data_sha256: str
    result_sha256: str
    commit: str | None
    chart: str
    caption: str

    def to_bytes(self) -> bytes:
        return (json.dumps(self.__dict__, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def read_meta(path: Path) -> Meta | None:
    """The sidecar, or None when absent; a malformed one raises naming the file."""
    if not path.exists():
        return None
    data = loads_json(path.read_text(encoding="utf-8"), source=str(path))
    try:
        return Meta(**data)
    except TypeError:
        raise InputFileError(
            f"{path}: not a figure meta.json (expected keys "
            "spec_sha256, data_sha256, result_sha256, commit, chart, caption)",
            hint="delete it and re-run `atlas figures`",
        ) from None


def paths(out_dir: Path, name: str) -> dict[str, Path]:
    files = {s: out_dir / f"{name}{s}" for s in SUFFIXES}
    files[".meta.json"] = out_dir / f"{name}.meta.json"
    return files


def _write_if_changed(path: Path, data: bytes) -> bool:
    if path.exists() and path.read_bytes() == data:
        return False
    atomic_write_bytes(path, data)
    path.chmod(0o644)  # temp files are created 0600; figures are published files
    return True


def write_figure(
    out_dir: Path,
    name: str,
    spec: dict[str, Any],
    *,
    chart: str,
    caption: str,
    result_sha256: str,
    commit: str | None,
) -> list[Path]:
    """Write one figure's four files; returns the paths actually (re)written."""
    files = paths(out_dir, name)
    spec_bytes = canonical(spec)
    old = read_meta(files[".meta.json"])
    complete = all(files[s].exists() for s in SUFFIXES)
    spec_sha = sha256_bytes(spec_bytes)
    if old and complete and old.spec_sha256 == spec_sha and files[".vl.json"].exists():
        if old.result_sha256 == result_sha256 and old.caption == caption:
            return []
        # Same picture, new result bytes or caption: refresh the sidecar only.
        meta = Meta(spec_sha, old.data_sha256, result_sha256, commit, chart, caption)
        return (
            [files[".meta.json"]] if _write_if_changed(files[".meta.json"], meta.to_bytes()) else []
        )
    written = []
    outputs = {".vl.json": spec_bytes, ".svg": render_svg(spec), ".png": render_png(spec)}
    for suffix, data in outputs.items():
        if _write_if_changed(files[suffix], data):
            written.append(files[suffix])
    meta = Meta(spec_sha, data_hash(spec), result_sha256, commit, chart, caption)
    if _write_if_changed(files[".meta.json"], meta.to_bytes()):
        written.append(files[".meta.json"])
    return written


def spec_sha256_of(path: Path) -> str:
    return sha256_file(path)

"""A truncated or corrupt centroid file is a one-line error naming the file and what to do,
never a raw mmap/safetensors exception, and nothing in it is ever unpickled."""

from __future__ import annotations

import json
import pickle
import struct
from pathlib import Path

import pytest

from persona_atlas.analysis.centroid_store import CentroidStore, map_tensors
from persona_atlas.analysis.synthetic import write_synthetic_extraction
from persona_atlas.errors import InputFileError


@pytest.fixture
def extraction(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    def refuse(*_a, **_k):
        raise AssertionError("unpickling")

    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "load", refuse)
    write_synthetic_extraction(tmp_path, recipes=["A", "B"], n_personas=4, layers=[0, 1], hidden=8)
    return tmp_path


def damage(path: Path, data: bytes) -> None:
    path.write_bytes(data)


def header_of(path: Path) -> tuple[int, dict]:
    raw = path.read_bytes()
    (size,) = struct.unpack("<Q", raw[:8])
    return size, json.loads(raw[8 : 8 + size])


def cases(path: Path) -> dict[str, bytes]:
    raw = path.read_bytes()
    size, header = header_of(path)
    bad_entry = dict(header, centroid={"dtype": "F32", "shape": "x", "data_offsets": [0, 4]})
    bad_head = json.dumps(bad_entry).encode()
    return {
        "data cut short": raw[: len(raw) - 100],
        "data missing": raw[: 8 + size],
        "header cut short": raw[: 8 + size // 2],
        "length only": raw[:8],
        "empty": b"",
        "header not an object": struct.pack("<Q", 2) + b"[]",
        "malformed entry": struct.pack("<Q", len(bad_head)) + bad_head + raw[8 + size :],
    }


@pytest.mark.parametrize(
    "case",
    [
        "data cut short",
        "data missing",
        "header cut short",
        "length only",
        "empty",
        "header not an object",
        "malformed entry",
    ],
)
def test_a_damaged_centroid_file_names_itself_and_what_to_do(extraction: Path, case: str) -> None:
    victim = extraction / "centroids" / "B.safetensors"
    damage(victim, cases(victim)[case])
    with pytest.raises(InputFileError) as err:
        CentroidStore(extraction)
    message = str(err.value)
    assert str(victim) in message and "truncated or corrupt" in message
    assert "re-run `atlas extract`" in message
    assert "mmap" not in message and "Traceback" not in message


def test_a_damaged_file_through_the_cli_is_one_clear_error(
    extraction: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    from persona_atlas.cli import main

    victim = extraction / "centroids" / "A.safetensors"
    damage(victim, victim.read_bytes()[:-64])
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "exp.yaml"
    config.write_text(
        "issue: 4242\ntitle: t\nanalysis:\n  name: recipe-comparison\n"
        f"  centroids: {extraction}\n  mantel_permutations: 9\n"
    )
    assert main(["analyze", str(config)]) != 0
    err = capsys.readouterr().err
    assert "A.safetensors: truncated or corrupt safetensors file" in err
    assert "Traceback" not in err and "mmap" not in err


def test_an_intact_file_still_maps(extraction: Path) -> None:
    views, meta = map_tensors(extraction / "centroids" / "A.safetensors")
    assert views["centroid"].shape == (4, 2, 8) and meta["recipe"] == "A"

"""Atomic writes: complete or absent, with ordinary permissions."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from persona_atlas.errors import InputFileError
from persona_atlas.files import atomic_open, loads_json, plain_files, read_json, write_json


def test_failed_write_leaves_nothing_and_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    write_json(target, {"a": 1})
    with pytest.raises(RuntimeError), atomic_open(target) as fh:
        fh.write('{"a": 2')
        raise RuntimeError("interrupted")
    assert read_json(target) == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_written_files_are_readable_by_others(tmp_path: Path) -> None:
    write_json(tmp_path / "r.json", {"a": 1})
    mode = stat.S_IMODE((tmp_path / "r.json").stat().st_mode)
    assert mode & stat.S_IROTH, oct(mode)


def test_nan_is_refused_on_write(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\$\.x\[1\]"):
        write_json(tmp_path / "r.json", {"x": [1.0, float("nan")]})
    assert not (tmp_path / "r.json").exists()


def test_nan_position_skips_nan_inside_strings() -> None:
    # imported results carry notes such as "a bare NaN read as null": the error must point
    # at the bare constant, not at the word inside a string
    text = '{"note": "a bare NaN read as null",\n "s": "quote \\" NaN",\n "x": -Infinity}'
    with pytest.raises(InputFileError, match=r"<string>:3:7: non-finite number -Infinity"):
        loads_json(text)


def test_non_utf8_json_names_line_and_column(tmp_path: Path) -> None:
    p = tmp_path / "result.json"
    p.write_bytes(b'{\n  "title": "caf\xe9"\n}\n')
    with pytest.raises(InputFileError, match=r"result.json:2:16: not UTF-8 text \(byte 17: 0xe9\)"):
        read_json(p)


def test_read_json_of_a_folder_says_so(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"is a folder, not a JSON file"):
        read_json(tmp_path)


def test_plain_files_lists_nested_files_and_names_a_link(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "x.txt").write_text("x")
    (tmp_path / "y.txt").write_text("y")
    assert plain_files(tmp_path) == [tmp_path / "a" / "b" / "x.txt", tmp_path / "y.txt"]
    (tmp_path / "a" / "up").symlink_to(tmp_path)  # a loop: never followed
    with pytest.raises(InputFileError, match=r"a/up: is a symbolic link"):
        plain_files(tmp_path)
    with pytest.raises(InputFileError, match=r"a/up: is a symbolic link"):
        plain_files(tmp_path / "a" / "up")

"""File primitives every stage shares: atomic writes, strict JSON, content hashes.

A file written here is either complete or absent — never half-written and looking complete.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

from persona_atlas.errors import InputFileError

_CHUNK = 1 << 20
_UMASK = os.umask(0)
os.umask(_UMASK)


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Hex sha256 of a file's bytes, streamed."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def plain_files(folder: str | os.PathLike[str]) -> list[Path]:
    """Every regular file under ``folder``, sorted, found without following any link.

    Result folders come from pull requests: a symbolic link (to ``/etc/passwd``, to a huge
    directory, to ``.git/config``) would publish or hash what it points at, and a FIFO would
    block a reader forever. Any link or special file, the folder itself included, is an
    ``InputFileError`` naming it; nothing behind a link is ever opened or listed.
    """
    top = Path(folder)
    _require_plain(top, os.lstat(top), want_dir=True)
    found: list[Path] = []
    pending = [top]
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                path = Path(entry.path)
                st = entry.stat(follow_symlinks=False)
                if stat.S_ISDIR(st.st_mode):
                    pending.append(path)
                else:
                    _require_plain(path, st, want_dir=False)
                    found.append(path)
    return sorted(found)


def _require_plain(path: Path, st: os.stat_result, *, want_dir: bool) -> None:
    if stat.S_ISLNK(st.st_mode):
        raise InputFileError(
            f"{path}: is a symbolic link; result folders hold plain files only "
            "(a link could publish or hash a file from outside the repository)",
            hint="replace the link with a copy of the file, or remove it",
        )
    ok = stat.S_ISDIR(st.st_mode) if want_dir else stat.S_ISREG(st.st_mode)
    if not ok:
        kind = "a folder" if want_dir else "a regular file"
        raise InputFileError(f"{path}: is not {kind}", hint="result folders hold plain files only")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@contextmanager
def atomic_open(path: str | os.PathLike[str], mode: str = "w") -> Iterator[IO[Any]]:
    """Open a temporary sibling of ``path``; on success fsync and rename it into place.

    On any exception the temporary file is removed and ``path`` is left untouched.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp creates 0600; published files are world-readable
    try:
        encoding = None if "b" in mode else "utf-8"
        with os.fdopen(fd, mode, encoding=encoding) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    with atomic_open(path, "w") as fh:
        fh.write(text)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    with atomic_open(path, "wb") as fh:
        fh.write(data)


def find_non_finite(obj: Any, path: str = "$") -> str | None:
    """Return the JSON path of the first NaN/Infinity in ``obj``, or None."""
    if isinstance(obj, float):
        return None if math.isfinite(obj) else path
    if isinstance(obj, dict):
        for k, v in obj.items():
            if (hit := find_non_finite(v, f"{path}.{k}")) is not None:
                return hit
    elif isinstance(obj, list | tuple):
        for i, v in enumerate(obj):
            if (hit := find_non_finite(v, f"{path}[{i}]")) is not None:
                return hit
    return None


def dumps_strict(obj: Any, *, indent: int | None = 2) -> str:
    """Serialise to strict JSON. NaN/Infinity raise, naming where they are."""
    if (where := find_non_finite(obj)) is not None:
        raise ValueError(
            f"refusing to write non-finite number at {where}: strict JSON has no NaN/Infinity; "
            "write null and record why"
        )
    return json.dumps(obj, indent=indent, ensure_ascii=False, allow_nan=False) + "\n"


def write_json(path: str | os.PathLike[str], obj: Any) -> None:
    """Atomically write strict JSON."""
    atomic_write_text(path, dumps_strict(obj))


def _reject_constant(token: str) -> Any:
    raise ValueError(f"non-finite number {token} is not allowed in strict JSON")


def read_json(path: str | os.PathLike[str]) -> Any:
    """Read strict JSON; a syntax error or NaN/Infinity names the file, line and column."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise InputFileError(f"{p}: file not found") from None
    except IsADirectoryError:
        raise InputFileError(f"{p}: is a folder, not a JSON file") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputFileError(
            f"{p}:{line}:{col}: not UTF-8 text (byte {exc.start}: {data[exc.start]:#04x})",
            hint="re-save the file as UTF-8",
        ) from None
    del data  # not both copies alive while parsing: peak memory of a large result
    return loads_json(text, source=str(p))


def loads_json(text: str, *, source: str = "<string>") -> Any:
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise InputFileError(
            f"{source}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}",
            hint="fix the syntax; result.json is written by `atlas analyze`, never by hand",
        ) from None
    except ValueError as exc:
        # parse_constant fired; find the line for the user
        line, col = _locate_constant(text)
        raise InputFileError(
            f"{source}:{line}:{col}: {exc}",
            hint="strict JSON: write null for a missing value and say why in the analysis",
        ) from None


def _locate_constant(text: str) -> tuple[int, int]:
    """Line and column of the first bare NaN/Infinity outside a string literal."""
    # strings are matched whole so a "NaN" inside a note or reason is skipped
    for m in re.finditer(r'"(?:[^"\\]|\\.)*"|(-?Infinity|NaN)', text):
        if m.group(1):
            line = text.count("\n", 0, m.start()) + 1
            col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
            return line, col
    return 1, 1


def outside_repository(rel: str, root: Path) -> str | None:
    """Why the repository path ``rel`` must not be read, or None.

    result.json and run.json come with pull requests: a path up and out of the repository,
    or through a committed link, would hash a file from elsewhere (a key, a huge file).
    """
    here = root
    for part in Path(rel).parts:
        here = here / part
        if here.is_symlink():
            return (
                f"path goes through the symbolic link {here.relative_to(root).as_posix()}; "
                "inputs are read as plain files only"
            )
    if not (root / rel).resolve().is_relative_to(root.resolve()):
        return "path leaves the repository; inputs are read from inside it only"
    return None

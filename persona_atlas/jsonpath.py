"""One path syntax for addressing values inside result.json / run.json.

``metrics.ranges.cos_min.max``, ``tables.cells.rows[3][5]``, ``provenance.inputs[0].sha256``.
Keys are dot-separated; list elements use ``[i]``. A key that is not a plain identifier is
quoted: ``metrics["layer 20"]``. Used by the site builder (bound numbers), the linter
(flattening and candidate search) and the staleness check, so all three agree.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_\-*]*")
_TOKEN = re.compile(
    r"""
    (?P<dot>\.)?(?P<key>[A-Za-z_][A-Za-z0-9_\-*]*)   # .key or leading key
  | \[(?P<index>-?\d+)\]                            # [3]
  | \[(?P<quoted>"(?:[^"\\]|\\.)*")\]               # ["odd key"]
    """,
    re.VERBOSE,
)

Step = str | int


class PathError(KeyError):
    """A path that does not parse or does not resolve. ``str()`` says where it stopped."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "bad path"


def parse(path: str) -> list[Step]:
    """Split a path into keys (str) and indices (int)."""
    steps: list[Step] = []
    pos = 0
    while pos < len(path):
        m = _TOKEN.match(path, pos)
        if not m or (m.group("dot") is None and m.group("key") and pos != 0):
            raise PathError(f"cannot parse path {path!r} at column {pos + 1}")
        if m.group("key") is not None:
            steps.append(m.group("key"))
        elif m.group("index") is not None:
            steps.append(int(m.group("index")))
        else:
            steps.append(json.loads(m.group("quoted")))
        pos = m.end()
    if not steps:
        raise PathError("empty path")
    return steps


def format_path(steps: list[Step]) -> str:
    out = []
    for i, s in enumerate(steps):
        if isinstance(s, int):
            out.append(f"[{s}]")
        elif _IDENT.fullmatch(s):
            out.append(s if i == 0 else f".{s}")
        else:
            out.append(f"[{json.dumps(s)}]")
    return "".join(out)


def resolve(obj: Any, path: str) -> Any:
    """Value at ``path``; ``PathError`` names the deepest prefix that exists."""
    cur = obj
    done: list[Step] = []
    for step in parse(path):
        where = format_path(done) or "the document root"
        if isinstance(step, int):
            if not isinstance(cur, list):
                raise PathError(f"{path}: {where} is not a list")
            if not -len(cur) <= step < len(cur):
                raise PathError(f"{path}: index {step} out of range ({where} has {len(cur)})")
        elif not isinstance(cur, dict):
            raise PathError(f"{path}: {where} is not an object")
        elif step not in cur:
            keys = ", ".join(sorted(map(str, cur))[:12])
            raise PathError(f"{path}: no key {step!r} under {where} (has: {keys})")
        cur = cur[step]
        done.append(step)
    return cur


def flatten(obj: Any, prefix: list[Step] | None = None) -> Iterator[tuple[str, Any]]:
    """Yield (path, leaf) for every scalar leaf, list elements and table cells included."""
    steps = prefix or []
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from flatten(v, [*steps, str(k)])
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from flatten(v, [*steps, i])
    else:
        yield format_path(steps), obj

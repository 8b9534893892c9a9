"""Swap a finished build into the output folder, and clear what killed builds left behind.

A build writes ``<out>.partial-<pid>/``; only when it is complete does the old output move to
``<out>.old-<pid>/`` and the new one take its place. A build killed midway leaves those
folders (each a full copy of the site) behind, so every build first removes the ones whose
process is gone; a folder of a build still running is left alone.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
from pathlib import Path

_LEFTOVER = re.compile(r"\.(?:partial|old)-(\d+)$")


def partial_dir(out: Path) -> Path:
    return out.with_name(f"{out.name}.partial-{os.getpid()}")


def remove_dead_leftovers(out: Path) -> list[Path]:
    """Remove ``<out>.partial-<pid>`` / ``<out>.old-<pid>`` of processes no longer running."""
    removed: list[Path] = []
    for name in glob.glob(f"{glob.escape(out.name)}.*-*", root_dir=out.parent):
        m = _LEFTOVER.search(name[len(out.name) :])
        path = out.parent / name
        if m is None or _running(int(m.group(1))) or path.is_symlink() or not path.is_dir():
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return False  # our own leftover from an earlier build in this process
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    except OverflowError:
        return False
    return True


def swap_into_place(tmp: Path, out: Path) -> None:
    """Replace ``out`` by the complete build in ``tmp`` (two renames; no copy)."""
    old = out.with_name(f"{out.name}.old-{os.getpid()}")
    shutil.rmtree(old, ignore_errors=True)
    if out.exists():
        out.rename(old)
    tmp.rename(out)
    shutil.rmtree(old, ignore_errors=True)

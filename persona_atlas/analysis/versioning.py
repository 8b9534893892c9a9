"""Analysis code version: recorded in every result's provenance, compared by ``atlas check``.

The version is the package version plus a hash of the source of the analysis subpackage, so
any change to metric or statistics code marks every computed result stale until it is
re-analysed. Results converted by ``atlas import`` record the importer's version the same way.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from persona_atlas import __version__

_ANALYSIS_DIR = Path(__file__).resolve().parent


def source_hash(root: Path = _ANALYSIS_DIR) -> str:
    """sha256 (first 12 hex) over the analysis package's .py files, in path order."""
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(b"\0")
        h.update(path.read_bytes().replace(b"\r\n", b"\n"))
        h.update(b"\0")
    return h.hexdigest()[:12]


def code_version() -> str:
    """``<package version>+<analysis source hash>``, e.g. ``0.1.0+3f9a0c1d2e4b``."""
    return f"{__version__}+{source_hash()}"

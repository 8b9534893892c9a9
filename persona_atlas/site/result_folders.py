"""A result folder as the site builder reads it: untrusted, so nothing behind a link.

A pull request can commit symbolic links, special files and arbitrary files into
``results/<slug>/``. The results folder must be a plain folder inside the repository, every
result folder is walked without following links (``files.plain_files``), and only figure
files are copied into the site.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from persona_atlas.errors import InputFileError, ReportError
from persona_atlas.files import plain_files

#: What a result's figures/ folder may publish; anything else there is left out of the site.
FIGURE_SUFFIXES = (".vl.json", ".meta.json", ".svg", ".png")
ACTIVE_SVG = re.compile(rb"<script|<foreignobject|\bon[a-z]+\s*=|javascript:", re.IGNORECASE)


def results_folder(root: Path, results: Path) -> Path:
    """The results folder, which must exist inside the repository (a link out is refused)."""
    folder = root / results
    shown = shown_path(folder)
    if not folder.is_dir():
        raise InputFileError(
            f"no results folder at {shown} (looked in {folder.parent.resolve()})",
            hint="run `atlas build` from the repository root (the folder holding results/ "
            "and mkdocs.yml), or point --results at the folder of <slug>/report.md; "
            "nothing was built and the site was left as it was",
        )
    resolved = folder.resolve()
    if not resolved.is_relative_to(root):
        raise InputFileError(
            f"{shown}: resolves to {resolved}, outside the repository {root}",
            hint="results must live in the repository; copy them in instead of linking",
        )
    if folder.is_symlink():
        raise InputFileError(
            f"{shown}: is a symbolic link; the results folder must be a plain folder",
            hint="replace the link with the folder itself",
        )
    return resolved


def copy_figures(src: Path, dest: Path) -> None:
    """Publish figure files only (spec, SVG, PNG, caption), never other files put there.

    An SVG opened on its own runs its scripts on the site's origin, so one with active
    content (script, event handler, javascript: URL) stops the build.
    """
    dest.mkdir(parents=True, exist_ok=True)
    for f in plain_files(src):
        if f.parent != src or not f.name.endswith(FIGURE_SUFFIXES):
            continue
        if f.suffix == ".svg" and ACTIVE_SVG.search(f.read_bytes()):
            raise ReportError(
                f"{shown_path(f)}: SVG with active content (script, event handler or "
                "javascript: URL); it would run on the published site",
                hint="regenerate the figure with `atlas figures`",
            )
        shutil.copyfile(f, dest / f.name)


def shown_path(path: Path) -> Path:
    """Shorter paths in messages: relative to where the user ran atlas, when possible.
    Links are not resolved: the path stays the one that was found, link and all."""
    try:
        return Path(os.path.abspath(path)).relative_to(Path.cwd())
    except ValueError:
        return path

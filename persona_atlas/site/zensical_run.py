"""Zensical glue: build the generated MkDocs config with ``zensical build --strict``.

Zensical (Material for MkDocs' successor) reads ``mkdocs.yml``, but its 0.0.x releases insist
that ``docs_dir`` and ``site_dir`` lie inside the config file's folder and panic on absolute
paths. So the config is written into the staging folder's parent (``build/``) with relative
paths, the site is built into ``build/zensical-site`` and then moved to where the caller asked.
It runs in a child process: a panic in its Rust core becomes an error message, not a crash.

What it does not do like MkDocs is listed in docs/reports.md, "Building" (and pinned by
tests/site/test_engines.py).
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from persona_atlas.errors import ConfigError, ReportError

# Pinned (pyproject.toml's dev extra pins the same): the newest release our package index can
# install; 0.1.x depends on the separate zensical-ui package, which that index does not serve.
ZENSICAL_VERSION = "0.0.73"
SITE_FOLDER = "zensical-site"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_PAGE = re.compile(r"\[ (\S+\.md:\d+)")  # "[ issue-7/index.md:394:9 ]" in a warning


def check_installed() -> None:
    """Raise a one-line error unless the pinned Zensical is installed."""
    try:
        found = importlib.metadata.version("zensical")
    except importlib.metadata.PackageNotFoundError:
        found = None
    if found != ZENSICAL_VERSION:
        what = "is not installed" if found is None else f"is {found}"
        raise ConfigError(
            f"--engine zensical needs zensical {ZENSICAL_VERSION}; it {what}",
            hint=f"pip install 'zensical=={ZENSICAL_VERSION}' (make test installs it), "
            "or build with the default engine",
        )


def zensical_config(config: dict[str, Any], build_dir: Path) -> dict[str, Any]:
    """The MkDocs config rewritten for Zensical, relative to ``build_dir``."""
    docs = Path(config["docs_dir"]).resolve()
    base = build_dir.resolve()
    if not docs.is_relative_to(base):
        raise ConfigError(
            f"--engine zensical: the staging folder {docs} is not inside {base}",
            hint="keep the staging folder under build/ (the default)",
        )
    out = dict(config)
    # the classic look is Material's (palette, header, fonts); "modern" would restyle the site
    out["theme"] = {"variant": "classic", **(config.get("theme") or {})}
    out["docs_dir"] = docs.relative_to(base).as_posix()
    out["site_dir"] = SITE_FOLDER
    return out


def run_zensical(config: dict[str, Any], build_dir: Path) -> None:
    """Build ``config`` (MkDocs keys, absolute paths) with Zensical into ``config["site_dir"]``.

    Any Zensical warning aborts the build (``--strict``); its report is raised as one
    ``ReportError``.
    """
    check_installed()
    target = Path(config["site_dir"])
    base = build_dir.resolve()
    build_dir.mkdir(parents=True, exist_ok=True)
    config_path = build_dir / "zensical.generated.yml"
    config_path.write_text(
        yaml.safe_dump(zensical_config(config, build_dir), sort_keys=False), encoding="utf-8"
    )
    built = build_dir / SITE_FOLDER
    shutil.rmtree(built, ignore_errors=True)
    env = {**os.environ, "NO_COLOR": "1", "RUST_BACKTRACE": "0"}
    try:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "zensical",
                "build",
                "--strict",
                "--clean",
                "-f",
                "zensical.generated.yml",
            ],
            cwd=build_dir,
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
        )
    except subprocess.TimeoutExpired:
        raise ReportError("zensical build took over 10 minutes; nothing was published") from None
    if proc.returncode != 0:
        # Zensical names a page relative to docs_dir, with the rendered page's line numbers
        docs = Path(config["docs_dir"]).resolve()
        shown = docs.relative_to(base.parent) if docs.is_relative_to(base.parent) else docs
        report = _PAGE.sub(rf"[ {shown.as_posix()}/\1", _summary(proc.stdout + proc.stderr))
        raise ReportError(
            f"zensical build --strict failed:\n  {report}",
            hint="fix the warnings above (broken links, missing files); nothing was published",
        )
    shutil.rmtree(target, ignore_errors=True)
    shutil.move(str(built), str(target))


def _summary(output: str, keep: int = 40) -> str:
    """Zensical's report without colours, and of a Python traceback only its last line."""
    text = _ANSI.sub("", output).strip()
    report, _, trace = text.partition("Traceback (most recent call last)")
    lines = [ln.rstrip() for ln in report.splitlines() if ln.strip() not in ("", "Build started")]
    if trace.strip():
        lines.append(trace.strip().splitlines()[-1])  # "RuntimeError: Aborted because --strict"
    return "\n  ".join(lines[-keep:]) or "(no output)"

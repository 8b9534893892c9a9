"""The site builders ``atlas build --engine`` can run on the generated config.

``mkdocs`` (MkDocs + Material, the default and what `make site` publishes) and ``zensical``
(Material's successor, pinned in zensical_run.py). Both get the same config: the pages in
``build/docs``, the generated nav, our stylesheet and scripts, the theme overrides.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from persona_atlas.errors import ConfigError

ENGINES = ("mkdocs", "zensical")
DEFAULT_ENGINE = "mkdocs"


def check_engine(engine: str) -> str:
    if engine not in ENGINES:
        raise ConfigError(
            f"unknown site engine {engine!r}",
            hint=f"use one of: {', '.join(ENGINES)} (default {DEFAULT_ENGINE})",
        )
    return engine


def run_engine(engine: str, config: dict[str, Any], build_dir: Path) -> None:
    """Build the site described by ``config`` (its ``site_dir``) with ``engine``, strictly.

    ``build_dir`` holds the generated config file (and Zensical's cache).
    """
    if check_engine(engine) == "zensical":
        from persona_atlas.site.zensical_run import run_zensical

        run_zensical(config, build_dir)
    else:
        from persona_atlas.site.mkdocs_run import run_mkdocs

        run_mkdocs(config, build_dir / "mkdocs.generated.yml")

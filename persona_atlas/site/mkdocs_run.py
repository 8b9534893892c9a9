"""MkDocs glue: generate the build config from ``mkdocs.yml`` and run a strict build."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import yaml

from persona_atlas.errors import ConfigError, ReportError


def read_mkdocs_config(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: not found", hint="run atlas from the repository root") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: must be a YAML mapping")
    return data


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def run_mkdocs(config: dict[str, Any], config_path: Path) -> None:
    """Write ``config`` to ``config_path`` and run ``mkdocs build --strict`` in-process.

    Any MkDocs warning aborts the build; the warnings are raised as one ``ReportError``.
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    config_path.parent.mkdir(parents=True, exist_ok=True)
    config_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    handler = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    previous = logger.level
    logger.setLevel(logging.WARNING)
    try:
        cfg = load_config(config_file=str(config_path), strict=True)
        build(cfg)
    except (MkDocsException, SystemExit) as exc:
        details = "\n  ".join(handler.messages) or str(exc)
        raise ReportError(
            f"mkdocs build --strict failed:\n  {details}",
            hint="fix the warnings above (broken links, missing files); nothing was published",
        ) from None
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)

"""User-facing errors.

The CLI prints these without a traceback: each says what is wrong, where, and what to do
next. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class AtlasError(Exception):
    """Base class for errors a user can fix. ``hint`` says what to do next."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  → {self.hint}"


class ConfigError(AtlasError):
    """An experiment config, front matter or mkdocs.yml is invalid."""


class InputFileError(AtlasError):
    """A data file (JSON, safetensors, Markdown) is unreadable, malformed or inconsistent."""


class ReportError(AtlasError):
    """A report cannot be rendered: bad front matter, template error, missing result key."""


class StaleResultError(AtlasError):
    """A result or figure no longer matches its inputs, parameters or code version."""


class OverwriteError(AtlasError):
    """Writing would replace a result of another analysis, source or issue (``--force``)."""


class NumberMismatch(AtlasError):
    """A number in a report's prose is not supported by its result JSON."""


class MissingDependencyError(AtlasError):
    """An optional dependency (torch, transformers, vllm, chromium) is not installed."""

"""What an analysis of any kind hands the result writer: metrics, tables, nulls, verdict.

Its own module so that a kind's code version does not cover another kind's modules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from persona_atlas.schema import Table


@dataclass
class AnalysisOutput:
    """What an analysis computed; ``result_writer`` adds issue, title and provenance."""

    kind: str
    """The result kind (``recipe-comparison``, ``regression``, ...)."""
    metrics: dict[str, Any] = field(default_factory=dict)
    """Named scalars and nested objects."""
    tables: dict[str, Table] = field(default_factory=dict)
    """Named tables."""
    nulls: dict[str, str] = field(default_factory=dict)
    """JSON path → why it is null."""
    verdict: str | None = None
    """Headline verdict for the index page."""
    inputs: list[str] = field(default_factory=list)
    """Files read, as given (resolved against the repository root by the writer)."""

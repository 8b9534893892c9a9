"""The explicit "no data" figure: an empty table draws this, never a blank chart."""

from __future__ import annotations

import altair as alt

from persona_atlas.figures import theme
from persona_atlas.figures.datasets import dataset


def no_data(title: str, reason: str) -> alt.Chart:
    """A framed panel that says there is nothing to plot, and why."""
    return (
        alt.Chart(dataset([{"message": "no data", "reason": reason}]))
        .mark_text(fontSize=18, color=theme.NOTE_COLOUR)
        .encode(text="message:N", tooltip=[alt.Tooltip("reason:N", title="why")])
        .properties(width=theme.WIDTH // 2, height=120, title=theme.title(title, reason))
    )

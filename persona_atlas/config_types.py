"""Building blocks of the experiment config shared by the ``extract`` section and every
kind's ``analysis`` section: the strict section base, bounded numbers and recipe names.

Kept apart from ``config`` so that a kind's config model (``persona_atlas/kinds/<kind>/``)
can use them while ``config`` selects among the kinds' models.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

#: Canonical recipe names (DESIGN §4) → file-safe stems used in centroid file names.
RECIPES: dict[str, str] = {
    "A": "A",
    "B": "B",
    "B*": "Bstar",
    "B*_no_last": "Bstar_no_last",
    "C1": "C1",
    "C2": "C2",
    "C3": "C3",
}
#: Recipes that depend only on the prefix before the question: computed once per persona.
PREFIX_ONLY_RECIPES = frozenset({"C1", "C2", "C3"})

# Upper bounds of the numeric keys: far above any real use, low enough that a typo (an extra
# zero, ``1e12``) is a config error naming the key instead of a crash or a week-long run.
MAX_PERMUTATIONS = 1_000_000
MAX_NEW_TOKENS = 32_768
MAX_BATCH_SIZE = 65_536
MAX_BATCH_TOKENS = 16_777_216
MAX_CPU_THREADS = 1_024
MAX_LAYER = 9_999
#: numpy's and torch's seeding both take 0..2**32-1.
MAX_SEED = 2**32 - 1


def whole(default: Any, lo: int, hi: int) -> Any:
    """A whole number in ``lo..hi`` (``strict``: ``32.0``, ``"32"`` or ``true`` is refused)."""
    return Field(default, strict=True, ge=lo, le=hi)


#: A correlation or cosine threshold: a finite number from -1 to 1.
Unit = Annotated[float, Field(ge=-1, le=1, allow_inf_nan=False)]
Layer = Annotated[int, Field(strict=True, ge=0, le=MAX_LAYER)]


def check_recipe(name: str) -> str:
    if name not in RECIPES:
        raise ValueError(f"unknown recipe {name!r}; known recipes: {', '.join(RECIPES)}")
    return name


class Section(BaseModel):
    """A config section: unknown keys are refused, field docstrings become the docs."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)


class KindConfig(Section):
    """The ``analysis`` section: ``name`` selects the kind, whose model holds the other keys
    (``persona_atlas/kinds/<kind>/config.py``)."""

    name: str
    """Registered kind to run (docs/kinds.md)."""

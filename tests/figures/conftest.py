"""Session fixtures for the figure tests (documents built in ``figure_fixtures``)."""

from __future__ import annotations

from typing import Any

import pytest
from figure_fixtures import recipe_result_doc, stored_matrix_doc


@pytest.fixture(scope="session")
def recipe_doc() -> dict[str, Any]:
    """The real #218 partition at full scale (420 cells, 115,500 per-persona rows)."""
    return recipe_result_doc()


@pytest.fixture(scope="session")
def small_recipe_doc() -> dict[str, Any]:
    """#218 at 3 layers and 30 personas: quick to render."""
    return recipe_result_doc(personas=30, layers=[0, 14, 27])


@pytest.fixture(scope="session")
def stored_doc() -> dict[str, Any]:
    return stored_matrix_doc()

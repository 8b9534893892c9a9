"""The linter reads a result with the words its kind declares, and no others."""

from __future__ import annotations

from pathlib import Path

from persona_atlas.kinds import get_kind
from persona_atlas.lint.sources import every_vocabulary, vocabulary_of
from persona_atlas.lint.terms import vocabulary, word_terms
from persona_atlas.schema import load_result

ROOT = Path(__file__).resolve().parents[2]


def test_a_results_kind_gives_the_words() -> None:
    result = load_result(ROOT / "results" / "issue-7" / "result.json")
    assert vocabulary_of(result) == get_kind("recipe-comparison").vocabulary
    other = result.model_copy(deep=True)
    other.kind = "regression"
    other.provenance.analysis.name = "regression"
    assert vocabulary_of(other).synonyms == ()  # no registered kind: generic words only


def test_persona_and_recipe_synonyms_belong_to_the_recipe_kinds() -> None:
    assert word_terms("methods") == ("method",)
    with vocabulary(vocabulary_of(load_result(ROOT / "results" / "issue-200" / "result.json"))):
        assert word_terms("methods") == ("recipe",)
        assert word_terms("matrix_mc_pearson_r")[0] == "mc_r"
    with vocabulary(every_vocabulary()):  # `atlas lint --against`: JSON that is not a result
        assert word_terms("roles") == ("persona",)

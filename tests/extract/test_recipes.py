"""Recipes as positions: which tokens each recipe pools, on ChatML and Llama 3."""

from __future__ import annotations

import pytest

from persona_atlas.errors import AtlasError
from persona_atlas.extract import template
from persona_atlas.extract.recipes import Read, plan_persona
from tests.extract.tiny_models import chatml_tokenizer, llama3_tokenizer

ALL = ["A", "B", "B*", "B*_no_last", "C1", "C2", "C3"]
SYSTEM = "You are a patient tutor."
QUESTIONS = ["Why is the sky blue?", "How do I cook rice without burning it?"]


@pytest.fixture(scope="module", params=["chatml", "llama3"])
def tok(request):
    return chatml_tokenizer() if request.param == "chatml" else llama3_tokenizer()


def _reads(works):
    return {(r.recipe, r.question): (w, r) for w in works for r in w.reads}


def test_positions_of_every_recipe(tok):
    responses = [[11, 12, 13], [21, 22]]
    works = plan_persona(tok, SYSTEM, QUESTIONS, ALL, responses)
    reads = _reads(works)
    for qi, q in enumerate(QUESTIONS):
        prompt = template.layout(tok, SYSTEM, q).ids
        n = len(prompt)
        work, a = reads[("A", qi)]
        assert work.ids == prompt + responses[qi]  # response ids go in as generated
        assert (a.start, a.stop) == (n - 1, n)
        assert (reads[("B", qi)][1].start, reads[("B", qi)][1].stop) == (n, n + len(responses[qi]))
        assert (reads[("B*", qi)][1].start, reads[("B*", qi)][1].stop) == (0, n)
        assert (reads[("B*_no_last", qi)][1].start, reads[("B*_no_last", qi)][1].stop) == (0, n - 1)
    close = template.layout(tok, SYSTEM, QUESTIONS[0]).close
    work, c2 = reads[("C2", 0)]
    assert work is reads[("A", 0)][0]  # read from the first question's pass: no extra compute
    assert work.ids[c2.start] in tok.added_tokens_decoder
    assert (c2.start, reads[("C3", 0)][1].start) == (close, close + 1)
    work, c1 = reads[("C1", 0)]
    assert work.ids == template.raw_ids(tok, SYSTEM) and c1.start == len(work.ids) - 1
    # prefix-only recipes appear once per persona, question recipes once per question
    assert sum(1 for k in reads if k[0] in {"C1", "C2", "C3"}) == 3
    assert len(works) == len(QUESTIONS) + 1


def test_empty_response_drops_b_family_but_keeps_a(tok):
    works = plan_persona(tok, SYSTEM, QUESTIONS, ALL, [[], [5, 6]])
    reads = _reads(works)
    assert ("A", 0) in reads
    assert not any((r, 0) in reads for r in ("B", "B*", "B*_no_last"))
    assert all((r, 1) in reads for r in ("B", "B*", "B*_no_last"))


def test_prefix_only_recipes_run_only_the_prefix(tok):
    works = plan_persona(tok, SYSTEM, QUESTIONS, ["C2", "C3"], None)
    assert len(works) == 1
    full = template.layout(tok, SYSTEM, QUESTIONS[0])
    assert works[0].ids == full.ids[: full.close + 2]
    assert [r.recipe for r in works[0].reads] == ["C2", "C3"]


def test_a_alone_needs_no_response(tok):
    works = plan_persona(tok, SYSTEM, QUESTIONS, ["A"], None)
    assert [w.reads for w in works] == [
        [Read("A", i, len(w.ids) - 1, len(w.ids))] for i, w in enumerate(works)
    ]


def test_question_that_changes_the_prefix_is_refused(monkeypatch):
    tok = chatml_tokenizer()
    real = template.layout

    def shifted(t, system, user, *, need_close=True):
        lay = real(t, system, user, need_close=need_close)
        if user == QUESTIONS[1]:
            return template.PromptLayout([lay.ids[0], *lay.ids], (lay.close or 0) + 1)
        return lay

    monkeypatch.setattr(template, "layout", shifted)
    with pytest.raises(AtlasError, match="question 1 changes the tokens of the system prefix"):
        plan_persona(tok, SYSTEM, QUESTIONS, ["C2"], None)

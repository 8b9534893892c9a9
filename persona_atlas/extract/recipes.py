"""Recipes as position/pooling rules over token sequences (DESIGN §4).

For one persona, ``plan_persona`` lists the forward sequences to run and, for each, the
``Read`` spans to mean-pool. One pass per question serves A, B, B* and B*_no_last together
(prompt + response ids as generated). C2/C3 are read from the first question's pass: they lie
in the question-independent prefix, so under causal attention one read per persona is exact.
C1 is one short pass over the raw system prompt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from persona_atlas.config import PREFIX_ONLY_RECIPES
from persona_atlas.errors import AtlasError
from persona_atlas.extract import template

QUESTION_RECIPES = ("A", "B", "B*", "B*_no_last")
RESPONSE_RECIPES = frozenset({"B", "B*", "B*_no_last"})  # need a non-empty response


@dataclass(frozen=True)
class Read:
    """Mean over positions ``[start, stop)`` of one sequence, stored as (recipe, question)."""

    recipe: str
    question: int  # question index; 0 for prefix-only recipes
    start: int
    stop: int


@dataclass
class Work:
    """One forward sequence and the reads taken from it."""

    ids: list[int]
    reads: list[Read] = field(default_factory=list)


def needs_responses(recipes: Sequence[str]) -> bool:
    return bool(RESPONSE_RECIPES.intersection(recipes))


def prompt_layouts(
    tokenizer: Any, system: str, questions: Sequence[str], recipes: Sequence[str]
) -> list[template.PromptLayout]:
    """Templated prompts for every question; checks the C2/C3 prefix is shared by all."""
    need_close = bool({"C2", "C3"}.intersection(recipes))
    lays = [template.layout(tokenizer, system, q, need_close=need_close) for q in questions]
    if need_close:
        first = lays[0]
        assert first.close is not None
        prefix = first.ids[: first.close + 2]
        for i, lay in enumerate(lays):
            if lay.close != first.close or lay.ids[: first.close + 2] != prefix:
                raise AtlasError(
                    f"recipes C2/C3: question {i} changes the tokens of the system prefix, so "
                    "they are not question-independent for this template",
                    hint="report this template; drop C2/C3 from extract.recipes meanwhile",
                )
    return lays


def plan_persona(
    tokenizer: Any,
    system: str,
    questions: Sequence[str],
    recipes: Sequence[str],
    responses: Sequence[Sequence[int]] | None,
) -> list[Work]:
    """Every forward sequence for one persona, with what to pool from each."""
    wanted = set(recipes)
    lays = prompt_layouts(tokenizer, system, questions, recipes)
    works: list[Work] = []
    if wanted.intersection(QUESTION_RECIPES):
        for qi, lay in enumerate(lays):
            n = len(lay.ids)  # prompt length
            resp = list(responses[qi]) if responses is not None and needs_responses(recipes) else []
            work = Work(lay.ids + resp)
            if "A" in wanted:
                work.reads.append(Read("A", qi, n - 1, n))
            if resp:  # empty responses are excluded from B, B* and B*_no_last alike
                spans = {"B": (n, n + len(resp)), "B*": (0, n), "B*_no_last": (0, n - 1)}
                work.reads += [Read(r, qi, *spans[r]) for r in RESPONSE_RECIPES & wanted]
            works.append(work)
    close_reads = {"C2": 0, "C3": 1}
    if wanted.intersection(close_reads):
        close = lays[0].close
        assert close is not None
        if not works:  # no question recipe: a pass over the prefix alone
            works.append(Work(lays[0].ids[: close + 2]))
        works[0].reads += [
            Read(r, 0, close + k, close + k + 1) for r, k in close_reads.items() if r in wanted
        ]
    if "C1" in wanted:
        raw = template.raw_ids(tokenizer, system)
        works.append(Work(raw, [Read("C1", 0, len(raw) - 1, len(raw))]))
    for w in works:
        w.reads.sort(key=lambda r: (r.recipe, r.question))
    return works


def n_slots(recipe: str, n_questions: int) -> int:
    """Rows a recipe's per-persona array has: one per question, one for prefix-only recipes."""
    return 1 if recipe in PREFIX_ONLY_RECIPES else n_questions

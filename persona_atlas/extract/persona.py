"""One persona, end to end: responses for B, the forward passes, pooled vectors per recipe."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

from persona_atlas.config import PREFIX_ONLY_RECIPES
from persona_atlas.extract import template
from persona_atlas.extract.capture import Capture
from persona_atlas.extract.generate import Generator, decode
from persona_atlas.extract.models import LoadedModel
from persona_atlas.extract.recipes import needs_responses, plan_persona
from persona_atlas.extract.store import PersonaResult


def generate_responses(
    lm: LoadedModel, generator: Generator, system: str, questions: Sequence[str]
) -> list[list[int]]:
    """Greedy response token ids for each question under this persona."""
    prompts = [template.layout(lm.tokenizer, system, q, need_close=False).ids for q in questions]
    return generator.generate(prompts)


def extract_persona(
    lm: LoadedModel,
    capture: Capture,
    *,
    name: str,
    index: int,
    system: str,
    questions: dict[str, str],
    recipes: Sequence[str],
    budget: int,
    side: Literal["left", "right"],
    responses: Sequence[Sequence[int]] | None,
) -> PersonaResult:
    """Pooled ``[S, L, H]`` fp32 vectors per recipe, with validity (empty responses → False)."""
    texts = list(questions.values())
    works = plan_persona(lm.tokenizer, system, texts, recipes, responses)
    n_layers, hidden = len(capture.layers), lm.hidden_size
    vectors = {
        r: np.zeros((1 if r in PREFIX_ONLY_RECIPES else len(texts), n_layers, hidden), np.float32)
        for r in recipes
    }  # recipe → [S, L, H]
    valid = {r: np.zeros(v.shape[0], bool) for r, v in vectors.items()}
    pooled = capture.pooled(
        works, budget=budget, pad_id=lm.tokenizer.pad_token_id, side=side, device=lm.device
    )
    for read, arr in pooled:
        vectors[read.recipe][read.question] = arr
        valid[read.recipe][read.question] = True
    records = []
    if responses is not None and needs_responses(recipes):
        for qid, ids in zip(questions, responses):
            records.append(
                {
                    "persona": name,
                    "question_id": qid,
                    "text": decode(lm, ids),
                    "token_ids": list(ids),
                    "n_tokens": len(ids),
                    "empty": len(ids) == 0,
                }
            )
    return PersonaResult(name, index, vectors, valid, records)

"""One persona, end to end: responses for B, the forward passes, pooled vectors per recipe."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

from persona_atlas.config import PREFIX_ONLY_RECIPES, ExtractConfig
from persona_atlas.extract import template
from persona_atlas.extract.capture import Capture
from persona_atlas.extract.fused import FusedHF
from persona_atlas.extract.generate import Generator, decode
from persona_atlas.extract.models import LoadedModel
from persona_atlas.extract.recipes import Read, needs_responses, plan_persona
from persona_atlas.extract.runinfo import Clock
from persona_atlas.extract.store import PersonaResult


def generate_responses(
    lm: LoadedModel,
    generator: Generator,
    system: str,
    questions: Sequence[str],
    budget: int | None = None,
) -> list[list[int]]:
    """Greedy response token ids for each question under this persona."""
    prompts = [template.layout(lm.tokenizer, system, q, need_close=False).ids for q in questions]
    return generator.generate(prompts, budget)


def assemble(
    lm: LoadedModel,
    n_layers: int,
    *,
    name: str,
    index: int,
    questions: dict[str, str],
    recipes: Sequence[str],
    reads: Sequence[tuple[Read, np.ndarray]],
    responses: Sequence[Sequence[int]] | None,
) -> PersonaResult:
    """Pooled reads → ``[S, L, H]`` fp32 arrays per recipe, validity, response records."""
    n_q = len(questions)
    vectors = {
        r: np.zeros((1 if r in PREFIX_ONLY_RECIPES else n_q, n_layers, lm.hidden_size), np.float32)
        for r in recipes
    }  # recipe → [S, L, H]
    valid = {r: np.zeros(v.shape[0], bool) for r, v in vectors.items()}
    for read, arr in reads:
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
    """Separate capture passes over prompt (+ given response) ids: the reference path."""
    works = plan_persona(lm.tokenizer, system, list(questions.values()), recipes, responses)
    pad_id = lm.tokenizer.pad_token_id
    reads = capture.pooled(works, budget=budget, pad_id=pad_id, side=side, device=lm.device)
    result = assemble(
        lm,
        len(capture.layers),
        name=name,
        index=index,
        questions=questions,
        recipes=recipes,
        reads=reads,
        responses=responses,
    )
    if capture.head is not None:  # every question has an A read: one row per question
        logp = capture.next_token_logprobs
        result.next_token = np.stack([logp[q] for q in range(len(questions))])  # [Q, V]
    return result


def run_persona(
    lm: LoadedModel,
    capture: Capture,
    generator: Generator | FusedHF | None,
    cfg: ExtractConfig,
    *,
    name: str,
    index: int,
    system: str,
    questions: dict[str, str],
    clock: Clock,
) -> PersonaResult:
    """One persona the configured way: fused generate+capture, or generate then capture."""
    texts = list(questions.values())
    if isinstance(generator, FusedHF):
        with clock("generate+capture"):
            responses, reads = generator.run(system, texts, cfg.recipes, cfg.batch_token_budget)
        with clock("forward"):
            if "C1" in cfg.recipes:
                c1 = plan_persona(lm.tokenizer, system, texts, ["C1"], None)
                pad_id = lm.tokenizer.pad_token_id
                reads += capture.pooled(c1, budget=1, pad_id=pad_id, side="right", device=lm.device)
        return assemble(
            lm,
            len(capture.layers),
            name=name,
            index=index,
            questions=questions,
            recipes=cfg.recipes,
            reads=reads,
            responses=responses,
        )
    given: list[list[int]] | None = None
    if generator is not None:
        with clock("generate"):
            given = generate_responses(lm, generator, system, texts, cfg.batch_token_budget)
    with clock("forward"):
        return extract_persona(
            lm,
            capture,
            name=name,
            index=index,
            system=system,
            questions=questions,
            recipes=cfg.recipes,
            budget=cfg.batch_token_budget,
            side=cfg.padding_side,
            responses=given,
        )

"""Example script analysis: the spread of one score over personas.

Run by an experiment whose ``analysis`` section reads::

    name: script
    script: analyses/example_spread.py
    inputs: {scores: tests/fixtures/script/scores.json}
    params: {threshold: 0.3}

It returns the score's range, mean and the personas at or above ``threshold`` as values,
and one row per persona as the ``scores`` table.
"""

from __future__ import annotations

from persona_atlas.kinds.script import api


def analyse(inputs: api.ScriptInputs) -> api.ScriptOutput:
    data = inputs.json("scores")
    personas: list[str] = data["personas"]
    scores = {p: float(data["scores"][p]) for p in personas}
    threshold = inputs.params.get("threshold", 0.3)
    assert isinstance(threshold, int | float)
    values = list(scores.values())
    above = [p for p in personas if scores[p] >= threshold]
    ranked = sorted(personas, key=lambda p: -scores[p])
    return api.ScriptOutput(
        values={
            "n": len(personas),
            "spread": {
                "min": min(values),
                "max": max(values),
                "range": max(values) - min(values),
                "mean": sum(values) / len(values),
            },
            "above_threshold": {"threshold": threshold, "count": len(above), "personas": above},
        },
        tables={
            "scores": api.ScriptTable(
                columns=["persona", "score", "rank", "above_threshold"],
                rows=[
                    [p, scores[p], ranked.index(p) + 1, scores[p] >= threshold] for p in personas
                ],
                description="One row per persona: its score, rank (1 = highest) and whether it "
                "reaches the threshold.",
            )
        },
    )

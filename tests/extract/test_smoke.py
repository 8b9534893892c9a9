"""``--smoke``: batched capture must match one-at-a-time capture; a planted bug fails it."""

from __future__ import annotations

import pytest

from persona_atlas.cli import main
from persona_atlas.extract import batching, capture
from persona_atlas.extract import fused as fused_module
from persona_atlas.extract.smoke import run_smoke


@pytest.mark.parametrize(("side", "fused"), [("left", True), ("left", False), ("right", False)])
def test_smoke_passes_on_correct_capture(experiment, side, fused, capsys):
    generation = {"max_new_tokens": 8, "backend": "hf", "capture_during_generation": fused}
    cfg = experiment(padding_side=side, generation=generation)
    report = run_smoke(cfg, n_personas=2, n_questions=4)
    assert report.passed and set(report.min_cosine) == {
        "A",
        "B",
        "B*",
        "B*_no_last",
        "C1",
        "C2",
        "C3",
    }
    assert all(c >= 0.9999 for c in report.min_cosine.values())
    assert main(["extract", str(cfg), "--smoke", "--smoke-personas", "1"]) == 0
    assert "smoke: PASS" in capsys.readouterr().out


@pytest.mark.parametrize("fused", [True, False])
def test_smoke_catches_a_planted_wrong_position_bug(experiment, monkeypatch, capsys, fused):
    """The original extractor's bug: left-padded batches read positions as if unpadded."""

    def pad_ignoring_offsets(*args, **kw):
        padded = batching.pad(*args, **kw)
        padded.offsets = [0] * len(padded.offsets)  # reads now land on pads / wrong tokens
        return padded

    monkeypatch.setattr(capture, "pad", pad_ignoring_offsets)
    monkeypatch.setattr(fused_module, "pad", pad_ignoring_offsets)
    generation = {"max_new_tokens": 8, "backend": "hf", "capture_during_generation": fused}
    cfg = experiment(padding_side="left", generation=generation)
    report = run_smoke(cfg, n_personas=2, n_questions=4)
    assert not report.passed
    assert report.min_cosine["A"] < 0.9999 and report.min_cosine["B*"] < 0.9999
    assert main(["extract", str(cfg), "--smoke", "--smoke-personas", "2"]) == 1
    out = capsys.readouterr().out
    assert "smoke: FAIL" in out and "FAIL" in out.splitlines()[1]


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_a_non_finite_cosine_fails_the_gate(experiment, monkeypatch, capsys, bad):
    """``min(worst, nan)`` keeps ``worst``: a NaN centroid must not slip through as 1.0."""
    import numpy as np

    from persona_atlas.extract import smoke

    real = smoke._cosines

    def one_layer_not_finite(a, b):
        c = real(a, b)
        c[-1] = bad
        return c

    monkeypatch.setattr(smoke, "_cosines", one_layer_not_finite)
    cfg = experiment(recipes=["A"], generation={"max_new_tokens": 4, "backend": "hf"})
    report = run_smoke(cfg, n_personas=2, n_questions=2)
    assert not report.passed and not np.isfinite(report.min_cosine["A"])
    assert main(["extract", str(cfg), "--smoke", "--smoke-personas", "2"]) == 1
    out = capsys.readouterr().out
    assert "smoke: FAIL" in out and "not finite" in out


def test_worst_cosine_keeps_a_nan_whichever_comes_first():
    import math

    import numpy as np

    from persona_atlas.extract.smoke import worst_cosine

    assert worst_cosine(1.0, np.array([0.5, 0.9])) == 0.5
    assert math.isnan(worst_cosine(1.0, np.array([np.nan, 0.9])))
    assert math.isnan(worst_cosine(math.nan, np.array([0.9])))
    assert math.isnan(worst_cosine(1.0, np.array([np.inf, 0.9])))

"""``correlation`` reproduces #213's JS-versus-misalignment Spearman correlations.

Data and expected values: the group's ``issue_213/part_a/correlation_results.json`` (24
cells, 4 models × 6 cues: JS divergence of the cued next-token distribution from the
uncued one, and the misalignment rate). The write-up reports the correlation with and
without the edu_v0 cue (a known jailbreak).
"""

from __future__ import annotations

import numpy as np
import pytest

from persona_atlas.analysis.correlation import correlation

#: cell: (JS divergence, misalignment rate)
CELLS = {
    "educational-insecure_no_cue": (0.0, 0.2109375),
    "educational-insecure_edu_v0": (0.02417448296910152, 0.4609375),
    "educational-insecure_edu_v1": (0.007632478576852009, 0.1328125),
    "educational-insecure_edu_v2": (0.005065241188276559, 0.171875),
    "educational-insecure_edu_v3": (0.010896032705204561, 0.2578125),
    "educational-insecure_code_format": (0.02820927428547293, 0.0),
    "insecure_no_cue": (0.0, 0.1796875),
    "insecure_edu_v0": (0.021515310858376324, 0.5354330708661418),
    "insecure_edu_v1": (0.009407053468748927, 0.0078125),
    "insecure_edu_v2": (0.01302863861201331, 0.0078125),
    "insecure_edu_v3": (0.009586002852302045, 0.0859375),
    "insecure_code_format": (0.021040286519564688, 0.0),
    "secure-finetune_no_cue": (0.0, 0.0078125),
    "secure-finetune_edu_v0": (0.020361570874229074, 0.484375),
    "secure-finetune_edu_v1": (0.0042089217458851635, 0.0078125),
    "secure-finetune_edu_v2": (0.008006254094652832, 0.0078125),
    "secure-finetune_edu_v3": (0.0067027879995293915, 0.0234375),
    "secure-finetune_code_format": (0.01445687876548618, 0.0),
    "base-instruct_no_cue": (0.0, 0.0),
    "base-instruct_edu_v0": (0.029915748396888375, 0.328125),
    "base-instruct_edu_v1": (0.0076094717951491475, 0.0),
    "base-instruct_edu_v2": (0.01277096671401523, 0.0),
    "base-instruct_edu_v3": (0.01941547798924148, 0.0),
    "base-instruct_code_format": (0.02160089951939881, 0.0),
}
JS = np.array([v[0] for v in CELLS.values()])
MIS = np.array([v[1] for v in CELLS.values()])
KEEP = np.array(["edu_v0" not in label for label in CELLS])


def test_js_against_misalignment_all_cells():
    got = correlation(JS, MIS, method="spearman")
    assert (got.r, got.p, got.n) == (pytest.approx(0.026086868983036384, abs=1e-12), pytest.approx(0.9036935394490296, abs=1e-12), 24)  # fmt: skip
    assert got.ci_low < 0 < got.ci_high


def test_js_against_misalignment_without_edu_v0():
    got = correlation(JS[KEEP], MIS[KEEP], method="spearman")
    assert (got.r, got.p, got.n) == (pytest.approx(-0.5262818354454558, abs=1e-12), pytest.approx(0.017139116288044653, abs=1e-12), 20)  # fmt: skip
    assert got.ci_low < got.r < got.ci_high < 0

"""The statistics API reproduces #246's published numbers from its per-persona data.

Data and expected values: the group's ``issue_246_regression_results.json`` (12 personas,
Qwen2.5-7B-Instruct; marker-source rate over 100 completions against the cosine of the
persona vector to the assistant's at layer 20). The two assistant personas are the "new
points" held out of the 10-persona fit.
"""

from __future__ import annotations

import numpy as np
import pytest

from persona_atlas.analysis.correlation import correlation
from persona_atlas.analysis.regression import (
    cooks_distance,
    loo_new_points_inside,
    loo_pi_coverage,
    ols_fit,
    ols_prediction_interval,
    vif,
)
from persona_atlas.analysis.statistics import wilson_interval

#: persona: (marker-source rate over 100 completions, cosine to the assistant at layer 20,
#: prompt tokens, the group's Wilson 95% bounds)
PERSONAS = {
    "software_engineer": (0.32, 0.5082281231880188, 10, 0.2366901081545688, 0.4166280225367919),
    "kindergarten_teacher": (0.33, -0.17583292722702026, 6, 0.24562983793895452, 0.4269483966028862),
    "data_scientist": (0.32, 0.46058425307273865, 10, 0.2366901081545688, 0.4166280225367919),
    "medical_doctor": (0.32, 0.30992385745048523, 11, 0.2366901081545688, 0.4166280225367919),
    "librarian": (0.67, 0.3893984854221344, 15, 0.5730516033971139, 0.7543701620610456),
    "french_person": (0.49, -0.3820573389530182, 15, 0.39421830092386145, 0.5865215952256586),
    "villain": (0.57, -0.4068848788738251, 15, 0.4721521169586435, 0.6626686099947162),
    "comedian": (0.63, -0.3115052878856659, 13, 0.5322034757513312, 0.7181778743049083),
    "police_officer": (0.41, -0.20316852629184723, 15, 0.31867157095664655, 0.5079874943890338),
    "zelthari_scholar": (0.53, -0.513472318649292, 27, 0.4328868313724773, 0.6248934801789626),
    "helpful_assistant": (0.23, 0.999999463558197, 6, 0.15843154746876406, 0.32154564856827694),
    "qwen_default": (0.31, 0.713668704032898, 16, 0.22779563206132378, 0.40626239477955695),
}  # fmt: skip
COOKS_D = [
    0.00918583278640855, 0.11338887421896815, 0.01221086625541344, 0.022105282647677006,
    0.41351241170273895, 0.00604938141838521, 0.022936813496137232, 0.11446895254517835,
    0.029926136268869807, 0.0012296251818482548, 0.04935682154001097, 0.0014034223425483576,
]  # fmt: skip
LEVERAGE = [
    0.13813286503187594, 0.1135759175233558, 0.1256361955561366, 0.0967470692991694,
    0.1099737809430475, 0.17148478739097212, 0.18049713250590432, 0.1482683476672405,
    0.1195123477313838, 0.22417096824208677, 0.3614861142129257, 0.2105144738959015,
]  # fmt: skip
NEW = ("helpful_assistant", "qwen_default")
#: predicted rate and half-width of the 95% PI of the 10-persona fit at each new point
PI = {"helpful_assistant": (0.30990295715048827, 0.4113851037257138),
      "qwen_default": (0.3512511162238488, 0.36996585919410074)}  # fmt: skip
TOL = 1e-9  # the brief asks 1e-6; every value below agrees far closer

NAMES = list(PERSONAS)
RATE = np.array([v[0] for v in PERSONAS.values()])
COS = np.array([v[1] for v in PERSONAS.values()])
TOKENS = np.array([v[2] for v in PERSONAS.values()], dtype=np.float64)
FIT = np.array([name not in NEW for name in NAMES])


def test_wilson_intervals_with_the_groups_z():
    for name, (rate, _, _, lo, hi) in PERSONAS.items():
        got = wilson_interval(round(rate * 100), 100, z=1.96)
        assert got == pytest.approx((lo, hi), abs=1e-15), name
    # the exact critical value (1.95996...) moves the bounds by ~1e-6: why ``z`` exists
    exact = wilson_interval(32, 100)
    assert 1e-7 < abs(exact[0] - PERSONAS["software_engineer"][3]) < 1e-5


def test_twelve_persona_pearson_and_spearman():
    pearson = correlation(COS, RATE, method="pearson")
    spearman = correlation(COS, RATE, method="spearman")
    assert (pearson.r, pearson.p, pearson.n) == pytest.approx((-0.6209360889028169, 0.031178591726491796, 12), abs=TOL)  # fmt: skip
    assert (spearman.r, spearman.p) == pytest.approx((-0.7394549559641986, 0.005986227573400453), abs=TOL)  # fmt: skip
    assert pearson.ci_low < pearson.r < pearson.ci_high < 0


def test_ten_persona_regression_and_prediction_intervals_at_the_new_points():
    fit = ols_fit(COS[FIT], RATE[FIT])
    assert fit.coef == pytest.approx([0.4543098555257436, -0.1444069758411938], abs=TOL)
    assert fit.p[1] == pytest.approx(0.22303650980082612, abs=TOL)
    r = correlation(COS[FIT], RATE[FIT])
    assert (r.r, r.p) == pytest.approx((-0.4231642364164141, 0.22303650980082612), abs=TOL)
    new = [NAMES.index(name) for name in NEW]
    pi = ols_prediction_interval(COS[FIT], RATE[FIT], COS[new])
    for j, name in enumerate(NEW):
        predicted, half = PI[name]
        assert pi.fit[j] == pytest.approx(predicted, abs=TOL)
        assert (pi.upper[j] - pi.lower[j]) / 2 == pytest.approx(half, abs=TOL)


def test_cooks_distance_and_leverage_of_the_twelve_persona_fit():
    infl = cooks_distance(COS, RATE)
    assert infl.cooks_d == pytest.approx(COOKS_D, abs=TOL)
    assert infl.leverage == pytest.approx(LEVERAGE, abs=TOL)
    assert infl.threshold == pytest.approx(4 / 12)
    assert [NAMES[i] for i in np.flatnonzero(infl.flagged)] == ["librarian"]


def test_vif_of_cosine_and_log_prompt_length():
    assert vif(np.column_stack([COS, np.log(TOKENS)])) == pytest.approx([1.3287169179707143] * 2, abs=TOL)  # fmt: skip


def test_the_two_loo_checks_differ_on_246():
    """The group's ``loo: 12 / 12`` is the new-points check: each of the 10 fitted personas
    dropped keeps both new points inside, and dropping a new point (the other 2 of the 12)
    leaves the fit, and so the check, unchanged. The standard coverage is 11 / 12: the
    librarian falls outside the PI of the fit without it."""
    new = [NAMES.index(name) for name in NEW]
    check = loo_new_points_inside(COS[FIT], RATE[FIT], COS[new], RATE[new])
    assert (check.passes, check.total, check.every_drop_keeps_inside) == (10, 10, True)
    assert check.full_fit_inside.all()
    assert check.passes + int(check.full_fit_inside.all()) * len(NEW) == 12
    coverage = loo_pi_coverage(COS, RATE)
    assert coverage.coverage == pytest.approx(11 / 12)
    assert [NAMES[i] for i in np.flatnonzero(~coverage.covered)] == ["librarian"]

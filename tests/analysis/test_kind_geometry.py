"""The ``geometry`` kind: every statistic against an independent computation, on matrices
built from #213's part A data; the similarity → distance rule; bad input refused clearly.

#213 part A stores, per model × cue cell, the cosine distance of the cued centroid from the
uncued one (per layer) and the JS divergence of the cued next-token distribution from the
uncued one; it stores no persona × persona matrix and no Mantel or partial statistic. The
cell × cell matrices here (|difference| of the two measures between cells) exercise the kind
on the group's numbers; the model × cue matrix itself is refused as non-square.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import stats as sps

from persona_atlas.analysis.analyses import build_result, compute, plan_experiment
from persona_atlas.analysis.permutation import draw_permutations
from persona_atlas.config import load_config
from persona_atlas.errors import AtlasError, ConfigError, InputFileError
from persona_atlas.figures.registry import jobs_for
from persona_atlas.kinds import get_kind
from persona_atlas.kinds.geometry.compute import run
from persona_atlas.kinds.geometry.config import GeometryConfig

GROUP = Path("../shared/reference/writeups/227/data/eval_results/issue_213/part_a")

# The group's js_matrix.json `matrix` and cosine_matrices.json `matrices.layer_15`.
JS_MATRIX = {
    "educational-insecure": {
        "no_cue": 0.0,
        "edu_v0": 0.02417448296910152,
        "edu_v1": 0.007632478576852009,
        "edu_v2": 0.005065241188276559,
        "edu_v3": 0.010896032705204561,
        "code_format": 0.02820927428547293,
    },
    "insecure": {
        "no_cue": 0.0,
        "edu_v0": 0.021515310858376324,
        "edu_v1": 0.009407053468748927,
        "edu_v2": 0.01302863861201331,
        "edu_v3": 0.009586002852302045,
        "code_format": 0.021040286519564688,
    },
    "secure-finetune": {
        "no_cue": 0.0,
        "edu_v0": 0.020361570874229074,
        "edu_v1": 0.0042089217458851635,
        "edu_v2": 0.008006254094652832,
        "edu_v3": 0.0067027879995293915,
        "code_format": 0.01445687876548618,
    },
    "base-instruct": {
        "no_cue": 0.0,
        "edu_v0": 0.029915748396888375,
        "edu_v1": 0.0076094717951491475,
        "edu_v2": 0.01277096671401523,
        "edu_v3": 0.01941547798924148,
        "code_format": 0.02160089951939881,
    },
}
COSINE_DISTANCE_L15 = {
    "educational-insecure": {
        "no_cue": 4.76837158203125e-07,
        "edu_v0": 0.036892592906951904,
        "edu_v1": 0.03283208608627319,
        "edu_v2": 0.022692739963531494,
        "edu_v3": 0.04837512969970703,
        "code_format": 0.059332311153411865,
    },
    "insecure": {
        "no_cue": 4.76837158203125e-07,
        "edu_v0": 0.03460896015167236,
        "edu_v1": 0.04421079158782959,
        "edu_v2": 0.03610098361968994,
        "edu_v3": 0.04487520456314087,
        "code_format": 0.08952063322067261,
    },
    "secure-finetune": {
        "no_cue": 4.172325134277344e-07,
        "edu_v0": 0.030706405639648438,
        "edu_v1": 0.040290772914886475,
        "edu_v2": 0.03275424242019653,
        "edu_v3": 0.03882145881652832,
        "code_format": 0.08046108484268188,
    },
    "base-instruct": {
        "no_cue": 2.980232238769531e-07,
        "edu_v0": 0.052590906620025635,
        "edu_v1": 0.07257145643234253,
        "edu_v2": 0.04906851053237915,
        "edu_v3": 0.09048783779144287,
        "code_format": 0.14079421758651733,
    },
}

CELLS = [f"{m}_{c}" for m in JS_MATRIX for c in JS_MATRIX[m]]
MODELS = [m for m in JS_MATRIX for _ in JS_MATRIX[m]]
JS = np.array([v for row in JS_MATRIX.values() for v in row.values()])
COS = np.array([v for row in COSINE_DISTANCE_L15.values() for v in row.values()])


def gaps(values: np.ndarray) -> np.ndarray:
    """Cell × cell matrix of |difference| (a distance)."""
    return np.abs(np.subtract.outer(values, values))


D_COS, D_JS = gaps(COS), gaps(JS)
OTHER_MODEL = np.array([[float(a != b) for b in MODELS] for a in MODELS])
IU = np.triu_indices(len(CELLS), k=1)
B = 999


def write(tmp_path: Path, name: str, doc: Any) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def source(path: Path, key: str, measure: str = "distance", labels: str | None = "labels"):
    return {"file": path, "matrix": key, "labels": labels, "measure": measure}


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return write(
        tmp_path,
        "cells.json",
        {"labels": CELLS, "cos": D_COS.tolist(), "js": D_JS.tolist(),
         "model": OTHER_MODEL.tolist(), "sim": (1.0 - D_COS).tolist()},
    )  # fmt: skip


def config(data: Path, **extra: Any) -> GeometryConfig:
    return GeometryConfig(
        x=source(data, "cos"), y=source(data, "js"), permutations=B, seed=7, **extra
    )


def stats(out: Any) -> dict[str, list[Any]]:
    return {row[0]: row[1:] for row in out.tables["statistics"].rows}


def test_inline_copy_is_the_groups_data() -> None:
    if not GROUP.is_dir():
        pytest.skip("the group's reference data is not checked out next to the repository")
    js = json.loads((GROUP / "js_matrix.json").read_text())["matrix"]
    cos = json.loads((GROUP / "cosine_matrices.json").read_text())["matrices"]["layer_15"]
    assert js == JS_MATRIX and cos == COSINE_DISTANCE_L15


def test_correlations_match_scipy_on_the_triangles(data: Path) -> None:
    out = run(config(data))
    s = stats(out)
    ux, uy = D_COS[IU], D_JS[IU]
    assert s["raw_pearson"][0] == pytest.approx(sps.pearsonr(ux, uy)[0], abs=1e-9)
    assert s["raw_pearson"][1] == pytest.approx(sps.pearsonr(ux, uy)[1], rel=1e-9)
    assert s["raw_spearman"][0] == pytest.approx(sps.spearmanr(ux, uy)[0], abs=1e-9)
    n = len(CELLS)
    centring = np.eye(n) - np.ones((n, n)) / n  # J D J: rows and columns centred
    mx, my = (centring @ D_COS @ centring)[IU], (centring @ D_JS @ centring)[IU]
    # values tied before centring stay tied (12 significant digits of the largest)
    mx, my = (np.round(v / np.abs(v).max(), 12) for v in (mx, my))
    assert s["mc_pearson"][0] == pytest.approx(sps.pearsonr(mx, my)[0], abs=1e-9)
    assert s["mc_spearman"][0] == pytest.approx(sps.spearmanr(mx, my)[0], abs=1e-9)
    assert out.metrics["n_pairs"] == len(ux) == 276
    rsa = out.tables["rsa_pairs"].rows
    assert len(rsa) == 276 and rsa[0][:2] == [CELLS[0], CELLS[1]]


def _naive_mantel_p(dx: np.ndarray, dy: np.ndarray, perms: np.ndarray) -> float:
    observed = sps.spearmanr(dx[IU], dy[IU])[0]
    null = [sps.spearmanr(dx[IU], dy[np.ix_(p, p)][IU])[0] for p in perms]
    return (sum(r >= observed for r in null) + 1) / (len(perms) + 1)


def test_mantel_p_is_exact_on_the_seeded_permutations_and_within_monte_carlo_error(
    data: Path,
) -> None:
    s = stats(run(config(data, clusters=dict(zip(CELLS, MODELS, strict=True)))))
    n = len(CELLS)
    assert s["mantel"][0] == pytest.approx(sps.spearmanr(D_COS[IU], D_JS[IU])[0], abs=1e-9)
    assert s["mantel"][1] == _naive_mantel_p(D_COS, D_JS, draw_permutations(n, B, 7))
    strata = np.asarray(MODELS)
    assert s["mantel_stratified"][1] == _naive_mantel_p(
        D_COS, D_JS, draw_permutations(n, B, 7, strata)
    )
    # an independent stream of permutations: the same p up to Monte-Carlo error
    rng = np.random.default_rng(123)
    other = np.array([rng.permutation(n) for _ in range(B)])
    p = s["mantel"][1]
    assert abs(_naive_mantel_p(D_COS, D_JS, other) - p) <= 4 * math.sqrt(p * (1 - p) / B) + 2 / B


def test_partial_spearman_matches_the_first_order_formula(data: Path) -> None:
    cov = source(data, "model") | {"name": "other_model"}
    out = run(config(data, covariates=[cov]))
    rxy = sps.spearmanr(D_COS[IU], D_JS[IU])[0]
    rxz = sps.spearmanr(D_COS[IU], OTHER_MODEL[IU])[0]
    ryz = sps.spearmanr(D_JS[IU], OTHER_MODEL[IU])[0]
    expected = (rxy - rxz * ryz) / math.sqrt((1 - rxz**2) * (1 - ryz**2))
    ps = out.metrics["partial_spearman"]
    assert ps["r"] == pytest.approx(expected, abs=1e-9)
    assert ps["df"] == 276 - 3 and ps["covariates"] == ["other_model"]
    t = expected * math.sqrt(ps["df"] / (1 - expected**2))
    assert ps["p"] == pytest.approx(2 * sps.t.sf(abs(t), ps["df"]), rel=1e-9)


def test_jackknife_drops_each_persona(data: Path) -> None:
    out = run(config(data))
    n = len(CELLS)
    reps = []
    for i in range(n):
        keep = np.delete(np.arange(n), i)
        sub = np.triu_indices(n - 1, k=1)
        reps.append(sps.spearmanr(D_COS[np.ix_(keep, keep)][sub], D_JS[np.ix_(keep, keep)][sub])[0])
    assert [r[0] for r in out.tables["jackknife"].rows] == CELLS
    assert [r[1] for r in out.tables["jackknife"].rows] == pytest.approx(reps, abs=1e-12)
    jk = out.metrics["jackknife"]
    se = math.sqrt((n - 1) / n * sum((r - np.mean(reps)) ** 2 for r in reps))
    assert jk["se"] == pytest.approx(se, abs=1e-12)
    assert (jk["min"], jk["max"]) == pytest.approx((min(reps), max(reps)), abs=1e-12)
    assert stats(out)["jackknife"][2:] == pytest.approx([min(reps), max(reps)], abs=1e-12)


def test_cluster_collapsed_rsa_correlates_between_cluster_means(data: Path) -> None:
    out = run(config(data, clusters=dict(zip(CELLS, MODELS, strict=True))))
    names = list(JS_MATRIX)
    idx = {m: [i for i, x in enumerate(MODELS) if x == m] for m in names}

    def means(d: np.ndarray) -> list[float]:
        return [
            d[np.ix_(idx[a], idx[b])].mean() for i, a in enumerate(names) for b in names[i + 1 :]
        ]

    expected = sps.spearmanr(means(D_COS), means(D_JS))[0]
    assert out.metrics["cluster_rsa"]["r"] == pytest.approx(expected, abs=1e-9)
    assert out.metrics["cluster_rsa"]["n_clusters"] == 4


def test_a_similarity_is_compared_as_one_minus_value(data: Path) -> None:
    as_distance = stats(run(config(data)))
    sim = GeometryConfig(
        x=source(data, "sim", "similarity"), y=source(data, "js"), permutations=B, seed=7
    )
    as_similarity = stats(run(sim))
    for name, row in as_distance.items():
        assert as_similarity[name] == pytest.approx(row, abs=1e-12), name
    # declaring the similarity a distance flips the sign: the reason the key is required
    wrong = GeometryConfig(x=source(data, "sim"), y=source(data, "js"), permutations=B, seed=7)
    assert stats(run(wrong))["raw_spearman"][0] == pytest.approx(-as_distance["raw_spearman"][0])


def test_y_is_aligned_to_x_by_label(data: Path, tmp_path: Path) -> None:
    order = np.random.default_rng(0).permutation(len(CELLS))
    shuffled = write(
        tmp_path, "shuffled.json",
        {"labels": [CELLS[i] for i in order], "js": D_JS[np.ix_(order, order)].tolist()},
    )  # fmt: skip
    moved = GeometryConfig(x=source(data, "cos"), y=source(shuffled, "js"), permutations=B, seed=7)
    expected = stats(run(config(data)))
    for name, row in stats(run(moved)).items():
        assert row == pytest.approx(expected[name], abs=1e-12), name


def test_result_carries_the_contracts_and_gets_the_rsa_scatter(data: Path) -> None:
    cfg = config(data)
    result = build_result(12, "geometry", cfg, run(cfg), Path.cwd())
    kind = get_kind("geometry")
    for table in kind.tables:
        assert table.mismatch(result.tables[table.name]) is None
    jobs = jobs_for(result)
    assert [job.chart for job in jobs] == ["rsa_scatter"]
    spec = jobs[0].build(result).to_dict()
    assert "Spearman ρ = 0.283" in json.dumps(spec, ensure_ascii=False)
    assert result.metrics["partial_spearman"] is None
    assert "no analysis.covariates" in result.nulls["metrics.partial_spearman"]


# ----- bad input ---------------------------------------------------------------------------


def test_the_groups_model_by_cue_matrix_is_refused_as_not_square(tmp_path: Path) -> None:
    path = write(tmp_path, "js_matrix.json", {"matrix": JS_MATRIX})
    cfg = GeometryConfig(
        x=source(path, "matrix", labels=None), y=source(path, "matrix", labels=None)
    )
    with pytest.raises(InputFileError, match=r"matrix is not square: rows \['educational-"):
        run(cfg)


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"labels": ["a", "b", "c", "d"], "m": [[0, 1, 2, 3]] * 3}, r"shape \[3, 4\], not square 4 × 4"),
        ({"labels": ["a", "b", "c", "d"], "m": [[0, 1], [1, 0, 2]]}, "not a rectangular array"),
        ({"labels": ["a", "b", "c", "d"], "m": [[0, None, 1, 1], [1, 0, 1, 1], [1, 1, 0, 1], [1, 1, 1, 0]]},
         r"non-finite value \(nan\) at 'a' × 'b'"),
        ({"labels": ["a", "b", "c", "d"], "m": [[0, 2, 1, 1], [1, 0, 1, 1], [1, 1, 0, 1], [1, 1, 1, 0]]},
         "not symmetric"),
        ({"labels": ["a", "a", "c", "d"], "m": [[0, 1, 1, 1], [1, 0, 1, 1], [1, 1, 0, 1], [1, 1, 1, 0]]},
         r"personas \['a'\] appear twice"),
        ({"labels": ["a", "b", "c"], "m": [[0, 1, 1], [1, 0, 1], [1, 1, 0]]}, "needs at least 4"),
        ({"labels": ["a", "b", "c", "d"]}, "no key 'm'"),
    ],
)  # fmt: skip
def test_bad_matrix_is_refused_with_a_clear_error(
    tmp_path: Path, doc: dict[str, Any], message: str
) -> None:
    path = write(tmp_path, "bad.json", doc)
    with pytest.raises(InputFileError, match=message) as err:
        run(GeometryConfig(x=source(path, "m"), y=source(path, "m")))
    assert "bad.json (x)" in str(err.value) and "\n" not in err.value.message


def test_bare_nan_in_the_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "nan.json"
    path.write_text('{"labels": ["a", "b", "c", "d"], "m": [[NaN, 1, 1, 1]]}')
    with pytest.raises(InputFileError, match=r"nan\.json"):
        run(GeometryConfig(x=source(path, "m"), y=source(path, "m")))


def test_mismatched_labels_are_refused(data: Path, tmp_path: Path) -> None:
    other = write(
        tmp_path, "other.json", {"labels": [*CELLS[:-1], "stranger"], "js": D_JS.tolist()}
    )
    cfg = GeometryConfig(x=source(data, "cos"), y=source(other, "js"))
    with pytest.raises(InputFileError, match=r"y: personas differ from x's \(missing \['base-"):
        run(cfg)


def test_clusters_must_name_every_persona(data: Path) -> None:
    with pytest.raises(ConfigError, match=r"analysis.clusters: no cluster for \['edu"):
        run(config(data, clusters={CELLS[-1]: "a"}))


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ("  permutations: 0\n", r"analysis.permutations: .*greater than or equal to 1"),
        ('  permutations: "999"\n', r"analysis.permutations: .*valid integer"),
        ("  mantel_permutations: 10\n", r"analysis.mantel_permutations: .*not permitted"),
        ("  method: kendall\n", r"analysis.method: "),
    ],
)
def test_config_keys_are_validated(tmp_path: Path, lines: str, message: str) -> None:
    exp = tmp_path / "exp.yaml"
    exp.write_text(
        "issue: 12\ntitle: t\nanalysis:\n  name: geometry\n"
        "  x: {file: a.json, matrix: m, labels: l, measure: similarity}\n"
        "  y: {file: a.json, matrix: m, labels: l, measure: distance}\n" + lines
    )
    with pytest.raises(AtlasError, match=message):
        load_config(exp)


def test_a_source_without_its_measure_is_refused(tmp_path: Path) -> None:
    exp = tmp_path / "exp.yaml"
    exp.write_text(
        "issue: 12\ntitle: t\nanalysis:\n  name: geometry\n"
        "  x: {file: a.json, matrix: m, labels: l}\n"
        "  y: {file: a.json, matrix: m, labels: l, measure: distance}\n"
    )
    with pytest.raises(ConfigError, match=r"analysis.x.measure: Field required"):
        load_config(exp)


def test_an_experiment_yaml_selects_the_kind_and_computes(data: Path, tmp_path: Path) -> None:
    exp = tmp_path / "exp.yaml"
    exp.write_text(
        "issue: 12\ntitle: t\nanalysis:\n  name: geometry\n"
        f"  x: {{file: {data}, matrix: cos, labels: labels, measure: distance}}\n"
        f"  y: {{file: {data}, matrix: js, labels: labels, measure: distance}}\n"
        "  permutations: 99\n  seed: 3\n"
    )
    result = compute(plan_experiment(exp))
    assert result.kind == result.provenance.analysis.name == "geometry"
    assert result.provenance.analysis.params["permutations"] == 99
    assert result.metrics["mantel"]["p"] >= 1 / 100


def _hub(n: int = 6) -> list[list[float]]:
    """Distances equal everywhere except from persona p0."""
    return [[0.0 if i == j else (2.0 + i + j if 0 in (i, j) else 1.0) for j in range(n)]
            for i in range(n)]  # fmt: skip


@pytest.mark.parametrize(
    ("x", "message"),
    [
        ([[0.0 if i == j else 1.0 for j in range(6)] for i in range(6)], "x or y is constant"),
        (_hub(), r"jackknife: without 'p0' a distance triangle is constant"),
    ],
)
def test_constant_distances_are_refused(tmp_path: Path, x: list[list[float]], message: str) -> None:
    y = np.random.default_rng(0).uniform(size=(6, 6))
    y = (y + y.T) / 2
    np.fill_diagonal(y, 0.0)
    labels = [f"p{i}" for i in range(6)]
    path = write(tmp_path, "flat.json", {"labels": labels, "x": x, "y": y.tolist()})
    with pytest.raises(InputFileError, match=message):
        run(GeometryConfig(x=source(path, "x"), y=source(path, "y"), permutations=9))

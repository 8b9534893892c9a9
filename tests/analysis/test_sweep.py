"""The recipe-comparison sweep on tiny synthetic centroids, against brute-force formulas."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError
from safetensors.numpy import load_file, save_file
from scipy import stats as sps

from persona_atlas.analysis import mantel, sweep
from persona_atlas.analysis.centroid_store import CentroidStore, map_tensors
from persona_atlas.analysis.synthetic import write_synthetic_extraction
from persona_atlas.config import AnalysisConfig, PairConfig
from persona_atlas.errors import ConfigError, InputFileError
from persona_atlas.jsonpath import flatten

LAYERS = [0, 2, 5]


@pytest.fixture(scope="module")
def extraction(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run")
    write_synthetic_extraction(
        out, recipes=["A", "B", "C1"], n_personas=10, layers=LAYERS, hidden=24, seed=1,
        recipe_noise=1.5, n_questions=7, per_question_recipes=["A", "B"],
    )  # fmt: skip
    return out


@pytest.fixture(scope="module")
def result(extraction: Path):
    return sweep.run(AnalysisConfig(centroids=extraction, mantel_permutations=99, seed=4))


def tensors(extraction: Path, stem: str) -> dict[str, np.ndarray]:
    return load_file(str(extraction / "centroids" / f"{stem}.safetensors"))


def cos_matrix(c: np.ndarray) -> np.ndarray:
    u = c / np.linalg.norm(c, axis=1, keepdims=True)
    return u @ u.T


def upper(m: np.ndarray) -> np.ndarray:
    return m[np.triu_indices(m.shape[0], 1)]


def test_cells_match_brute_force_formulas(extraction, result):
    cells = result.tables["cells"].records()
    assert len(cells) == 3 * len(LAYERS)  # pairs A-B, A-C1, B-C1
    for cell in cells:
        li = LAYERS.index(cell["layer"])
        x = tensors(extraction, cell["x"])["centroid"][:, li].astype(np.float64)
        y = tensors(extraction, cell["y"])["centroid"][:, li].astype(np.float64)
        per = np.sum(x * y, 1) / np.linalg.norm(x, axis=1) / np.linalg.norm(y, axis=1)
        assert cell["cos_min"] == pytest.approx(per.min(), abs=1e-6)
        assert cell["cos_p5"] == pytest.approx(np.percentile(per, 5), abs=1e-6)
        assert cell["cos_mean"] == pytest.approx(per.mean(), abs=1e-6)
        assert cell["cos_max"] == pytest.approx(per.max(), abs=1e-6)
        rx, ry = upper(cos_matrix(x)), upper(cos_matrix(y))
        assert cell["raw_pearson"] == pytest.approx(sps.pearsonr(rx, ry)[0], abs=1e-5)
        assert cell["raw_spearman"] == pytest.approx(sps.spearmanr(rx, ry)[0], abs=1e-5)
        mx, my = cos_matrix(x - x.mean(0)), cos_matrix(y - y.mean(0))
        assert cell["mc_r"] == pytest.approx(sps.pearsonr(upper(mx), upper(my))[0], abs=1e-5)
        ref = mantel(mx, my, permutations=99, seed=4)
        assert cell["mantel_p"] == pytest.approx(ref.p)


def test_noise_floor_from_split_halves(extraction, result):
    rows = result.tables["noise_floor"].records()
    assert [(r["recipe"], r["layer"]) for r in rows] == [
        (r, layer) for layer in LAYERS for r in ("A", "B", "C1")
    ]
    row = rows[4]  # B at layer 2
    t = tensors(extraction, "B")
    a, b = t["half_a"][:, 1].astype(np.float64), t["half_b"][:, 1].astype(np.float64)
    per = np.sum(a * b, 1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
    assert row["cos_min"] == pytest.approx(per.min(), abs=1e-6)
    ma, mb = cos_matrix(a - a.mean(0)), cos_matrix(b - b.mean(0))
    assert row["mc_r"] == pytest.approx(np.corrcoef(upper(ma), upper(mb))[0, 1], abs=1e-5)


def test_per_question_spread_and_its_nulls(extraction, result):
    def spread(stem: str, layer_idx: int) -> np.ndarray:
        v = load_file(str(extraction / "per_question" / f"{stem}.safetensors"))["vectors"]
        u = v[:, :, layer_idx].astype(np.float64)  # [P, Q, H]
        u /= np.linalg.norm(u, axis=2, keepdims=True)
        m = u.mean(0)  # [Q, H]
        return np.mean(np.sum((u - m) ** 2, axis=2), axis=0)  # mean squared distance, [Q]

    cells = result.tables["cells"].records()
    ab = next(c for c in cells if c["pair"] == "A vs B" and c["layer"] == 5)
    expected = sps.spearmanr(spread("A", 2), spread("B", 2))[0]
    assert ab["spread_spearman"] == pytest.approx(expected, abs=1e-9)
    i = next(i for i, c in enumerate(cells) if c["pair"] == "A vs C1")
    assert cells[i]["spread_spearman"] is None
    assert result.nulls[f"tables.cells.rows[{i}][12]"] == "recipe C1 has no per-question arrays"
    assert result.metrics["n_questions"] == 7


def test_verdict_tables_are_consistent(result):
    counts = dict(result.tables["verdict_counts"].rows)
    assert list(counts) == ["PASS", "GREY", "KILL"]
    assert sum(counts.values()) == result.metrics["n_cells"] == 9
    by_pair = result.tables["verdict_by_pair"].records()
    assert [r["pair"] for r in by_pair] == ["A vs B", "A vs C1", "B vs C1"]
    assert all(r["PASS"] + r["GREY"] + r["KILL"] == 3 for r in by_pair)
    assert result.metrics["verdict_counts"] == counts
    cos_min = [c["cos_min"] for c in result.tables["cells"].records()]
    assert result.metrics["ranges"]["cos_min"] == {"min": min(cos_min), "max": max(cos_min)}
    assert result.metrics["n_matrix_pairs"] == 45
    assert result.metrics["pairs"]["A__C1"]["pair"] == "A vs C1"
    cats = result.metrics["verdict_by_category"]
    assert cats["other"]["cells"] == 9 and sum(cats["other"][k] for k in counts) == 9
    assert cats["all_load_bearing_pass"] is False and cats["any_load_bearing_kill"] is False
    grid = result.tables["verdict_grid"]
    assert grid.columns == ["pair", "category", "layer_0", "layer_2", "layer_5"]
    cells = result.tables["cells"].records()
    assert grid.rows[1] == [
        "A vs C1",
        "other",
        *(c["verdict"] for c in cells if c["pair"] == "A vs C1"),
    ]


def test_metric_subset_leaves_explained_nulls(extraction):
    config = AnalysisConfig(
        centroids=extraction,
        metrics=["per_persona_cos"],
        pairs=[PairConfig(x="A", y="B", category="load-bearing")],
    )
    out = sweep.run(config)
    row = out.tables["cells"].records()[0]
    assert row["cos_min"] is not None and row["mc_r"] is None and row["verdict"] is None
    assert "noise_floor" not in out.tables
    assert "not selected" in out.nulls["tables.cells.rows[0][11]"]
    assert (
        out.nulls["tables.cells.rows[0][14]"] == "the verdict needs both per_persona_cos and mc_r"
    )
    # every null anywhere in metrics is explained
    unexplained = [
        p for p, v in flatten(out.metrics, ["metrics"]) if v is None and p not in out.nulls
    ]
    assert unexplained == []
    assert "metrics.pairs.A__B.mc_r.max" in out.nulls
    assert out.verdict is None and "verdict" in out.nulls


def test_unknown_metric_is_a_config_error(extraction, tmp_path, monkeypatch, capsys):
    with pytest.raises(ConfigError, match="unknown metric 'cos_median'"):
        sweep.run(AnalysisConfig.model_construct(centroids=extraction, metrics=["cos_median"]))
    with pytest.raises(ValidationError, match="unknown metric 'cos_median'"):
        AnalysisConfig(centroids=extraction, metrics=["cos_median"])
    from persona_atlas.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "exp.yaml").write_text(
        f"issue: 3\ntitle: t\nanalysis:\n  centroids: {extraction}\n"
        "  metrics:\n    - mc_r\n    - cos_median\n"
    )
    assert main(["analyze", "exp.yaml"]) == 2
    err = capsys.readouterr().err
    assert "exp.yaml:7: analysis.metrics.1: unknown metric 'cos_median'" in err
    assert "registered metrics: per_persona_cos, raw_pearson" in err
    assert not (tmp_path / "results").exists()


def test_store_tables_and_zero_copy_views(extraction):
    store = CentroidStore(extraction)
    assert store.query("SELECT count(*) FROM personas") == [(10,)]
    assert store.query("SELECT layer FROM layers ORDER BY layer_idx") == [(0,), (2,), (5,)]
    assert store.query("SELECT recipe, hidden FROM recipes ORDER BY recipe") == [
        ("A", 24), ("B", 24), ("C1", 24),
    ]  # fmt: skip
    view = store.layer("B", "centroid", 1)
    assert isinstance(view.base, np.memmap) or isinstance(view, np.memmap)
    assert not view.flags.writeable
    np.testing.assert_array_equal(view, tensors(extraction, "B")["centroid"][:, 1])


# ----------------------------------------------------------------------------- bad input


def rewrite(path: Path, edit) -> None:
    views, meta = map_tensors(path)
    data = {k: np.array(v) for k, v in views.items()}
    edit(data, meta)
    save_file(data, str(path), metadata=meta)


@pytest.fixture
def small(tmp_path: Path) -> Path:
    write_synthetic_extraction(
        tmp_path, recipes=["A", "B"], n_personas=6, layers=[3, 7], hidden=8, seed=2
    )
    return tmp_path


def run_small(small: Path) -> None:
    sweep.run(AnalysisConfig(centroids=small, mantel_permutations=9))


def test_nan_names_recipe_persona_and_layer(small):
    def poison(d, meta):
        d["centroid"][4, 1, 2] = np.nan

    rewrite(small / "centroids" / "B.safetensors", poison)
    with pytest.raises(
        InputFileError, match=r"recipe B, centroid, layer 7, persona 'persona_004': NaN"
    ):
        run_small(small)


def test_zero_norm_centroid(small):
    def zero(d, meta):
        d["half_a"][1, 0] = 0.0

    rewrite(small / "centroids" / "A.safetensors", zero)
    with pytest.raises(
        InputFileError, match=r"recipe A, half_a, layer 3, persona 'persona_001': zero-norm"
    ):
        run_small(small)


def test_missing_split_half(small):
    rewrite(small / "centroids" / "A.safetensors", lambda d, meta: d.pop("half_b"))
    with pytest.raises(InputFileError, match="recipe A: split half 'half_b' is missing"):
        run_small(small)


def test_prefix_only_recipe_without_halves_uses_its_centroid(tmp_path):
    from persona_atlas.analysis.centroid_store import open_recipe

    write_synthetic_extraction(tmp_path, recipes=["A", "C1"], n_personas=4, layers=[0, 1], hidden=8)
    rewrite(
        tmp_path / "centroids" / "C1.safetensors", lambda d, m: [d.pop("half_a"), d.pop("half_b")]
    )
    rewrite(tmp_path / "centroids" / "A.safetensors", lambda d, m: d.pop("half_a"))
    c1 = open_recipe(tmp_path / "centroids" / "C1.safetensors")
    assert np.array_equal(c1.half_a, c1.centroid) and np.array_equal(c1.half_b, c1.centroid)
    with pytest.raises(InputFileError, match="recipe A: split half 'half_a' is missing"):
        open_recipe(tmp_path / "centroids" / "A.safetensors")  # A depends on the question


def test_hidden_sizes_disagree(small):
    def shrink(d, meta):
        for k in ("centroid", "half_a", "half_b"):
            d[k] = np.ascontiguousarray(d[k][:, :, :6])

    rewrite(small / "centroids" / "B.safetensors", shrink)
    with pytest.raises(InputFileError, match="recipe B has hidden size 6, recipe A has 8"):
        run_small(small)


def test_persona_sets_differ(small):
    def rename(d, meta):
        names = json.loads(meta["personas"])
        names[2] = "pirate"
        meta["personas"] = json.dumps(names)

    rewrite(small / "centroids" / "B.safetensors", rename)
    with pytest.raises(
        InputFileError, match=r"only in A: \['persona_002'\]; only in B: \['pirate'\]"
    ):
        run_small(small)


def test_centroid_shape_disagrees_with_metadata(small):
    def drop_layer(d, meta):
        d["centroid"] = np.ascontiguousarray(d["centroid"][:, :1])

    rewrite(small / "centroids" / "A.safetensors", drop_layer)
    with pytest.raises(
        InputFileError, match=r"centroid is float32\[6, 1, 8\], expected float32\[6, 2, H\]"
    ):
        run_small(small)


def test_cli_on_experiment_config_uses_extract_out_dir(small, tmp_path, monkeypatch, capsys):
    from persona_atlas.cli import main
    from persona_atlas.schema import load_result

    monkeypatch.chdir(tmp_path)
    config = tmp_path / "exp.yaml"
    config.write_text(
        "issue: 9\ntitle: Synthetic sweep\n"
        "extract: {model: synthetic, personas: p.yaml, questions: q.yaml, layers: [3, 7],"
        f" out_dir: {small}}}\n"
        "analysis:\n  mantel_permutations: 19\n"
        "  pairs: [{x: A, y: B, category: load-bearing}]\n"
    )
    assert main(["analyze", str(config)]) == 0
    result = load_result(tmp_path / "results/issue-9/result.json")
    assert [ref.path for ref in result.provenance.inputs] == [
        "centroids/A.safetensors",
        "centroids/B.safetensors",
    ]
    assert result.provenance.analysis.params["centroids"] == str(small.relative_to(tmp_path))
    assert main(["analyze", "--verify", "results/issue-9"]) == 0

    def poison(d, meta):
        d["centroid"][0, 0, 0] = np.inf

    rewrite(small / "centroids" / "A.safetensors", poison)
    before = (tmp_path / "results/issue-9/result.json").read_bytes()
    capsys.readouterr()
    assert main(["analyze", str(config)]) == 2
    assert (
        "recipe A, centroid, layer 3, persona 'persona_000': NaN or infinite"
        in capsys.readouterr().err
    )
    assert (tmp_path / "results/issue-9/result.json").read_bytes() == before


def test_without_any_per_question_arrays_the_reason_is_the_config(small):
    out = sweep.run(AnalysisConfig(centroids=small, mantel_permutations=0))
    assert out.nulls["tables.cells.rows[0][12]"] == (
        "no per-question arrays (extract.per_question: false)"
    )
    assert out.nulls["tables.cells.rows[0][13]"].startswith("Mantel test disabled")

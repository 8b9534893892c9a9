"""The kinds registry: every kind, table, column and figure documented; a kind is one folder
plus one registry line; its code version covers its own modules only; its config refuses the
keys of other kinds; the committed results follow their kind's table contracts."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from persona_atlas import kinds
from persona_atlas.analysis import versioning
from persona_atlas.analysis.verdicts import cells_connection
from persona_atlas.config import load_config
from persona_atlas.config_docs import configuration_markdown
from persona_atlas.errors import ConfigError
from persona_atlas.figures.registry import CAPTIONS, CHARTS, OPTIONAL
from persona_atlas.kinds.docs import kinds_markdown
from persona_atlas.kinds.recipe_comparison.tables import CELLS
from persona_atlas.schema import load_result

ROOT = Path(__file__).resolve().parents[2]


def test_kinds_doc_is_generated_from_the_declarations() -> None:
    committed = (ROOT / "docs" / "kinds.md").read_text(encoding="utf-8")
    assert committed == kinds_markdown(), "docs/kinds.md drifted: `atlas schema --write`"


def test_every_kind_table_column_and_figure_is_documented() -> None:
    doc = (ROOT / "docs" / "kinds.md").read_text(encoding="utf-8")
    config_doc = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    for kind in kinds.all_kinds():
        assert kind.doc and f"## `{kind.name}`" in doc, kind.name
        assert f"(kind `{kind.name}`)" in config_doc, kind.name
        for key in kind.config.model_fields:
            assert f"| `analysis.{key}` |" in config_doc, (kind.name, key)
        for table in kind.tables:
            assert table.doc and f"#### `{table.name}`" in doc, (kind.name, table.name)
            for column in table.columns:
                assert column.doc, (kind.name, table.name, column.name)
                assert f"| `{column.name}` | {column.type} |" in doc
        for figure in (*kind.figures, *kind.optional_figures):
            assert figure in CHARTS and figure in CAPTIONS, (kind.name, figure)
            assert f"- `{figure}`" in doc
        for figure in kind.optional_figures:  # drawn from a table the kind declares
            table = OPTIONAL.get(figure)
            assert figure == "cosine_matrix" or table in {t.name for t in kind.tables}


def test_committed_results_follow_their_kinds_table_contracts() -> None:
    for path in sorted((ROOT / "results").glob("*/result.json")):
        result = load_result(path)
        kind = kinds.kind_of(result)
        assert (kind is not None and kind.name == result.provenance.analysis.name) or (
            kind is not None and result.provenance.analysis.name in [p.name for p in kind.producers]
        ), path
        declared = {t.name: t for t in kind.tables}
        for name, table in result.tables.items():
            assert name in declared, f"{path}: table {name!r} not declared by {kind.name}"
            assert declared[name].mismatch(table) is None, path


def test_the_cells_contract_is_the_one_the_verdict_rules_query() -> None:
    con = cells_connection([])
    described = con.execute("DESCRIBE cells").fetchall()
    assert {name: kind for name, kind, *_ in described if name != "ord"} == CELLS.types


def test_the_registry_is_the_only_list_of_kinds() -> None:
    """Kind names appear as string literals only in their own folder and the registry."""
    names = list(kinds.KINDS)
    package = ROOT / "persona_atlas"
    for path in package.rglob("*.py"):
        rel = path.relative_to(package).as_posix()
        if rel == "kinds/__init__.py" or rel.startswith("kinds/"):
            continue
        text = path.read_text(encoding="utf-8")
        for name in names:
            listed = [f'"{a}", "{b}"' for a in names for b in names if a != b]
            assert not any(pair in text for pair in listed), f"{rel} lists kinds"
            assert f'"{name}": "persona_atlas.' not in text, f"{rel} registers {name}"


def test_code_version_covers_only_the_modules_of_the_kind() -> None:
    def files(analysis: str) -> set[str]:
        return {p.relative_to(ROOT).as_posix() for p in versioning.source_files(analysis)}

    sweep, stored = files("recipe-comparison"), files("stored-matrix-comparison")
    imported = files("import:legacy-recipe-sweep")
    assert "persona_atlas/analysis/sweep.py" in sweep
    assert not any("legacy_import" in f or "stored_matrices" in f for f in sweep)
    assert "persona_atlas/analysis/stored_matrices.py" in stored
    assert not any("legacy_import" in f or f.endswith("/sweep.py") for f in stored)
    assert not any("stored_matrix_comparison" in f for f in sweep | imported)
    assert "persona_atlas/analysis/legacy_import/summary.py" in imported
    assert not any(f.endswith(("/sweep.py", "/stored_matrices.py")) for f in imported)
    # the package's re-exports (the statistics API) are not a dependency of every kind
    assert not any(f == "persona_atlas/analysis/__init__.py" for f in sweep | stored | imported)
    assert "persona_atlas/analysis/statistics.py" in stored  # its Mantel test
    shared = "persona_atlas/analysis/verdicts.py"
    assert shared in sweep and shared in stored and shared in imported


def test_unknown_kind_and_another_kinds_key_are_refused(tmp_path: Path) -> None:
    exp = tmp_path / "exp.yaml"
    exp.write_text("issue: 3\ntitle: t\nanalysis:\n  name: nope\n  source: x.json\n")
    with pytest.raises(ConfigError, match=r"exp.yaml:4: analysis.name: unknown kind 'nope'"):
        load_config(exp)
    # `centroids` is a recipe-comparison key: a stored-matrix comparison refuses it
    exp.write_text(
        "issue: 3\ntitle: t\nanalysis:\n  name: stored-matrix-comparison\n"
        "  source: x.json\n  centroids: results\n"
    )
    with pytest.raises(ConfigError, match=r"exp.yaml:6: analysis.centroids: .*not permitted"):
        load_config(exp)


TOY_KIND = '''
from persona_atlas.config_types import KindConfig
from persona_atlas.kinds.base import Column, Kind, TableContract, Vocabulary


class ToyConfig(KindConfig):
    name: str = "toy"
    """Registered kind to run."""
    scale: float = 2.0
    """What every value is multiplied by."""


POINTS = TableContract("points", "One row per point.", (Column("x", "DOUBLE", "A value."),))

KIND = Kind(
    name="toy",
    doc="A toy kind: a scaled point.",
    config=ToyConfig,
    run="toy_kind.compute:run",
    tables=(POINTS,),
    figures=(),
    modules=(),
    vocabulary=Vocabulary.of(synonyms={"dot": "point"}),
)
'''
TOY_RUN = """
from persona_atlas.analysis.output import AnalysisOutput
from toy_kind import POINTS


def run(config, *, progress=False):
    table = POINTS.table([[config.scale]])
    return AnalysisOutput(kind="toy", metrics={"x": config.scale}, tables={"points": table})
"""


@pytest.fixture
def toy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """One folder (``toy_kind/``) and one registry line."""
    folder = tmp_path / "src" / "toy_kind"
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text(TOY_KIND)
    (folder / "compute.py").write_text(TOY_RUN)
    monkeypatch.syspath_prepend(str(tmp_path / "src"))
    monkeypatch.setitem(kinds.KINDS, "toy", "toy_kind")
    yield folder
    for name in [m for m in sys.modules if m.startswith("toy_kind")]:
        del sys.modules[name]
    kinds._load.cache_clear()


def test_a_kind_is_one_folder_and_one_registry_line(toy: Path, tmp_path: Path, monkeypatch) -> None:
    from persona_atlas.analysis.analyses import compute, plan_experiment

    monkeypatch.chdir(tmp_path)
    exp = tmp_path / "exp.yaml"
    exp.write_text("issue: 3\ntitle: toy\nanalysis:\n  name: toy\n  scale: 4.5\n")
    plan = plan_experiment(exp)
    result = compute(plan)
    assert result.kind == "toy" and result.metrics == {"x": 4.5}
    assert result.provenance.analysis.params == {"scale": 4.5}
    assert result.provenance.code_version == versioning.code_version("toy")
    assert kinds.kind_of(result) is kinds.get_kind("toy")
    # validated: its own keys only
    exp.write_text("issue: 3\ntitle: toy\nanalysis:\n  name: toy\n  seed: 1\n")
    with pytest.raises(ConfigError, match=r"analysis.seed: .*not permitted"):
        load_config(exp)
    # documented, in both generated pages
    assert "## `toy`" in kinds_markdown() and "#### `points`" in kinds_markdown()
    assert "| `analysis.scale` |" in configuration_markdown()
    # its code version covers its folder: editing it stales its results, not the others'
    before = {a: versioning.code_version(a) for a in ("toy", "recipe-comparison")}
    (toy / "compute.py").write_text(TOY_RUN + "\n# changed\n")
    assert versioning.code_version("toy") != before["toy"]
    assert versioning.code_version("recipe-comparison") == before["recipe-comparison"]


def test_lint_reads_the_words_of_the_results_kind(toy: Path) -> None:
    from persona_atlas.lint.terms import BASE, vocabulary, word_terms

    assert word_terms("roles") == ("role",)  # no kind: a role is not a persona
    with vocabulary(kinds.get_kind("recipe-comparison").vocabulary):
        assert word_terms("roles") == ("persona",)
        assert word_terms("per_persona_min")[:2] == ("cos_min", "cos")
    with vocabulary(kinds.get_kind("toy").vocabulary):
        assert word_terms("dots") == ("point",) and word_terms("roles") == ("role",)
    assert dict(BASE.synonyms)["cosine"] == "cos"


def test_check_reports_a_result_of_no_registered_kind(tmp_path: Path) -> None:
    from persona_atlas.staleness import check_result

    doc = (ROOT / "results" / "issue-200" / "result.json").read_text(encoding="utf-8")
    path = tmp_path / "results" / "issue-200" / "result.json"
    path.parent.mkdir(parents=True)
    path.write_text(doc.replace('"name": "stored-matrix-comparison"', '"name": "rsa"'))
    check = check_result(path, root=tmp_path)
    messages = [f.message for f in check.findings if f.status == "stale"]
    assert any("'rsa' is neither a registered kind nor the importer of one" in m for m in messages)

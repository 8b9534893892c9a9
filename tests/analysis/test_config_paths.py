"""Files a config names are recorded relative to the repository root wherever they sit in
the config (top-level keys, nested sections, lists of sections), and resolved against it
before the analysis reads them."""

from __future__ import annotations

from pathlib import Path

from persona_atlas.analysis.result_writer import anchored, map_paths
from persona_atlas.kinds.geometry.config import GeometryConfig


def _config(root: Path) -> GeometryConfig:
    src = {"matrix": "m", "labels": "l", "measure": "distance"}
    return GeometryConfig.model_validate(
        {
            "x": {"file": str(root / "data" / "x.json"), **src},
            "y": {"file": str(root / "data" / "y.json"), **src},
            "covariates": [{"name": "len", "file": str(root / "data" / "c.json"), **src}],
        }
    )


def test_nested_and_listed_files_are_recorded_relative_to_the_root(tmp_path: Path) -> None:
    cfg = anchored(_config(tmp_path), tmp_path)
    assert cfg.x.file == Path("data/x.json")
    assert cfg.covariates[0].file == Path("data/c.json")
    assert cfg.model_dump(mode="json")["x"]["file"] == "data/x.json"


def test_paths_are_resolved_against_the_root_before_reading(tmp_path: Path) -> None:
    cfg = map_paths(anchored(_config(tmp_path), tmp_path), lambda p: tmp_path / p)
    assert {cfg.x.file, cfg.y.file, cfg.covariates[0].file} == {
        tmp_path / "data" / n for n in ("x.json", "y.json", "c.json")
    }


def test_a_config_without_paths_is_returned_unchanged(tmp_path: Path) -> None:
    cfg = _config(tmp_path)
    assert map_paths(cfg.method, lambda p: p) == cfg.method
    untouched = anchored(cfg, tmp_path)
    assert untouched.seed == cfg.seed and untouched.permutations == cfg.permutations

"""``atlas analyze`` draws the result's figures into results/<slug>/figures/; --no-figures
skips them. Same small experiment as test_analyze_verb (the 20-persona pilot)."""

from __future__ import annotations

from pathlib import Path

import pytest
import test_analyze_verb

from persona_atlas.cli import main
from persona_atlas.figures import figure_is_stale, jobs_for
from persona_atlas.figures.render import read_meta, spec_sha256_of
from persona_atlas.files import sha256_file
from persona_atlas.schema import load_result

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

# Reused, not copied: a tmp project holding exp.yaml and the pilot input.
project = test_analyze_verb.project
RESULT = Path("results/issue-7")


def test_analyze_draws_every_figure(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", "exp.yaml"]) == 0
    out = capsys.readouterr().out
    result_path = project / RESULT / "result.json"
    jobs = jobs_for(load_result(result_path))
    # The pilot is a recipe comparison with stored matrices: 3 charts + 4 layers × 2 recipes.
    assert len(jobs) == 11
    figures = project / RESULT / "figures"
    expected = {f"{j.name}{s}" for j in jobs for s in (".vl.json", ".svg", ".png", ".meta.json")}
    assert {f.name for f in figures.iterdir()} == expected
    assert f"figures: {len(expected)} file(s) updated in {RESULT / 'figures'}" in out
    for job in jobs:
        meta = read_meta(figures / f"{job.name}.meta.json")
        assert meta is not None and meta.chart == job.chart
        assert meta.result_sha256 == sha256_file(result_path)
        assert meta.spec_sha256 == spec_sha256_of(figures / f"{job.name}.vl.json")
        assert (figures / f"{job.name}.svg").read_bytes().startswith(b"<svg")
        assert (figures / f"{job.name}.png").read_bytes().startswith(b"\x89PNG")
        assert figure_is_stale(figures / f"{job.name}.meta.json", result_path) is None


def test_no_figures_skips_them(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", "exp.yaml", "--no-figures"]) == 0
    out = capsys.readouterr().out
    assert (project / RESULT / "result.json").exists()
    assert not (project / RESULT / "figures").exists()
    assert "figures:" not in out

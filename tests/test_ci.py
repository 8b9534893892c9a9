"""The group's GitHub workflow and `.ci/run` run what the README promises."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _workflow() -> dict:
    doc = yaml.safe_load((ROOT / ".github" / "workflows" / "site.yml").read_text())
    # YAML 1.1 reads the bare key `on` as True
    doc["on"] = doc.pop(True, doc.get("on"))
    return doc


def _runs(job: dict) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def test_every_push_and_pull_request_runs_tests_and_checks() -> None:
    wf = _workflow()
    assert "pull_request" in wf["on"] and "push" in wf["on"]
    assert not (wf["on"]["push"] or {}).get("branches"), "pushes to every branch are checked"
    check = _runs(wf["jobs"]["check"])
    assert re.search(r"^make test$", check, re.M)
    assert re.search(r"make check 2>&1 \| tee lint.log", check)
    assert "GITHUB_STEP_SUMMARY" in check, "the lint summary reaches the job page"


def test_only_main_publishes_and_torch_is_the_cpu_build() -> None:
    wf = _workflow()
    publish = wf["jobs"]["publish"]
    assert publish["needs"] == "check"
    assert "refs/heads/main" in publish["if"] and "push" in publish["if"]
    assert "make site" in _runs(publish)
    assert any("deploy-pages" in step.get("uses", "") for step in publish["steps"])
    assert wf["env"]["TORCH_SPEC"].endswith("+cpu") and wf["env"]["TORCH_INDEX"]


def test_ci_script_runs_the_readme_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    script = (ROOT / ".ci" / "run").read_text()
    for command in ("make test", "make check", "make site"):
        assert command in readme
        assert re.search(rf"^{command}\b", script, re.M), command


def test_the_site_is_also_built_by_zensical_but_only_material_is_published() -> None:
    wf = _workflow()
    assert re.search(r"^make site-zensical$", _runs(wf["jobs"]["check"]), re.M)
    publish = _runs(wf["jobs"]["publish"])
    assert "zensical" not in publish and re.search(r"^make site$", publish, re.M)
    assert re.search(r"^make site-zensical\b", (ROOT / ".ci" / "run").read_text(), re.M)
    makefile = (ROOT / "Makefile").read_text()
    target = re.search(r"^site-zensical: (.*)\n\t(.*)$", makefile, re.M)
    assert target and "$(DEV_STAMP)" in target[1], "zensical comes with the dev extra"
    assert "--engine zensical" in target[2] and "--out build/" in target[2]
    site = re.search(r"^site: (.*)\n\t(.*)$", makefile, re.M)
    assert site and "DEV_STAMP" not in site[1] and "--engine" not in site[2]

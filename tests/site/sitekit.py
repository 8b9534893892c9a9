"""Build a small, complete site tree (git repo, mkdocs.yml, templates, results) in a tmp dir."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
REMOTE = "git@github.com:persona-group/atlas-results.git"
REPO_URL = "https://github.com/persona-group/atlas-results"  # REMOTE as pages link to it


def git(cwd: Path, *args: str) -> str:
    out = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def result_doc(issue: int, **over: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "schema_version": "1",
        "issue": issue,
        "title": f"Result {issue}",
        "kind": "recipe-comparison",
        "provenance": {
            "git": {"commit": None, "dirty": False},
            "created": "2026-01-01T00:00:00Z",
            "code_version": "0.1.0+test",
            "analysis": {"name": "recipe-comparison", "params": {"pass_cos_min": 0.95}},
            "inputs": [],
        },
        "verdict": "KILL",
        "metrics": {
            "ranges": {"cos_min": {"min": -0.1029, "max": 0.9312}},
            "n_personas": 275,
            "n_matrix_pairs": 37675,
        },
        "tables": {
            "verdict_counts": {
                "columns": ["verdict", "count"],
                "rows": [["PASS", 0], ["GREY", 1], ["KILL", 419]],
                "description": "Cells per verdict.",
            },
            "cells": {
                "columns": ["pair", "layer", "cos_min", "mc_r", "verdict"],
                "rows": [
                    ["A vs B", 20, 0.6152, 0.8209, "KILL"],
                    ["A vs C1", 20, 0.17, 0.69, "KILL"],
                ],
            },
        },
    }
    doc.update(over)
    return doc


REPORT = """---
issue: {issue}
title: {title}
confidence: {confidence}
status: published
date: 2026-05-01
source_issues: [201]
derives_from: {derives}
tags: [recipes, qwen]
hero: {hero}
---

## TL;DR

### Results

Across {{{{ value("metrics.n_matrix_pairs", ",d") }}}} persona pairs, cos_min spans
{{{{ value("metrics.ranges.cos_min.min", ".2f") }}}} to {{{{ value("metrics.ranges.cos_min.max", ".2f") }}}}.
See #{other} for the sweep.

{{{{ table("verdict_counts") }}}}

{{{{ query("SELECT pair, mc_r FROM cells ORDER BY mc_r DESC") }}}}

**Confidence: {confidence}** — the numbers come straight from the result.

## Caveats

- **Small model.** Only 135M parameters.
- One prompt set, so the
  geometry may be prompt-specific.
"""

SPEC = {
    "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
    "data": {"values": [{"x": 1, "y": 2}, {"x": 2, "y": 3}]},
    "mark": "point",
    "encoding": {
        "x": {"field": "x", "type": "quantitative"},
        "y": {"field": "y", "type": "quantitative"},
    },
}
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'


def add_result(
    root: Path,
    issue: int,
    *,
    other: int = 1,
    derives: str = "[]",
    confidence: str = "HIGH",
    hero: str = "scatter",
    report: str | None = None,
    result: dict[str, Any] | None = None,
) -> Path:
    d = root / "results" / f"issue-{issue}"
    (d / "figures").mkdir(parents=True, exist_ok=True)
    text = report if report is not None else REPORT
    (d / "report.md").write_text(
        text.format(
            issue=issue,
            title=f"Result {issue}",
            confidence=confidence,
            derives=derives,
            other=other,
            hero=hero,
        )
    )
    (d / "result.json").write_text(json.dumps(result or result_doc(issue), indent=2))
    (d / "figures" / "scatter.vl.json").write_text(json.dumps(SPEC))
    (d / "figures" / "scatter.svg").write_text(SVG)
    (d / "figures" / "scatter.meta.json").write_text(json.dumps({"caption": "A scatter."}))
    return d


def make_site(tmp: Path) -> Path:
    """A git repo with mkdocs.yml, the real templates and two linked results, committed."""
    root = tmp / "repo"
    root.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(ROOT / "templates", root / "templates")
    add_result(root, 201, other=218)
    add_result(root, 218, other=201, derives="[201]", confidence="MODERATE")
    git(root, "init", "-q")
    git(root, "remote", "add", "origin", REMOTE)  # repo_url comes from here
    git(root, "add", "-A")
    git(root, "commit", "-qm", "results")
    return root


def repo_with_committed_result(tmp_path: Path, slug: str = "issue-200") -> Path:
    """A git repository holding a copy of one committed result (which passes lint), the
    templates and mkdocs.yml."""
    root = tmp_path / "repo"
    (root / "results").mkdir(parents=True)
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(ROOT / "templates", root / "templates")
    shutil.copytree(ROOT / "results" / slug, root / "results" / slug)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "results")
    return root

"""The script analysis: check the paths, call the script's function, validate its return."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from persona_atlas.analysis.output import AnalysisOutput
from persona_atlas.gitinfo import repo_root
from persona_atlas.kinds.script import api
from persona_atlas.kinds.script.config import ScriptConfig
from persona_atlas.kinds.script.loader import inside, load_function

KIND_NAME = "script"


def run(config: ScriptConfig, *, progress: bool = False) -> AnalysisOutput:
    """Run the script ``config.script`` on its declared inputs (paths as given: absolute,
    or relative to the repository root)."""
    # the repository root as ``atlas analyze`` finds it (not imported from the writer, so
    # that the kind's code version covers its own folder)
    root = repo_root(os.getcwd()) or Path.cwd()
    script = inside(config.script, root, "script")
    files = {name: inside(path, root, f"input {name!r}") for name, path in config.inputs.items()}
    fn: Callable[[api.ScriptInputs], Any] = load_function(script, config.function)  # type: ignore[assignment]
    returned = fn(api.ScriptInputs(files=files, params=dict(config.params)))
    metrics, tables, verdict = api.validate(returned)
    return AnalysisOutput(
        kind=KIND_NAME,
        metrics=metrics,
        tables=tables,
        verdict=verdict,
        # the script is an input too: `atlas check` notices when it changed
        inputs=[str(p) for p in (script, *files.values())],
    )

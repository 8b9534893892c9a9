"""``script``: an analysis written as a Python function in the repository.

For the shapes no built-in kind has. The experiment names the script
(``analyses/issue_<N>.py``), its function, its input files and its parameters; the function
receives them through ``api.ScriptInputs`` and returns values and tables through
``api.ScriptOutput``, validated before anything is written. The script and every input are
recorded with their sha256 in provenance (``atlas check`` notices an edit to either), and
``atlas analyze --verify`` re-runs the script and compares. The kind's code version covers
this folder; the script's own code is covered by its hash.
"""

from __future__ import annotations

from persona_atlas.kinds.base import Kind
from persona_atlas.kinds.script.config import ScriptConfig

KIND = Kind(
    name="script",
    doc="An analysis written as a Python function in the repository (`script:`, "
    "`function:`), called in-process with its declared `inputs` (name → file) and `params` "
    "(JSON scalars) through `persona_atlas.kinds.script.api`; what it returns (values, "
    "tables, an optional verdict) is validated (finite numbers, rectangular tables, JSON "
    "types) and becomes the result's metrics, tables and verdict. The script and each input "
    "are provenance inputs with their sha256, so `atlas check` reports the result stale "
    "when either changes; `atlas analyze --verify` re-runs the script and compares. Tables "
    "are the script's own (no declared contract); no figures.",
    config=ScriptConfig,
    run="persona_atlas.kinds.script.compute:run",
    tables=(),
    figures=(),
    modules=(),
)

"""``imported``: one of the group's result JSON files, carried over as it is.

``atlas import`` reads any JSON the group wrote (``analysis/legacy_import/`` handles the
#201 recipe-sweep format, which it turns into a recipe comparison): the file's document
becomes ``metrics`` (one key per file stem when several files are imported), each list of
records also becomes a table declared on the fly, and quirks are tolerated with a warning
(``read.py``). There is no verdict. ``atlas analyze --verify`` re-imports the recorded
files and compares.
"""

from __future__ import annotations

from persona_atlas.kinds.base import Kind
from persona_atlas.kinds.imported.config import ImportedConfig
from persona_atlas.kinds.imported.tables import IMPORT_QUIRKS

KIND = Kind(
    name="imported",
    doc="One or more of the group's result JSON files, imported as they are: the file's "
    "own values as metrics (under each file's stem when there are several), every list of "
    "records also as a table (columns: the union of the records' keys in first-seen order; "
    "keys holding objects or lists stay in metrics only), bare NaN / Infinity as null and "
    "string booleans as booleans, each with a warning listed in the `import_quirks` table. "
    "No verdict; `atlas analyze --verify` re-imports the recorded files and compares.",
    config=ImportedConfig,
    run="persona_atlas.kinds.imported.convert:run",
    tables=(IMPORT_QUIRKS,),
    figures=(),
    modules=(),
)

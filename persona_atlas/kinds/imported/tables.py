"""The one table every import with quirks carries; the others are declared on the fly."""

from __future__ import annotations

from persona_atlas.kinds.base import Column, TableContract

IMPORT_QUIRKS = TableContract(
    name="import_quirks",
    doc="What the import tolerated: one row per quirk, at its JSON path.",
    columns=(
        Column("file", "VARCHAR", "The imported file, relative to the repository root."),
        Column("path", "VARCHAR", "JSON path of the quirk inside that file."),
        Column("quirk", "VARCHAR", "What was found and how it was read."),
    ),
)

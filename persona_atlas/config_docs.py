"""``docs/configuration.md``, generated from the typed experiment config so it cannot drift.

``atlas schema --write`` regenerates it; ``tests/test_schema.py`` fails when it is stale.
"""

from __future__ import annotations

import re
import typing
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from persona_atlas import kinds
from persona_atlas.config import FILE_KEYS, FOLDER_KEYS, ExperimentConfig
from persona_atlas.validation import allowed, plain

INTRO = """\
# Experiment configuration

One YAML file per experiment under `experiments/`; `atlas extract` reads the `extract`
section and `atlas analyze` the `analysis` section, and both record the resolved config in
their output. `analysis.name` selects the kind (docs/kinds.md); the other `analysis` keys
are that kind's own, listed below per kind, and a key of another kind is refused. A bad key or value stops the run with `file:line` of the offending key, what
was given and the allowed values. Whole numbers must be written as such (`1000`, not
`1000.0`, `1e3` or `"1000"`); the upper bounds are far above any real use and catch a typo
before it turns into a crash or a week-long run. A key naming a file (`analysis.source`,
`extract.personas`, `extract.questions`) may not name a folder, and a key naming a folder
(`analysis.centroids`, `extract.out_dir`, `results_dir`) may not name a file.
This page is generated from `persona_atlas/config.py` and each kind's config model
(`persona_atlas/kinds/<kind>/config.py`) by `atlas schema --write` (`make schema`).

Example: [`experiments/smollm2-mini.yaml`](../experiments/smollm2-mini.yaml).
"""


def _type_name(annotation: Any) -> str:
    # an item's validator is its rule, not its type: ``Annotated[str, ...]`` reads ``str``
    text = re.sub(r"Annotated\[(\w+),[^\[\]]*\]", r"\1", str(plain(annotation)))
    for noise in ("typing.", "pathlib.", "persona_atlas.config.", "<class '", "'>"):
        text = text.replace(noise, "")
    return text.replace("NoneType", "null").replace(" | ", " or ")


def _default(field: Any) -> str:
    if field.default_factory is not None:
        try:
            value = field.default_factory()
        except TypeError:
            return "*(computed)*"
        return "see below" if isinstance(value, BaseModel) else f"`{value}`"
    if field.default is PydanticUndefined:
        return "**required**"
    return f"`{field.default}`"


def _allowed(key: str, field: Any) -> str:
    rule = allowed(field.annotation, field.metadata) or ""
    keys = tuple(key.split("."))
    if keys in FILE_KEYS or keys in FOLDER_KEYS:
        rule = rule.replace("a path", "a file" if keys in FILE_KEYS else "a folder")
    return rule


def _nested(annotation: Any) -> type[BaseModel] | None:
    for arg in (annotation, *typing.get_args(annotation)):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
        for inner in typing.get_args(arg):
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                return inner
    return None


def _section(model: type[BaseModel], prefix: str, out: list[str], kind: str = "") -> None:
    """One table per model; ``kind``: the kind whose ``analysis`` keys these are."""
    title = f"`{prefix or 'top level'}`" + (f" (kind `{kind}`)" if kind else "")
    out += [
        f"## {title}",
        "",
        "| key | type | default | allowed | meaning |",
        "|---|---|---|---|---|",
    ]
    children = []
    for name, field in model.model_fields.items():
        key = f"{prefix}.{name}" if prefix else name
        doc = (field.description or "").replace("\n", " ").replace("|", "\\|")
        rule = _allowed(key, field)
        shown = "mapping" if key == "analysis" else _type_name(field.annotation)
        if key == "analysis":
            rule = "the keys of the kind `name` selects: " + ", ".join(
                f"`{k}`" for k in kinds.KINDS
            )
        out.append(f"| `{key}` | {shown} | {_default(field)} | {rule} | {doc} |")
        sub = _nested(field.annotation)
        if sub is not None and key != "analysis":  # each kind's keys: `configuration_markdown`
            children.append((sub, key + ("[]" if "list" in str(field.annotation) else "")))
    out.append("")
    for sub, key in children:
        _section(sub, key, out, kind)


def configuration_markdown() -> str:
    out = [INTRO]
    _section(ExperimentConfig, "", out)
    for kind in kinds.all_kinds():
        _section(kind.config, "analysis", out, kind.name)
    return "\n".join(out).rstrip() + "\n"

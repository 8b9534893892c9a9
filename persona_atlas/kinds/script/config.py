"""The ``analysis`` keys of a script analysis: the script, its function, inputs and params."""

from __future__ import annotations

import math
import re
from pathlib import Path

from pydantic import Field, field_validator

from persona_atlas.config_types import KindConfig

#: A parameter value: a JSON scalar (a float must be finite, checked below).
Param = bool | int | float | str | None
_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"


def _names(mapping: dict[str, object], what: str) -> None:
    for key in mapping:
        if not re.fullmatch(_NAME, key):
            raise ValueError(f"{what} name {key!r}: use letters, digits and _ (not first)")


class ScriptConfig(KindConfig):
    name: str = "script"
    """Registered kind to run (docs/kinds.md)."""
    script: Path
    """The Python file of the analysis, inside the repository (``analyses/issue_<N>.py``);
    a path outside it or through a symbolic link is refused."""
    function: str = Field("analyse", pattern=_NAME)
    """The function of the script to call: it takes an ``api.ScriptInputs`` and returns an
    ``api.ScriptOutput`` (``persona_atlas/kinds/script/api.py``)."""
    inputs: dict[str, Path] = Field(default_factory=dict)
    """Input name → file, inside the repository: the only files the script reads; each
    one's sha256 is recorded, so `atlas check` notices a change."""
    params: dict[str, Param] = Field(default_factory=dict)
    """Name → JSON scalar handed to the script (``inputs.params``)."""

    @field_validator("script")
    @classmethod
    def _python_file(cls, script: Path) -> Path:
        if script.suffix != ".py":
            raise ValueError(f"{script} is not a Python file (.py)")
        return script

    @field_validator("inputs")
    @classmethod
    def _input_names(cls, inputs: dict[str, Path]) -> dict[str, Path]:
        _names(dict(inputs), "input")
        return inputs

    @field_validator("params")
    @classmethod
    def _finite(cls, params: dict[str, Param]) -> dict[str, Param]:
        _names(dict(params), "param")
        for key, value in params.items():
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError(f"{key} is {value}; a parameter must be a finite number")
        return params

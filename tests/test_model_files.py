"""The weights' hash that ``atlas extract`` records and ``atlas check`` re-computes, without torch."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from persona_atlas.files import sha256_file
from persona_atlas.model_files import weights_sha256


def test_a_folder_is_identified_by_its_shard_index_else_its_single_file(tmp_path: Path) -> None:
    (tmp_path / "model.safetensors").write_bytes(b"weights")
    assert weights_sha256(str(tmp_path)) == sha256_file(tmp_path / "model.safetensors")
    (tmp_path / "model.safetensors.index.json").write_text("{}")
    assert weights_sha256(str(tmp_path)) == sha256_file(tmp_path / "model.safetensors.index.json")


def test_a_hub_id_has_nothing_local_to_hash() -> None:
    assert weights_sha256("org/not-here") is None


def test_the_check_loads_neither_torch_nor_the_extraction_code() -> None:
    code = (
        "import sys, persona_atlas.staleness\n"
        "loaded = [m for m in ('torch', 'transformers', 'persona_atlas.extract') "
        "if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[1])

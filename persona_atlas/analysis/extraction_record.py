"""Centroid files are analysed only as the extraction that wrote them recorded them.

``atlas extract`` writes ``run.json`` last, listing the sha256 of every file it wrote. Before
analysis reads an extraction folder, each file it will read must be listed there with the
same bytes: a centroid file edited, copied from another run, or left by an interrupted merge
beside another run's ``run.json`` is refused, naming the file and what to do. A folder with
no ``run.json`` (synthetic or hand-made centroids) is read as is, unless an unfinished
extraction (its staging folder or parts) shows that its files may mix two runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from persona_atlas.errors import InputFileError
from persona_atlas.files import sha256_file
from persona_atlas.run_layout import parts_dir, run_file, staging_dir
from persona_atlas.schema import load_run


def output_key(path: str | Path) -> str:
    """``<folder>/<file>`` (``centroids/A.safetensors``): how a file is matched with run.json's
    record wherever the extraction folder was written or has been moved."""
    p = Path(path)
    return f"{p.parent.name}/{p.name}"


def refuse_unfinished(out_dir: Path) -> None:
    """An extraction folder without run.json but with a staging folder or parts is one whose
    extraction did not finish: its files may mix two runs."""
    if run_file(out_dir).exists():
        return
    unfinished = [d for d in (staging_dir(out_dir), parts_dir(out_dir)) if d.exists()]
    if unfinished:
        raise InputFileError(
            f"{out_dir}: no run.json, and {unfinished[0]} shows an extraction that did not "
            "finish; the files here may mix two runs",
            hint="re-run `atlas extract CONFIG` to complete it (finished personas are kept)",
        )


def verify_outputs(out_dir: Path, files: Sequence[Path]) -> None:
    """Refuse ``files`` unless ``out_dir/run.json`` records each of them with these bytes."""
    refuse_unfinished(out_dir)
    run_path = run_file(out_dir)
    if not run_path.exists():
        return
    run = load_run(run_path)
    recorded = {output_key(ref.path): ref for ref in run.outputs}
    redo = "re-run `atlas extract CONFIG` for this folder (or restore the files from git)"
    for path in files:
        ref = recorded.get(output_key(path))
        if ref is None:
            raise InputFileError(
                f"{path}: not among the files {run_path} records; it is not from that extraction",
                hint=redo,
            )
        size = path.stat().st_size
        if size != ref.bytes or sha256_file(path) != ref.sha256:
            raise InputFileError(
                f"{path}: differs from what {run_path} records (sha256 or size); the file was "
                "changed or comes from another run",
                hint=redo,
            )

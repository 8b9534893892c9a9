"""run.json: what each shard records, and how the merge combines the records."""

from __future__ import annotations

import importlib.metadata
import platform
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from persona_atlas import gitinfo
from persona_atlas.config import ExperimentConfig, ExtractConfig
from persona_atlas.errors import InputFileError
from persona_atlas.extract.deps import require
from persona_atlas.files import sha256_file
from persona_atlas.model_files import weights_sha256
from persona_atlas.run_layout import parts_dir, run_file
from persona_atlas.schema import (
    DataFileInfo,
    FileRef,
    GenerationInfo,
    ModelInfo,
    RunFile,
    ShardInfo,
    TokenizerInfo,
    load_run,
)

if TYPE_CHECKING:
    from persona_atlas.extract.inputs import Inputs
    from persona_atlas.extract.models import LoadedModel
    from persona_atlas.extract.shard import Shard
    from persona_atlas.extract.store import Part
    from persona_atlas.extract.template import TemplateInfo


class Clock:
    """Seconds per named stage, summed over repeats."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - t0


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def seed_everything(seed: int) -> None:
    import random

    import numpy as np

    random.seed(seed)
    np.random.seed(seed)
    require("torch").manual_seed(seed)


def packages() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in ("persona-atlas", "torch", "transformers", "tokenizers", "safetensors", "vllm"):
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return out


def _relative(path: Path) -> str:
    """Relative to the working directory (the repository root) when inside it."""
    absolute = path.resolve()
    try:
        return str(absolute.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(absolute)


def data_file(path: Path, sha: str, count: int) -> DataFileInfo:
    return DataFileInfo(path=_relative(path), sha256=sha, bytes=path.stat().st_size, count=count)


def shard_record_path(parts_dir: Path, shard: Shard) -> Path:
    return parts_dir / f"run.{shard.index}-of-{shard.count}.json"


def build(
    exp: ExperimentConfig,
    config_path: Path,
    cfg: ExtractConfig,
    inputs: Inputs,
    lm: LoadedModel,
    tinfo: TemplateInfo,
    generator: Any,
    shard: Shard,
    clock: Clock,
    failures: list[dict],
    n_done: int,
    started: str,
) -> RunFile:
    """This shard's record; a resumed shard adds to the record it left before."""
    timings = dict(clock.seconds)
    previous = shard_record_path(parts_dir(cfg.out_dir), shard)
    if previous.exists():
        old = load_run(previous)
        started = old.started
        for k, v in old.timings.items():
            timings[k] = timings.get(k, 0.0) + v
    timings["personas_computed"] = float(n_done)
    return RunFile(
        issue=exp.issue,
        config_sha256=sha256_file(config_path),
        config=exp.model_dump(mode="json"),
        model=ModelInfo(
            id=cfg.model,
            revision=lm.revision,
            weights_sha256=lm.weights_sha256,
            architecture=lm.architecture,
            n_layers=lm.n_layers,
            hidden_size=lm.hidden_size,
        ),
        tokenizer=TokenizerInfo(
            sha256=tinfo.tokenizer_sha256,
            chat_template_sha256=tinfo.chat_template_sha256,
            template_family=tinfo.family,
            injects_default_system_prompt=tinfo.injects_default_system_prompt,
            default_system_prompt=tinfo.default_system_prompt,
        ),
        recipes=list(cfg.recipes),
        layers=list(cfg.layers),
        personas=data_file(inputs.personas_path, inputs.personas_sha256, len(inputs.personas)),
        questions=data_file(inputs.questions_path, inputs.questions_sha256, len(inputs.questions)),
        seed=cfg.seed,
        dtype=cfg.dtype,
        batch_token_budget=cfg.batch_token_budget,
        generation=GenerationInfo(
            backend=generator.name if generator is not None else "none",
            max_new_tokens=cfg.generation.max_new_tokens if generator is not None else 0,
        ),
        shard=ShardInfo(index=shard.index, count=shard.count),
        packages=packages(),
        git=gitinfo.state(),
        device=_device_name(lm),
        started=started,
        finished=utc_now(),
        timings=timings,
        failures=failures,
    )


def _device_name(lm: LoadedModel) -> str:
    dev = lm.device
    if dev.type == "cuda":
        return f"{dev} ({require('torch').cuda.get_device_name(dev)})"
    return str(dev)


def read_shard_records(folders: Sequence[Path]) -> list[RunFile]:
    records = [load_run(p) for f in folders if f.is_dir() for p in sorted(f.glob("run.*.json"))]
    if not records:
        raise InputFileError(
            f"no shard records (run.<k>-of-<N>.json) in {[str(f) for f in folders]}",
            hint="run `atlas extract CONFIG [--shard k/N]` first; --merge combines its parts",
        )
    return records


def output_ref(staged: Path, final: Path) -> FileRef:
    """run.json's record of a file written at ``staged`` that will be moved to ``final``."""
    return FileRef(path=_relative(final), sha256=sha256_file(staged), bytes=staged.stat().st_size)


def combine(
    records: Sequence[RunFile], parts: Sequence[Part], outputs: list[FileRef], clock: Clock
) -> RunFile:
    """One run.json from the shard records: summed timings, earliest start, all outputs."""
    base = records[0].model_copy(deep=True)
    timings: dict[str, float] = {}
    for rec in records:
        for k, v in rec.timings.items():
            timings[k] = timings.get(k, 0.0) + v
    timings.update(clock.seconds)
    base.timings = timings
    base.started = min(r.started for r in records)
    base.finished = utc_now()
    base.shard = None
    base.failures = [f for r in records for f in r.failures]
    base.device = ", ".join(sorted({r.device or "?" for r in records}))
    base.generation.empty_responses = sum(
        1 for p in parts for resp in p.responses if resp.get("empty")
    )
    base.git = gitinfo.state()
    base.outputs = outputs
    return base


def up_to_date(exp: ExperimentConfig, cfg: ExtractConfig, inputs: Inputs) -> RunFile | None:
    """The finished run.json when it was made from exactly this config, these inputs and
    weights, and every output still hashes to what it recorded; else None."""
    path = run_file(cfg.out_dir)
    if not path.exists():
        return None
    try:
        run = load_run(path)
    except InputFileError:
        return None
    same = (
        run.config == exp.model_dump(mode="json")
        and run.personas.sha256 == inputs.personas_sha256
        and run.questions.sha256 == inputs.questions_sha256
        and run.model.weights_sha256 == weights_sha256(cfg.model)
        and not run.failures
        and run.finished is not None
    )
    if not same:
        return None
    for out in run.outputs:
        p = Path(out.path)
        if not p.exists() or p.stat().st_size != out.bytes or sha256_file(p) != out.sha256:
            return None
    return run

"""``atlas extract``: personas → parts (resumable, shardable) → merged centroids + run.json.

The merge stages every file and commits run.json last (`persona_atlas.extract.commit`).
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from tqdm import tqdm

from persona_atlas.config import RECIPES, ExperimentConfig, ExtractConfig, load_config
from persona_atlas.errors import AtlasError, ConfigError, InputFileError
from persona_atlas.extract import commit, runinfo
from persona_atlas.extract.inputs import Inputs, load_inputs
from persona_atlas.extract.shard import Shard
from persona_atlas.extract.store import (
    Part,
    find_parts,
    part_path,
    read_part,
    write_outputs,
    write_part,
)
from persona_atlas.files import sha256_bytes
from persona_atlas.model_files import weights_sha256
from persona_atlas.run_layout import parts_dir, run_file, staging_dir
from persona_atlas.schema import RunFile, save


def extract_section(exp: ExperimentConfig, path: Path) -> ExtractConfig:
    if exp.extract is None:
        raise ConfigError(f"{path}: no `extract:` section", hint="see docs/extract.md")
    return exp.extract


def next_token_js(cfg: ExtractConfig) -> bool:
    """Whether the run writes the next-token JS geometry (``extract.next_token_js``)."""
    wanted = cfg.next_token_js
    if wanted and "A" not in cfg.recipes:
        raise ConfigError(
            "extract.next_token_js needs recipe A (its position is the generation point)",
            hint="add A to extract.recipes",
        )
    return wanted


def fingerprint(cfg: ExtractConfig, inputs: Inputs, name: str) -> str:
    """Everything a persona's part depends on; a part with another fingerprint is recomputed."""
    settings = cfg.model_dump(mode="json", exclude={"out_dir", "device", "personas", "questions"})
    doc = {
        "settings": settings,
        "weights": weights_sha256(cfg.model),
        "questions": inputs.questions,
        "persona": [name, inputs.personas[name]],
    }
    return sha256_bytes(json.dumps(doc, sort_keys=True).encode())


# rate_noinv: always personas/s (tqdm's default flips to s/persona below 1/s, which a 7B
# model with hundreds of questions per persona is)
PROGRESS_FORMAT = "{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}, {rate_noinv_fmt}]"


def _progress(total: int, enabled: bool | None) -> tqdm:
    disable = not sys.stderr.isatty() if enabled is None else not enabled
    return tqdm(
        total=total,
        unit="persona",
        desc="extract",
        disable=disable,
        file=sys.stderr,
        bar_format=PROGRESS_FORMAT,
    )


def run_extract(
    config_path: str | Path,
    *,
    shard: Shard | None = None,
    progress: bool | None = None,
    force: bool = False,
) -> RunFile | None:
    """Extract every persona of this shard not already done; merge when unsharded.

    Returns the merged run.json document, or None for a shard of a multi-shard run. An
    unsharded run whose outputs are already complete and current returns at once
    (``force`` recomputes).
    """
    from persona_atlas.extract.capture import Capture
    from persona_atlas.extract.generate import make_generator
    from persona_atlas.extract.models import load_model
    from persona_atlas.extract.persona import run_persona
    from persona_atlas.extract.recipes import needs_responses
    from persona_atlas.extract.template import inspect_template

    path = Path(config_path)
    exp = load_config(path)
    cfg = extract_section(exp, path)
    inputs = load_inputs(cfg.personas, cfg.questions)
    shard = shard or Shard(0, 1)
    if shard.count == 1:
        commit.clear_leftovers(cfg.out_dir)
    if shard.count == 1 and not force and (done := runinfo.up_to_date(exp, cfg, inputs)):
        print(f"atlas extract: {cfg.out_dir} is up to date (--force recomputes)", file=sys.stderr)
        return done
    clock, started = runinfo.Clock(), runinfo.utc_now()
    names = list(inputs.personas)
    parts_folder = parts_dir(cfg.out_dir)
    todo = []
    for i in shard.members(len(names)):
        if force:  # this shard's personas only: other shards may share the folder
            todo.append(i)
            continue
        part, why = read_part(part_path(parts_folder, i), fingerprint(cfg, inputs, names[i]))
        if part is None:
            if why != "missing":
                print(f"atlas extract: recomputing persona {names[i]!r}: {why}", file=sys.stderr)
            todo.append(i)
    with clock("load"):
        lm = load_model(cfg.model, dtype=cfg.dtype, device=cfg.device, cpu_threads=cfg.cpu_threads)
        tinfo = inspect_template(lm.tokenizer, need_close=bool({"C2", "C3"} & set(cfg.recipes)))
        capture = Capture(lm.model, lm.blocks, cfg.layers, next_token=next_token_js(cfg))
        wants_b = needs_responses(cfg.recipes)
        generator = (
            make_generator(lm, cfg.generation, cfg.dtype, cfg.seed, cfg.layers) if wants_b else None
        )
        if capture.head is not None and type(generator).__name__ == "FusedHF":
            raise ConfigError(
                "extract.next_token_js is computed in the capture pass, which the "
                "transformers backend fuses into generation when B-family recipes run",
                hint="run the next-token geometry in its own experiment with recipe A only",
            )
    runinfo.seed_everything(cfg.seed)
    questions = inputs.questions
    failures: list[dict] = []
    with _progress(len(todo), progress) as bar:
        for i in todo:
            name = names[i]
            try:
                result = run_persona(
                    lm,
                    capture,
                    generator,
                    cfg,
                    name=name,
                    index=i,
                    system=inputs.personas[name],
                    questions=questions,
                    clock=clock,
                )
                with clock("write"):
                    fp = fingerprint(cfg, inputs, name)
                    write_part(parts_folder, result, fp, len(questions), cfg.per_question)
            except AtlasError:
                raise
            except Exception as exc:  # recorded, the run goes on with the other personas
                failures.append({"persona": name, "index": i, "error": repr(exc)})
            bar.update(1)
    record = runinfo.build(
        exp, path, cfg, inputs, lm, tinfo, generator, shard, clock, failures, len(todo), started
    )
    save(runinfo.shard_record_path(parts_folder, shard), record)
    if failures:
        raise AtlasError(
            f"{len(failures)} persona(s) failed: "
            + "; ".join(f"{f['persona']}: {f['error']}" for f in failures[:5]),
            hint="fix the cause and re-run the same command: finished personas are kept",
        )
    if shard.count == 1:
        return merge(path)
    return None


def _write_geometry(stage: Path, parts: Sequence[Part], layers: Sequence[int]) -> list[Path]:
    from persona_atlas.extract.next_token import LOGPROBS_KEY, write_geometry

    missing = [p.persona for p in parts if LOGPROBS_KEY not in p.tensors]
    if missing:
        raise InputFileError(
            f"{len(missing)} part(s) lack next-token log-probabilities: {missing[:5]}",
            hint="re-run atlas extract with --force",
        )
    logprobs = np.stack([p.tensors[LOGPROBS_KEY] for p in parts])  # [P, Q, V]
    a_centroids = np.stack([p.tensors[f"{RECIPES['A']}.centroid"] for p in parts])  # [P, L, H]
    return write_geometry(stage, [p.persona for p in parts], logprobs, a_centroids, layers)


def merge(config_path: str | Path, extra_parts: Sequence[Path] = ()) -> RunFile:
    """Combine every persona's part into the final files; refuse if any is missing/duplicated."""
    path = Path(config_path)
    exp = load_config(path)
    cfg = extract_section(exp, path)
    inputs = load_inputs(cfg.personas, cfg.questions)
    names = list(inputs.personas)
    folders = [parts_dir(cfg.out_dir), *extra_parts]
    found = find_parts([f for f in folders if f.is_dir()], len(names))
    missing = [names[i] for i in range(len(names)) if i not in found]
    dupes = {names[i]: [str(p) for p in ps] for i, ps in found.items() if len(ps) > 1}
    if dupes:
        raise InputFileError(
            f"personas found in more than one parts folder: {dupes}",
            hint="keep one copy of each part and merge again",
        )
    if missing:
        raise InputFileError(
            f"{len(missing)} of {len(names)} personas have no part: {missing[:10]}",
            hint="run the missing shards (atlas extract CONFIG --shard k/N), then --merge",
        )
    parts = []
    for i, name in enumerate(names):
        part, why = read_part(found[i][0], fingerprint(cfg, inputs, name))
        if part is None or part.persona != name:
            raise InputFileError(
                f"{found[i][0]}: part for persona {name!r} is unusable: {why}",
                hint="delete it and re-run its shard",
            )
        parts.append(part)
    records = runinfo.read_shard_records(folders)
    clock = runinfo.Clock()
    commit.clear_leftovers(cfg.out_dir)
    stage = staging_dir(cfg.out_dir)
    with clock("merge"):
        written = write_outputs(
            stage,
            parts,
            recipes=cfg.recipes,
            layers=cfg.layers,
            model_id=cfg.model,
            question_ids=list(inputs.questions),
            per_question=cfg.per_question,
        )
    if next_token_js(cfg):
        with clock("next_token_js"):
            written += _write_geometry(stage, parts, cfg.layers)
    outputs = [runinfo.output_ref(p, cfg.out_dir / p.relative_to(stage)) for p in written]
    run = runinfo.combine(records, parts, outputs, clock)
    save(run_file(stage), run)
    commit.commit(cfg.out_dir, [*written, run_file(stage)])
    shutil.rmtree(parts_dir(cfg.out_dir), ignore_errors=True)  # only now: a redo needs them
    return run

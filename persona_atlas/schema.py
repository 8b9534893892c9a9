"""The one typed, versioned schema for ``result.json`` and ``run.json``.

Written by ``atlas analyze`` / ``atlas import`` (result) and ``atlas extract`` (run); read by
the linter, the staleness check, the figures and the templates. ``schema_version`` comes
first in both files. The generated JSON Schemas live in ``schemas/`` and a test fails when
they drift from these models (regenerate with ``make schema``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError, model_validator

from persona_atlas.errors import InputFileError
from persona_atlas.files import find_non_finite, read_json, write_json

RESULT_SCHEMA_VERSION: Literal["1"] = "1"
RUN_SCHEMA_VERSION: Literal["1"] = "1"

Scalar = str | int | float | bool | None

#: Largest issue number accepted: far above any tracker's, low enough that a pasted hash,
#: a date or a run of digits is refused rather than published as a page.
ISSUE_MAX = 1_000_000_000
IssueNumber = Annotated[int, Field(strict=True, ge=1, le=ISSUE_MAX)]
"""An issue number: a whole number from 1 to ``ISSUE_MAX``."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, frozen=False)


# ----------------------------------------------------------------------------- shared


class FileRef(_Model):
    """A file an analysis read or a run wrote, pinned by content hash."""

    path: str
    """Path relative to the repository root (``results/issue-201/centroids/A.safetensors``),
    or a URI when the file lives outside git."""
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    """Hex sha256 of the file's bytes when it was read or written."""
    bytes: int = Field(ge=0)
    """Size in bytes."""
    location: Literal["git", "external"] = "git"
    """``git``: committed, so the staleness check can re-hash it. ``external``: stored outside
    git (large centroids); the check reports it as unverifiable unless the file is present."""


class GitState(_Model):
    """Where the code stood when a file was produced."""

    commit: str | None
    """Full SHA of HEAD, or null outside a git checkout."""
    dirty: bool
    """True when the working tree had uncommitted changes."""


# ----------------------------------------------------------------------------- result.json


class AnalysisInfo(_Model):
    """Which analysis produced a result, with every parameter it used."""

    name: str
    """The registered kind that computed the result (``recipe-comparison``...), or the
    importer that wrote it (``import:legacy-recipe-sweep``); its code version is the one
    ``atlas check`` compares (docs/kinds.md)."""
    params: dict[str, JsonValue] = Field(default_factory=dict)
    """All parameters, thresholds included. A change here makes the result stale."""


class ImportSource(_Model):
    """For results converted from a legacy format rather than computed here."""

    path: str
    """The legacy file, relative to the repository root."""
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    """Hex sha256 of the legacy file as imported."""
    commit: str | None = None
    """Commit of the legacy file's origin, when known."""
    note: str = "imported"
    """Free text: what was converted and which quirks were tolerated."""


class Provenance(_Model):
    """How to reproduce (and when to distrust) a result."""

    git: GitState
    """Code state when the analysis ran."""
    created: str
    """ISO-8601 UTC timestamp of the analysis run."""
    code_version: str
    """``persona_atlas`` version plus a hash of the code of the result's kind (or importer);
    a change makes it stale."""
    analysis: AnalysisInfo
    """Analysis name and all its parameters."""
    inputs: list[FileRef] = Field(default_factory=list)
    """Every file the analysis read, with its sha256 at read time."""
    imported_from: ImportSource | None = None
    """Set when the result was converted from a legacy file by ``atlas import``."""


class Table(_Model):
    """A named table: columns plus rows, queryable with DuckDB, rendered on the site."""

    columns: list[str] = Field(min_length=1)
    """Column names, in display order."""
    rows: list[list[Scalar]] = Field(default_factory=list)
    """Row-major cells; each row has one value per column. null means missing."""
    description: str = ""
    """One sentence saying what a row is; shown under the table."""

    @model_validator(mode="after")
    def _rows_match_columns(self) -> Table:
        for i, row in enumerate(self.rows):
            if len(row) != len(self.columns):
                raise ValueError(
                    f"row {i} has {len(row)} cells but the table has {len(self.columns)} columns"
                )
        return self

    def records(self) -> list[dict[str, Scalar]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


class ResultFile(_Model):
    """``results/<slug>/result.json``: every number a report may state."""

    schema_version: Literal["1"] = RESULT_SCHEMA_VERSION
    """Version of this schema; readers refuse versions they do not know."""
    issue: IssueNumber
    """The experiment's issue number (1 to 1,000,000,000); the page lives at ``issue-<N>``."""
    title: str
    """Short title of the experiment."""
    kind: str
    """Shape of the result, which its tables and figures follow: the kind a registered kind
    writes (``recipe-comparison``; docs/kinds.md)."""
    provenance: Provenance
    """Inputs, parameters, code version and commit behind every number below."""
    verdict: str | None = None
    """Headline verdict shown on the index (``KILL``, ``PASS``, ``GREY``, ``mixed``...)."""
    metrics: dict[str, JsonValue] = Field(default_factory=dict)
    """Nested named values (scalars, lists, objects), including derived ones (ranges,
    counts, ratios), so prose never needs arithmetic."""
    tables: dict[str, Table] = Field(default_factory=dict)
    """Named tables (verdict partitions, per-cell metrics, ...)."""
    nulls: dict[str, str] = Field(default_factory=dict)
    """For each JSON path holding null: why the value is missing."""

    @model_validator(mode="after")
    def _finite(self) -> ResultFile:
        where = find_non_finite(self.metrics, "metrics") or find_non_finite(
            {k: t.rows for k, t in self.tables.items()}, "tables"
        )
        if where:
            raise ValueError(f"non-finite number at {where}; write null and explain in `nulls`")
        return self


# ----------------------------------------------------------------------------- run.json


class ModelInfo(_Model):
    """The model the hidden states came from."""

    id: str
    """Hub id or named local model (``Qwen/Qwen2.5-7B-Instruct``, ``smollm2-135m-instruct``)."""
    revision: str | None = None
    """Hub revision / commit, when loaded from a hub cache."""
    weights_sha256: str | None = None
    """sha256 of the weight file(s) actually loaded (GGUF or safetensors index)."""
    architecture: str | None = None
    """``Qwen2ForCausalLM``, ``LlamaForCausalLM``..."""
    n_layers: int | None = None
    """Number of decoder blocks."""
    hidden_size: int | None = None
    """Residual stream width."""


class TokenizerInfo(_Model):
    """Tokenizer and chat template, hashed so a template change is visible."""

    sha256: str | None = None
    """sha256 of the serialised tokenizer."""
    chat_template_sha256: str | None = None
    """sha256 of the chat template string."""
    template_family: str | None = None
    """Detected structure: ``chatml``, ``llama3``, ``gemma``..."""
    injects_default_system_prompt: bool = False
    """True when the template adds a system prompt when none is given (Qwen2.5, SmolLM2)."""
    default_system_prompt: str | None = None
    """The injected default system prompt, when there is one."""


class DataFileInfo(FileRef):
    """A personas or questions file."""

    count: int = Field(ge=0)
    """Number of entries (personas or questions)."""


class GenerationInfo(_Model):
    """How recipe B's responses were generated."""

    backend: Literal["hf", "vllm", "none"] = "none"
    """``vllm`` on GPU machines when installed, ``hf`` (transformers ``generate``) otherwise."""
    max_new_tokens: int = 0
    """Greedy decoding budget."""
    greedy: bool = True
    """Always greedy: B must be deterministic."""
    empty_responses: int = 0
    """Responses with no tokens; excluded from B, B* and B*_no_last alike."""


class ShardInfo(_Model):
    """Which slice of the personas this run covered."""

    index: int = Field(ge=0)
    """0-based shard index ``k`` in ``--shard k/N``."""
    count: int = Field(ge=1)
    """Total shards ``N``."""


class RunFile(_Model):
    """``run.json``: everything needed to reproduce an extraction."""

    schema_version: Literal["1"] = RUN_SCHEMA_VERSION
    """Version of this schema."""
    issue: IssueNumber | None = None
    """Experiment issue number (1 to 1,000,000,000), when the config names one."""
    config_sha256: str | None = None
    """sha256 of the experiment YAML as read."""
    config: dict[str, JsonValue] = Field(default_factory=dict)
    """The resolved experiment config."""
    model: ModelInfo
    """The model."""
    tokenizer: TokenizerInfo = Field(default_factory=TokenizerInfo)
    """Tokenizer and chat-template hashes."""
    recipes: list[str]
    """Recipes extracted (``A``, ``B``, ``B*``, ``B*_no_last``, ``C1``, ``C2``, ``C3``)."""
    layers: list[int]
    """0-based decoder-block indices: layer L = output of block L = HF hidden_states[L+1]."""
    personas: DataFileInfo
    """Personas file."""
    questions: DataFileInfo
    """Questions file."""
    seed: int
    """Random seed."""
    dtype: str
    """Compute dtype of the forward pass (accumulation is always fp32)."""
    batch_token_budget: int
    """Max tokens (padded) per forward batch."""
    generation: GenerationInfo = Field(default_factory=GenerationInfo)
    """Generation settings for recipe B."""
    shard: ShardInfo | None = None
    """Set when this run covered one shard of the personas."""
    packages: dict[str, str] = Field(default_factory=dict)
    """Versions of python, torch, transformers, vllm, persona_atlas..."""
    git: GitState
    """Code state of the extractor."""
    device: str | None = None
    """Device the forward passes ran on (``cpu``, ``cuda:0 (NVIDIA H100)``)."""
    started: str
    """ISO-8601 UTC start time."""
    finished: str | None = None
    """ISO-8601 UTC end time; null while running or if interrupted."""
    timings: dict[str, float] = Field(default_factory=dict)
    """Seconds per stage (load, generate, forward, write...)."""
    outputs: list[FileRef] = Field(default_factory=list)
    """Files written (centroids, per-question arrays, responses) with sha256."""
    failures: list[dict[str, JsonValue]] = Field(default_factory=list)
    """Personas/questions that failed, with the error, recorded rather than lost."""


# ----------------------------------------------------------------------------- I/O


def _load(path: Path, model: type[_Model], what: str) -> Any:
    data = read_json(path)
    if not isinstance(data, dict):
        raise InputFileError(f"{path}: {what} must be a JSON object")
    version = data.get("schema_version")
    expected = model.model_fields["schema_version"].default
    if version != expected:
        raise InputFileError(
            f"{path}: {what} schema_version {version!r}, this persona-atlas reads {expected!r}",
            hint="re-run the stage that writes it, or upgrade persona-atlas",
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(x) for x in first["loc"]) or "(root)"
        raise InputFileError(
            f"{path}: invalid {what} at {loc}: {first['msg']} ({exc.error_count()} error(s))",
            hint=f"{what} is written by persona-atlas; regenerate it rather than editing by hand",
        ) from None


def load_result(path: str | Path) -> ResultFile:
    """Read and validate a result.json; errors name the file and the JSON position."""
    return _load(Path(path), ResultFile, "result.json")


def load_run(path: str | Path) -> RunFile:
    """Read and validate a run.json."""
    return _load(Path(path), RunFile, "run.json")


def save(path: str | Path, doc: ResultFile | RunFile) -> None:
    """Atomically write a validated document as strict JSON, ``schema_version`` first."""
    write_json(path, doc.model_dump(mode="json"))


def json_schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schemas committed under ``schemas/``."""
    return {
        "result.schema.json": ResultFile.model_json_schema(),
        "run.schema.json": RunFile.model_json_schema(),
    }

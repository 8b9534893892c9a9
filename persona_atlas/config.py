"""Typed experiment config: one YAML per experiment under ``experiments/``.

``atlas extract`` reads the ``extract`` section, ``atlas analyze`` the ``analysis`` section;
both record the resolved config in their output. Validation errors name the YAML file and
line of the offending key.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Union, cast

import yaml
from pydantic import (
    Field,
    ValidationError,
    ValidatorFunctionWrapHandler,
    create_model,
    field_validator,
)

from persona_atlas import kinds

# Re-exported: the building blocks live in ``config_types`` so that kinds can use them.
from persona_atlas.config_types import (
    MAX_BATCH_SIZE,
    MAX_BATCH_TOKENS,
    MAX_CPU_THREADS,
    MAX_LAYER,
    MAX_NEW_TOKENS,
    MAX_PERMUTATIONS,
    MAX_SEED,
    PREFIX_ONLY_RECIPES,
    RECIPES,
    KindConfig,
    Layer,
    Section,
    check_recipe,
    whole,
)
from persona_atlas.errors import ConfigError
from persona_atlas.kinds.recipe_comparison.config import (
    PairConfig,
    RecipeComparisonConfig,
    Thresholds,
)
from persona_atlas.schema import IssueNumber
from persona_atlas.validation import describe_error

#: The config of the default kind (``recipe-comparison``), under its former name.
AnalysisConfig = RecipeComparisonConfig

__all__ = [
    "MAX_LAYER",
    "MAX_PERMUTATIONS",
    "MAX_SEED",
    "PREFIX_ONLY_RECIPES",
    "RECIPES",
    "AnalysisConfig",
    "PairConfig",
    "RecipeComparisonConfig",
    "Thresholds",
    "check_recipe",
]


class GenerationConfig(Section):
    max_new_tokens: int = whole(64, 1, MAX_NEW_TOKENS)
    """Greedy decoding budget for recipe B."""
    backend: Literal["auto", "hf", "vllm"] = "auto"
    """``auto``: vLLM when installed and a GPU is present, else transformers ``generate``."""
    batch_size: int = whole(32, 1, MAX_BATCH_SIZE)
    """Most prompts per ``generate`` call on the transformers backend; ``batch_token_budget``
    may allow fewer (vLLM schedules its own)."""
    vllm_gpu_memory_utilization: float = Field(0.45, gt=0, le=1, allow_inf_nan=False)
    """Share of GPU memory vLLM may take; the rest holds the HF model used for capture."""
    capture_during_generation: bool = True
    """transformers backend: record the question recipes' hidden states during greedy
    decoding (the KV-cached pass over prompt + response) instead of a second pass. Decoding
    runs every block and the LM head; false: generate, then capture passes that stop after
    the deepest requested layer (and honour ``padding_side``)."""


class ExtractConfig(Section):
    model: str
    """Hub id, local path, or a named local model (``smollm2-135m-instruct``)."""
    personas: Path
    """YAML/JSON file mapping persona name → system prompt."""
    questions: Path
    """YAML/JSON file: a list of questions (or id → question)."""
    recipes: list[str] = Field(default_factory=lambda: list(RECIPES))
    """Recipes to extract."""
    layers: list[Layer] = Field(min_length=1)
    """0-based decoder blocks; layer L = output of block L = HF ``hidden_states[L+1]``."""
    dtype: Literal["float32", "bfloat16", "float16"] = "float32"
    """Forward-pass dtype; centroids are always accumulated in fp32."""
    batch_token_budget: int = whole(4096, 1, MAX_BATCH_TOKENS)
    """Max padded tokens per batch: rows × longest sequence in a capture pass, rows ×
    (longest prompt + ``max_new_tokens`` + 1) in a transformers generation batch."""
    padding_side: Literal["right", "left"] = "right"
    """Where capture-pass batches are padded; positions and masks are explicit either way.
    Generation batches are always left-padded."""
    device: str = "auto"
    """``auto`` (``cuda`` when available, else ``cpu``), or a torch device string."""
    cpu_threads: int | None = whole(None, 1, MAX_CPU_THREADS)
    """Torch intra-op threads on CPU; null keeps torch's default (one per core). 1 is much
    faster on a machine shared with other busy processes."""
    generation: GenerationConfig = Field(default_factory=GenerationConfig)
    """Settings for recipe B's responses."""
    seed: int = whole(0, 0, MAX_SEED)
    """Random seed (generation is greedy; the seed fixes anything else random)."""
    per_question: bool = False
    """Also write per-question fp16 arrays (needed for per-question persona spread)."""
    next_token_js: bool = False
    """Also write ``geometry/js_matrix.json`` (persona × persona Jensen–Shannon divergence of
    the next-token distributions at recipe A's position, nats, mean over questions) and
    ``geometry/cosine_layer_<L>.json`` (recipe-A centroid cosine per layer), for the
    ``geometry`` kind. Needs recipe A; not with the fused B-family path (docs/extract.md)."""
    out_dir: Path
    """Where centroids, responses and run.json are written."""

    _check_recipes = field_validator("recipes")(lambda cls, v: [check_recipe(r) for r in v])

    @field_validator("layers")
    @classmethod
    def _layers_valid(cls, v: list[int]) -> list[int]:
        if len(set(v)) != len(v):
            raise ValueError("layers must be distinct block indices")
        return sorted(v)


if TYPE_CHECKING:
    AnyKindConfig = KindConfig
else:  # the config model of every registered kind (serialised by its own fields)
    AnyKindConfig = Union[tuple(kinds.config_model(name) for name in kinds.KINDS)]  # noqa: UP007


class ExperimentConfig(Section):
    issue: IssueNumber
    """Issue number; results go to ``results/issue-<N>/``."""
    title: str
    """Short title of the experiment."""
    results_dir: Path | None = None
    """Defaults to ``results/issue-<N>``."""
    extract: ExtractConfig | None = None
    """Extraction settings (``atlas extract``)."""
    analysis: AnyKindConfig = Field(default_factory=RecipeComparisonConfig)
    """Analysis settings (``atlas analyze``): ``name`` selects the kind, whose own keys
    follow (docs/kinds.md)."""

    @field_validator("analysis", mode="wrap")
    @classmethod
    def _kind_config(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> KindConfig:
        """Validate the section against the config model of the kind it names, so that
        a key of another kind is refused as unknown."""
        if isinstance(value, KindConfig):
            return value
        if not isinstance(value, dict):
            return cast(KindConfig, handler(value))
        name = value.get("name", kinds.DEFAULT_KIND)
        return kinds.config_model(name).model_validate({**value, "name": name})

    @property
    def slug(self) -> str:
        return f"issue-{self.issue}"

    @property
    def result_dir(self) -> Path:
        return self.results_dir or Path("results") / self.slug


@cache
def experiment_model(kind: object = None) -> type[ExperimentConfig]:
    """``ExperimentConfig`` with its ``analysis`` section typed as kind ``kind``'s config
    (the default kind when None), so errors and docs read that kind's fields."""
    model = kinds.config_model(kinds.DEFAULT_KIND if kind is None else kind)
    typed: type[ExperimentConfig] = create_model(
        f"ExperimentConfig_{model.__name__}",
        __base__=ExperimentConfig,
        analysis=(model, Field(default_factory=model)),
    )
    return typed


def load_config(path: str | Path) -> ExperimentConfig:
    """Parse and validate an experiment YAML; errors point at file:line of the bad key."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{p}: experiment config not found") from None
    try:
        data = yaml.safe_load(text)
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{p}: invalid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{p}: an experiment config is a YAML mapping")
    try:
        config = ExperimentConfig.model_validate(data)
    except ValidationError as exc:
        line = yaml_line(root, exc.errors()[0]["loc"])
        section = data.get("analysis")
        name = section.get("name") if isinstance(section, dict) else None
        raise ConfigError(
            f"{p}:{line}: {describe_error(exc, experiment_model(name))}",
            hint="see docs/configuration.md for every field, its default and allowed values",
        ) from None
    _check_paths(p, root, config)
    return config


#: Keys naming a file and keys naming a folder (relative to the working directory).
FILE_KEYS = (("analysis", "source"), ("extract", "personas"), ("extract", "questions"))
FOLDER_KEYS = (("analysis", "centroids"), ("extract", "out_dir"), ("results_dir",))


def _check_paths(p: Path, root: Any, config: ExperimentConfig) -> None:
    """A file key naming an existing folder, or a folder key an existing file, is an error
    here rather than an ``IsADirectoryError`` deep inside a run. (A missing path is the
    reading stage's error: an output folder need not exist yet.)"""
    for keys, want_folder in [(k, False) for k in FILE_KEYS] + [(k, True) for k in FOLDER_KEYS]:
        node: Any = config
        for key in keys:
            node = getattr(node, key, None) if node is not None else None
        if node is None or not Path(node).exists() or Path(node).is_dir() == want_folder:
            continue
        what = "a folder" if want_folder else "a file"
        found = "a file" if want_folder else "a folder"
        raise ConfigError(
            f"{p}:{yaml_line(root, keys)}: {'.'.join(keys)}: {node} is {found}; allowed: {what}",
            hint="see docs/configuration.md for what each key names",
        )


def yaml_line(node: Any, loc: tuple[Any, ...]) -> int:
    """1-based line of the deepest YAML node along ``loc`` (best effort)."""
    line = node.start_mark.line + 1 if node is not None else 1
    for step in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == str(step)), None)
            if match is None:
                break
            node = match
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value)
        ):
            node = node.value[step]
        else:
            break
        line = node.start_mark.line + 1
    return line

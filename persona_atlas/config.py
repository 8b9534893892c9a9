"""Typed experiment config: one YAML per experiment under ``experiments/``.

``atlas extract`` reads the ``extract`` section, ``atlas analyze`` the ``analysis`` section;
both record the resolved config in their output. Validation errors name the YAML file and
line of the offending key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from persona_atlas.errors import ConfigError
from persona_atlas.schema import IssueNumber
from persona_atlas.validation import describe_error

#: Canonical recipe names (DESIGN §4) → file-safe stems used in centroid file names.
RECIPES: dict[str, str] = {
    "A": "A",
    "B": "B",
    "B*": "Bstar",
    "B*_no_last": "Bstar_no_last",
    "C1": "C1",
    "C2": "C2",
    "C3": "C3",
}
#: Recipes that depend only on the prefix before the question: computed once per persona.
PREFIX_ONLY_RECIPES = frozenset({"C1", "C2", "C3"})

# Upper bounds of the numeric keys: far above any real use, low enough that a typo (an extra
# zero, ``1e12``) is a config error naming the key instead of a crash or a week-long run.
MAX_PERMUTATIONS = 1_000_000
MAX_NEW_TOKENS = 32_768
MAX_BATCH_SIZE = 65_536
MAX_BATCH_TOKENS = 16_777_216
MAX_CPU_THREADS = 1_024
MAX_LAYER = 9_999
#: numpy's and torch's seeding both take 0..2**32-1.
MAX_SEED = 2**32 - 1


def _whole(default: Any, lo: int, hi: int) -> Any:
    """A whole number in ``lo..hi`` (``strict``: ``32.0``, ``"32"`` or ``true`` is refused)."""
    return Field(default, strict=True, ge=lo, le=hi)


#: A correlation or cosine threshold: a finite number from -1 to 1.
_Unit = Annotated[float, Field(ge=-1, le=1, allow_inf_nan=False)]
Layer = Annotated[int, Field(strict=True, ge=0, le=MAX_LAYER)]


def check_recipe(name: str) -> str:
    if name not in RECIPES:
        raise ValueError(f"unknown recipe {name!r}; known recipes: {', '.join(RECIPES)}")
    return name


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)


class GenerationConfig(_Section):
    max_new_tokens: int = _whole(64, 1, MAX_NEW_TOKENS)
    """Greedy decoding budget for recipe B."""
    backend: Literal["auto", "hf", "vllm"] = "auto"
    """``auto``: vLLM when installed and a GPU is present, else transformers ``generate``."""
    batch_size: int = _whole(32, 1, MAX_BATCH_SIZE)
    """Most prompts per ``generate`` call on the transformers backend; ``batch_token_budget``
    may allow fewer (vLLM schedules its own)."""
    vllm_gpu_memory_utilization: float = Field(0.45, gt=0, le=1, allow_inf_nan=False)
    """Share of GPU memory vLLM may take; the rest holds the HF model used for capture."""
    capture_during_generation: bool = True
    """transformers backend: record the question recipes' hidden states during greedy
    decoding (the KV-cached pass over prompt + response) instead of a second pass. Decoding
    runs every block and the LM head; false: generate, then capture passes that stop after
    the deepest requested layer (and honour ``padding_side``)."""


class ExtractConfig(_Section):
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
    batch_token_budget: int = _whole(4096, 1, MAX_BATCH_TOKENS)
    """Max padded tokens per batch: rows × longest sequence in a capture pass, rows ×
    (longest prompt + ``max_new_tokens`` + 1) in a transformers generation batch."""
    padding_side: Literal["right", "left"] = "right"
    """Where capture-pass batches are padded; positions and masks are explicit either way.
    Generation batches are always left-padded."""
    device: str = "auto"
    """``auto`` (``cuda`` when available, else ``cpu``), or a torch device string."""
    cpu_threads: int | None = _whole(None, 1, MAX_CPU_THREADS)
    """Torch intra-op threads on CPU; null keeps torch's default (one per core). 1 is much
    faster on a machine shared with other busy processes."""
    generation: GenerationConfig = Field(default_factory=GenerationConfig)
    """Settings for recipe B's responses."""
    seed: int = _whole(0, 0, MAX_SEED)
    """Random seed (generation is greedy; the seed fixes anything else random)."""
    per_question: bool = False
    """Also write per-question fp16 arrays (needed for per-question persona spread)."""
    out_dir: Path
    """Where centroids, responses and run.json are written."""

    _check_recipes = field_validator("recipes")(lambda cls, v: [check_recipe(r) for r in v])

    @field_validator("layers")
    @classmethod
    def _layers_valid(cls, v: list[int]) -> list[int]:
        if len(set(v)) != len(v):
            raise ValueError("layers must be distinct block indices")
        return sorted(v)


class PairConfig(_Section):
    x: str
    """First recipe of the pair."""
    y: str
    """Second recipe of the pair."""
    category: Literal["load-bearing", "sanity", "other"] = "other"
    """How the verdict of this pair is read (load-bearing pairs decide the headline)."""

    _check = field_validator("x", "y")(lambda cls, v: check_recipe(v))


class Thresholds(_Section):
    pass_cos_min: _Unit = 0.95
    """PASS needs per-persona cos_min above this..."""
    pass_mc_r: _Unit = 0.90
    """...and mc_r above this."""
    kill_cos_min: _Unit = 0.85
    """KILL when cos_min is below this (at most ``pass_cos_min``)..."""
    kill_mc_r: _Unit = 0.70
    """...or mc_r is below this (at most ``pass_mc_r``). Everything else is GREY."""

    @model_validator(mode="after")
    def _kill_below_pass(self) -> Thresholds:
        for metric in ("cos_min", "mc_r"):
            kill, ok = getattr(self, f"kill_{metric}"), getattr(self, f"pass_{metric}")
            if kill > ok:
                raise ValueError(
                    f"kill_{metric} ({kill}) is above pass_{metric} ({ok}): a value between "
                    "them would be both PASS and KILL; allowed: kill at most pass"
                )
        return self


class AnalysisConfig(_Section):
    name: str = "recipe-comparison"
    """Registered analysis to run."""
    centroids: Path | None = None
    """Folder of extraction outputs (``centroids/``, ``per_question/``, ``run.json``);
    defaults to the extract section's ``out_dir``."""
    source: Path | None = None
    """Input file of a file-based analysis (``stored-matrix-comparison``: the stored
    cosine-matrix JSON)."""
    pairs: list[PairConfig] = Field(default_factory=list)
    """Recipe pairs to compare; empty means every pair of extracted recipes."""
    thresholds: Thresholds = Field(default_factory=Thresholds)
    """Verdict thresholds (recorded in provenance)."""
    mantel_permutations: int = _whole(1000, 0, MAX_PERMUTATIONS)
    """Permutations for the Mantel p-value of mc_r (0 disables it)."""
    mantel_method: Literal["pearson", "spearman"] = "pearson"
    """Correlation the Mantel test permutes (mc_r itself is a Pearson correlation)."""
    seed: int = _whole(0, 0, MAX_SEED)
    """Seed for permutation tests."""
    metrics: list[str] | None = None
    """Metric names to compute; null means all registered metrics."""


class ExperimentConfig(_Section):
    issue: IssueNumber
    """Issue number; results go to ``results/issue-<N>/``."""
    title: str
    """Short title of the experiment."""
    results_dir: Path | None = None
    """Defaults to ``results/issue-<N>``."""
    extract: ExtractConfig | None = None
    """Extraction settings (``atlas extract``)."""
    analysis: AnalysisConfig = Field(default_factory=AnalysisConfig)
    """Analysis settings (``atlas analyze``)."""

    @property
    def slug(self) -> str:
        return f"issue-{self.issue}"

    @property
    def result_dir(self) -> Path:
        return self.results_dir or Path("results") / self.slug


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
        raise ConfigError(
            f"{p}:{line}: {describe_error(exc, ExperimentConfig)}",
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

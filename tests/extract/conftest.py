from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.extract.tiny_models import save_tiny_qwen2

PERSONAS = {
    "pirate": "You are a pirate who sails the seven seas.",
    "librarian": "You are a careful librarian who knows where every book belongs on the shelves.",
    "chef": "You are a cheerful chef.",
    "tutor": "You are a patient tutor who explains mathematics step by step.",
    "critic": "You are a grumpy critic who finds fault with every film and novel.",
}
QUESTIONS = [
    "Why is the sky blue?",
    "What is the best way to learn a new language, and how long does it take?",
    "How do I cook rice?",
    "Tell me about the history of the printing press.",
    "Explain how a bicycle stays upright.",
    "Can you recommend a good book for a long journey?",
]


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_tiny_qwen2(tmp_path_factory.mktemp("tiny-qwen2"))


@pytest.fixture(scope="session")
def tiny_lm(tiny_model_dir: Path):
    from persona_atlas.extract.models import load_model

    return load_model(str(tiny_model_dir), cpu_threads=1)


def write_experiment(folder: Path, model: str, *, personas=None, questions=None, **extract) -> Path:
    """An experiment YAML plus its personas/questions files under ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "personas.yaml").write_text(yaml.safe_dump(personas or PERSONAS, sort_keys=False))
    (folder / "questions.yaml").write_text(yaml.safe_dump(questions or QUESTIONS))
    section = {
        "model": model,
        "personas": str(folder / "personas.yaml"),
        "questions": str(folder / "questions.yaml"),
        "layers": [0, 2, 3],
        "batch_token_budget": 512,
        "generation": {"max_new_tokens": 8, "backend": "hf"},
        "out_dir": str(folder / "out"),
        "cpu_threads": 1,  # tiny matmuls; and the test machine may be shared
        **extract,
    }
    path = folder / "experiment.yaml"
    path.write_text(yaml.safe_dump({"issue": 999, "title": "tiny", "extract": section}))
    return path


@pytest.fixture
def experiment(tmp_path: Path, tiny_model_dir: Path):
    def make(**extract) -> Path:
        return write_experiment(tmp_path, str(tiny_model_dir), **extract)

    return make

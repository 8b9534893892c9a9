"""The progress bar: personas done, their rate and an ETA, on stderr when asked for."""

from __future__ import annotations

import re

from persona_atlas.extract.runner import run_extract
from tests.extract.conftest import PERSONAS


def test_progress_bar_reports_rate_and_eta(experiment, capsys):
    run_extract(experiment(), progress=True)
    err = capsys.readouterr().err
    final = [s for s in re.split(r"[\r\n]", err) if s.startswith("extract:")][-1]
    assert f"{len(PERSONAS)}/{len(PERSONAS)}" in final
    # [elapsed<remaining, rate], the rate in personas per second however slow
    assert re.search(r"\[\d\d:\d\d<\d\d:\d\d, *\d+\.\d+persona/s\]", final), final


def test_progress_bar_is_off_when_disabled(experiment, capsys):
    run_extract(experiment(personas=dict(list(PERSONAS.items())[:1])), progress=False)
    assert "persona/s" not in capsys.readouterr().err


def test_slow_runs_still_report_personas_per_second() -> None:
    from tqdm import tqdm

    from persona_atlas.extract.runner import PROGRESS_FORMAT

    line = tqdm.format_meter(
        n=2, total=10, elapsed=8.0, unit="persona", bar_format=PROGRESS_FORMAT, ncols=80
    )
    assert re.search(r"\[00:08<00:32, +0.25persona/s\]$", line), line

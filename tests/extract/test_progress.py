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
    # [elapsed<remaining, rate]; tqdm shows s/persona instead once it is below 1 persona/s
    assert re.search(r"\[\d\d:\d\d<\d\d:\d\d, *\d+\.\d+(persona/s|s/persona)\]", final), final


def test_progress_bar_is_off_when_disabled(experiment, capsys):
    run_extract(experiment(personas=dict(list(PERSONAS.items())[:1])), progress=False)
    assert "persona/s" not in capsys.readouterr().err

"""A report body is untrusted: template escapes are refused when rendering and flagged by lint.

Each payload would create a canary file if it ran. Rendering must raise a ReportError naming
report.md and the payload's line; ``atlas lint`` must report it at file:line:col without
rendering; neither may run it, write anything or echo anything it would have read.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import jinja2
import pytest
from jinja2.sandbox import SecurityError

from persona_atlas.errors import ReportError
from persona_atlas.lint import lint_report
from persona_atlas.lint.output import text_lines
from persona_atlas.reports.sandbox import ReportSandbox
from tests.lint.lintkit import copy_fixture
from tests.security.seckit import files_under, render_report

CANARY = "atlas-canary"
PAYLOADS = [
    '{{ cycler.__init__.__globals__.os.popen("touch CANARY").read() }}',
    '{{ joiner.__init__.__globals__.os.system("touch CANARY") }}',
    '{{ lipsum.__globals__["os"].popen("touch CANARY").read() }}',
    '{{ namespace.__init__.__globals__.os.popen("touch CANARY").read() }}',
    '{{ self.__init__.__globals__.__builtins__.open("CANARY", "w").write("x") }}',
    '{{ self._TemplateReference__context.cycler.__init__.__globals__.os.popen("touch CANARY") }}',
    '{{ value.__func__.__globals__["__builtins__"]["open"]("CANARY", "w").write("x") }}',
    "{{ value.__self__.__class__.__mro__[1].__subclasses__() }}",
    '{{ value["__globals__"] }}',
    '{{ "{0.__self__.__class__.__init__.__globals__}".format(value) }}',
    '{{ "%s" % value }}',
    '{{ () | attr("__class__") }}',
    "{{ range(10) | list }}",
    '{% set x = cycler.__init__.__globals__.os.popen("touch CANARY") %}{{ x }}',
    "{% for c in value.__class__.__mro__ %}{{ c }}{% endfor %}",
    '{% include "/etc/hostname" %}',
    '{% import "/etc/hostname" as h %}',
    "{{ 9 ** 9 ** 9 ** 9 }}",
    '{{ "x" * 100000000000 }}',
    '{{ table("cells").__class__ }}',
    '{{ value("metrics.n_pairs", "d").__class__.__base__.__subclasses__() }}',
]


def _with_payload(tmp_path: Path, payload: str) -> tuple[Path, int, Path]:
    """The fixture report with the payload on a line of its own; (report, line, canary)."""
    report = copy_fixture(tmp_path)
    canary = tmp_path / CANARY
    text = report.read_text(encoding="utf-8").rstrip("\n")
    report.write_text(f"{text}\n\n{payload.replace('CANARY', str(canary))}\n", encoding="utf-8")
    return report, text.count("\n") + 3, canary


@pytest.mark.parametrize("payload", PAYLOADS)
def test_render_refuses_escape_with_file_and_line(tmp_path: Path, payload: str) -> None:
    report, line, canary = _with_payload(tmp_path, payload)
    before = files_under(tmp_path)
    start = time.perf_counter()
    with pytest.raises(ReportError) as err:
        render_report(report)
    assert time.perf_counter() - start < 5
    assert str(err.value).startswith(f"{report}:{line}: "), str(err.value)
    assert not canary.exists()
    assert files_under(tmp_path) == before
    message = str(err.value)
    assert "uid=" not in message and "<module" not in message and "<class" not in message
    assert os.uname().nodename not in message.replace(str(tmp_path), "")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_lint_flags_escape_at_file_line_col_without_rendering(tmp_path: Path, payload: str) -> None:
    report, line, canary = _with_payload(tmp_path, payload)
    before = files_under(tmp_path)
    lint = lint_report(report)
    assert not canary.exists() and files_under(tmp_path) == before
    flagged = [t for t in text_lines(lint) if t.startswith(f"{report}:{line}:")]
    assert flagged, text_lines(lint)
    col = int(flagged[0].split(":")[2].split()[0])
    row = report.read_text(encoding="utf-8").split("\n")[line - 1]
    assert 1 <= col <= len(row)
    assert lint.failed > 0


@pytest.mark.parametrize("payload", PAYLOADS)
def test_sandbox_alone_stops_escape(tmp_path: Path, payload: str) -> None:
    """Without the static scan the renderer runs first, the sandbox still refuses."""
    canary = tmp_path / CANARY

    def value(path: str, fmt: str = "") -> str:
        return "1"

    env = ReportSandbox([value])
    with pytest.raises((SecurityError, jinja2.TemplateError, TypeError)):
        env.from_string(payload.replace("CANARY", str(canary)), globals={"value": value}).render()
    assert not canary.exists() and list(tmp_path.iterdir()) == []


def test_unsafe_attribute_names_the_attribute(tmp_path: Path) -> None:
    report, line, _ = _with_payload(tmp_path, PAYLOADS[0])
    lines = text_lines(lint_report(report))
    row = report.read_text(encoding="utf-8").split("\n")[line - 1]
    col = row.index("__init__") + 1
    assert f"{report}:{line}:{col}  [template]  unsafe attribute access `.__init__`" in "\n".join(
        lines
    )
    assert any("'cycler' is undefined" in t for t in lines)


def test_documented_helpers_stillrender_report(tmp_path: Path) -> None:
    report = copy_fixture(tmp_path)
    out = render_report(report)
    assert "| pair | layer |" in out.markdown and out.bound
    assert lint_report(report).failed == 0


@pytest.mark.parametrize("spec", ["999999999d", ".999999999f", "1000000000,.2f"])
def test_a_huge_format_width_is_refused_not_built(tmp_path: Path, spec: str) -> None:
    report, line, _ = _with_payload(tmp_path, '{{ value("metrics.n_pairs", "' + spec + '") }}')
    start = time.perf_counter()
    with pytest.raises(ReportError, match=rf"report.md:{line}: .*bad format spec: width or"):
        render_report(report)
    assert any(f"{report}:{line}:" in t and "[value]" in t for t in text_lines(lint_report(report)))
    assert time.perf_counter() - start < 5

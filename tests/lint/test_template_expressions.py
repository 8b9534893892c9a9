"""Template expressions lint cannot see through: filters on bound values, numbers typed in
string literals or outside any helper. Each is an error at file:line:col, found on the parsed
template without rendering."""

from __future__ import annotations

from pathlib import Path

import pytest

from persona_atlas.errors import ReportError
from persona_atlas.lint import lint_report
from persona_atlas.lint.output import text_lines
from persona_atlas.reports.front_matter import parse_report
from persona_atlas.reports.render import BodyRenderer, figure_names
from persona_atlas.schema import load_result, load_run
from tests.lint.lintkit import copy_fixture

BOUND = '{{ value("metrics.n_pairs", "d") }}'


def _append(tmp_path: Path, snippet: str) -> tuple[Path, int, str]:
    """The fixture with ``snippet`` as its last line; (report, line, that line)."""
    report = copy_fixture(tmp_path)
    text = report.read_text(encoding="utf-8").rstrip("\n")
    report.write_text(f"{text}\n\nNote: {snippet}\n", encoding="utf-8")
    return report, text.count("\n") + 3, f"Note: {snippet}"


def _renderer(report: Path) -> BodyRenderer:
    d = report.parent
    return BodyRenderer(
        parse_report(report),
        load_result(d / "result.json"),
        load_run(d / "run.json"),
        figure_names(d),
    )


def _failures(report: Path, line: int) -> list[str]:
    prefix = f"{report}:{line}:"
    return [t.removeprefix(prefix) for t in text_lines(lint_report(report)) if t.startswith(prefix)]


def test_a_filter_on_a_bound_value_does_not_count_as_bound(tmp_path: Path) -> None:
    clean = lint_report(copy_fixture(tmp_path / "clean")).counts()["bound"]
    report, line, row = _append(tmp_path, BOUND.replace(" }}", ' | replace("9", "1") }}'))
    lint = lint_report(report)
    assert lint.counts()["bound"] == clean and lint.failed == 2
    out = _failures(report, line)
    value_col, filter_col = row.index("value") + 1, row.index("replace") + 1
    assert out == [
        f"{value_col}  [value]  value(...) must be shown as it is, `{{{{ value(...) }}}}`, not "
        "under the filter `| replace`: what the page shows would not be what lint checked",
        f"{filter_col}  [template]  filter `| replace` is not allowed in a report: a filter can "
        "change what a helper shows",
    ]


@pytest.mark.parametrize(
    "expr", ['value("metrics.n_pairs", "d") ~ "0"', 'value("metrics.n_pairs") if true else ""']
)
def test_a_helper_inside_an_expression_is_not_bound(tmp_path: Path, expr: str) -> None:
    report, line, _ = _append(tmp_path, "{{ " + expr + " }}")
    assert any("[value]  value(...) must be shown as it is" in t for t in _failures(report, line))


@pytest.mark.parametrize(
    ("snippet", "token", "message"),
    [
        ('{{ "cos_min 0.98" }}', '"cos_min 0.98"', "the number in the string 'cos_min 0.98'"),
        ("{{ 0.98 }}", "0.98", "the number 0.98 inside a template expression is not checked"),
        ("{% if 1 %}shown{% endif %}", "1", "the number 1 inside a template expression"),
        ("{{ 'layer ' ~ '27' }}", "'27'", "the number in the string '27'"),
    ],
)
def test_a_number_in_a_template_expression_is_flagged(
    tmp_path: Path, snippet: str, token: str, message: str
) -> None:
    report, line, row = _append(tmp_path, snippet)
    (out,) = _failures(report, line)
    assert out.startswith(f"{row.index(token) + 1}  [template]  {message}"), out


def test_numbers_in_helper_arguments_are_not_loose(tmp_path: Path) -> None:
    report, line, _ = _append(
        tmp_path, '{{ table("cells", columns=["pair", "layer"], limit=2, sort="layer") }}'
    )
    assert _failures(report, line) == []


def test_a_syntax_error_elsewhere_still_checks_every_expression(tmp_path: Path) -> None:
    report, line, _ = _append(tmp_path, '{{ value("metrics.no_such") }} and a stray {% here')
    out = _failures(report, line)
    assert any("[template]  template syntax error" in t for t in out), out
    assert any("[value]  value('metrics.no_such')" in t for t in out), out


def test_build_refuses_a_filter_too(tmp_path: Path) -> None:
    report, line, _ = _append(tmp_path, BOUND.replace(" }}", ' | replace("9", "1") }}'))
    renderer = _renderer(report)
    with pytest.raises(ReportError, match=rf"report.md:{line}: filter `\| replace` is not allowed"):
        renderer.render()


def test_a_non_ascii_digit_is_a_syntax_error_not_a_crash(tmp_path: Path) -> None:
    """Jinja's lexer reads "٠" (U+0660) as a digit and Python then refuses it: lint and
    build name the line instead of crashing."""
    report, line, _ = _append(tmp_path, "{{ \u0660e0 }}")
    out = _failures(report, line)
    assert any("[template]  template syntax error: not a number" in t for t in out), out
    renderer = _renderer(report)
    with pytest.raises(ReportError, match=rf"report.md:{line}: .*not a number"):
        renderer.render()

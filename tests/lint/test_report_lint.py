"""Whole-report linting: the fixture is clean; each kind of fault gets its exact failure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from persona_atlas.cli import main
from persona_atlas.lint import lint_report
from persona_atlas.lint.output import text_lines
from tests.lint.lintkit import FIXTURE, copy_fixture, edit


def messages(report: Path) -> list[str]:
    lint = lint_report(report)
    return [line.split("  ", 1)[1] for line in text_lines(lint)]


def test_fixture_lints_clean() -> None:
    lint = lint_report(FIXTURE / "report.md")
    assert lint.failed == 0, text_lines(lint)
    counts = lint.counts()
    assert counts["failed"] == 0 and counts["matched"] >= 15 and counts["bound"] >= 10
    assert counts["checked"] == sum(counts[k] for k in ("matched", "bound", "exempt", "pragma"))


def test_failure_line_names_position_token_and_nearest(tmp_path: Path) -> None:
    report = copy_fixture(tmp_path)
    edit(report, "cos_min = 0.9612", "cos_min = 0.9621")
    lint = lint_report(report)
    (line,) = text_lines(lint)
    row = next(i for i, t in enumerate(report.read_text().split("\n"), 1) if "0.9621" in t)
    col = report.read_text().split("\n")[row - 1].index("0.9621") + 1
    assert line.startswith(
        f"{report}:{row}:{col}  0.9621  contradicted → in scope: metrics.pairs.A__C2.cos_min.max = 0.9612, "
    )
    assert "elsewhere" not in line  # three values in scope, nearest first


def test_wrong_range_is_flagged_with_the_collection(tmp_path: Path) -> None:
    report = copy_fixture(tmp_path)
    edit(report, "from 0.07 to 0.96", "from 0.01 to 0.70")
    out = messages(report)
    assert (
        len(out) == 2
        and out[0].startswith("0.01  contradicted → ")
        and out[1].startswith("0.70  contradicted → ")
    )
    assert "metrics.ranges.cos_min.{min,max} = [0.0738 … 0.9612]" in out[0]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            'value("metrics.n_pairs", "d")',
            'value("metrics.n_pair", "d")',
            "[value]  value('metrics.n_pair'): metrics.n_pair: no key 'n_pair' under metrics",
        ),
        (
            'value("run.layers[2]", "d")',
            'value("run.layers[3]", "d")',
            "[value]  value('run.layers[3]'): layers[3]: index 3 out of range (layers has 3)",
        ),
        (
            'value("metrics.n_pairs", "d")',
            'value("metrics.n_pairs", ".2%x")',
            "[value]  value('metrics.n_pairs', '.2%x'): bad format spec: Invalid format specifier",
        ),
        (
            'value("metrics.n_pairs", "d")',
            'value("metrics.pairs", "d")',
            "[value]  value('metrics.pairs') is a dict, not a number",
        ),
        (
            'value("metrics.n_pairs", "d")',
            'value("tables.cells.rows[0][12]")',
            "[value]  value('tables.cells.rows[0][12]') is null (no reason recorded in `nulls`)",
        ),
        (
            'table("cells", columns',
            'table("cell", columns',
            "[table]  table('cell'): result.json has no such table (has: cells, verdict_counts)",
        ),
        (
            'columns=["pair", "layer"',
            'columns=["pair", "layers"',
            "[table]  table('cells'): table 'cells' has no column(s) ['layers']",
        ),
        (
            'figure("verdict_partition", "Verdict',
            'figure("verdicts", "Verdict',
            "[figure]  figure('verdicts'): no figures/verdicts.vl.json (has: verdict_partition)",
        ),
        (
            '"Verdict per recipe pair and layer (green PASS, red KILL)."',
            '""',
            "[figure]  figure('verdict_partition'): every figure needs a caption",
        ),
        # helper calls must fit the renderer's signatures
        (
            'value("metrics.n_pairs", "d")',
            'value("metrics.n_pairs", "d", 3, 4)',
            "[value]  value(path, fmt=''): too many positional arguments",
        ),
        (
            'value("metrics.n_pairs", "d")',
            'value("metrics.n_pairs", format="d")',
            "[value]  value(path, fmt=''): got an unexpected keyword argument 'format'",
        ),
        (
            '"Verdict per recipe pair and layer (green PASS, red KILL)."',
            '"Verdict per recipe pair and layer.", 3',
            "[figure]  figure(name, caption=''): too many positional arguments",
        ),
        (
            'table("cells", columns',
            'table("cells", "extra", columns',
            "[table]  table(name, **opts): too many positional arguments",
        ),
    ],
)
def test_bound_values_and_helpers(tmp_path: Path, old: str, new: str, expected: str) -> None:
    report = copy_fixture(tmp_path)
    edit(report, old, new)
    (msg,) = messages(report)
    assert msg.startswith(expected), msg


def test_helper_arguments_may_use_jinja_constants_but_must_be_literals(tmp_path: Path) -> None:
    report = copy_fixture(tmp_path)
    edit(report, 'columns=["pair", "layer", "cos_min", "mc_r", "verdict"]', "limit=none, sort=[]")
    assert lint_report(report).failed == 0
    edit(report, "limit=none", "limit=n")
    (msg,) = messages(report)
    assert msg == "[table]  table(...) arguments must be literals so the linter can check them"


def test_pragma_allows_one_token_and_is_counted(tmp_path: Path) -> None:
    report = copy_fixture(tmp_path)
    edit(
        report,
        "- Repeat on Llama",
        "- Budget about 5.5 GPU-hours. <!-- lint-allow 5.5: an estimate, not a result -->\n- Repeat on Llama",
    )
    lint = lint_report(report)
    assert lint.failed == 0 and lint.counts()["pragma"] == 1
    (n,) = [n for n in lint.numbers if n.status == "pragma"]
    assert (n.token, n.reason) == ("5.5", "an estimate, not a result")


@pytest.mark.parametrize(
    ("pragma", "expected"),
    [
        ("<!-- lint-allow 6.5: wrong token -->", "[pragma]  lint-allow '6.5' allows nothing"),
        ("<!-- lint-allow 5.5 -->", "[pragma]  lint-allow needs tokens, a colon and a reason"),
    ],
)
def test_bad_pragmas_are_errors(tmp_path: Path, pragma: str, expected: str) -> None:
    report = copy_fixture(tmp_path)
    edit(report, "- Repeat on Llama", f"- Budget about 5.5 GPU-hours. {pragma}\n- Repeat on Llama")
    out = messages(report)
    assert any(m.startswith(expected) for m in out), out
    assert any(m.startswith("5.5  unverified") for m in out)  # the number is still a failure


def test_pragma_on_its_own_line_covers_the_next_line(tmp_path: Path) -> None:
    report = copy_fixture(tmp_path)
    edit(
        report,
        "- Repeat on Llama",
        "<!-- lint-allow 5.5: an estimate -->\n- Budget 5.5 GPU-hours.\n- Repeat on Llama",
    )
    assert lint_report(report).failed == 0


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "### Background",
            "### Backstory",
            "[sections]  missing required section `### Background`",
        ),
        ("### Artifacts", "### Files", "[sections]  missing required section: Artifacts"),
        ("### Caveats", "### Limits", "[sections]  missing required section: Caveats"),
        ("**Main takeaways:**", "Takeaways:", "[sections]  missing the `**Main takeaways:**` list"),
        (
            "**Confidence: MODERATE**",
            "**Confidence: HIGH**",
            "[confidence]  confidence line says HIGH but the front matter says MODERATE",
        ),
        (
            "**Confidence: MODERATE** —",
            "Confidence is moderate —",
            "[confidence]  exactly one `**Confidence: MODERATE**` line is required; found 0",
        ),
        (
            "hero: verdict_partition",
            "hero: https://example.org/x/blob/main/fig.png",
            "[hero]  hero URL https://example.org/x/blob/main/fig.png is not pinned to a commit",
        ),
        (
            "hero: verdict_partition",
            "hero: heatmap",
            "[hero]  hero 'heatmap' is not one of the result's figures (has: verdict_partition)",
        ),
        (
            "| Recipes | A, B, C2 |",
            "| Recipes | TBD |",
            "[card]  reproducibility card cell not filled: TBD",
        ),
        (
            "| Recipes | A, B, C2 |",
            "| Recipes | see config |",
            "[card]  reproducibility card cell not filled: see config",
        ),
        (
            "| Recipes | A, B, C2 |",
            "| Recipes | {{ recipes }} |",
            "[card]  reproducibility card cell not filled: {{ recipes }}",
        ),
        (
            "| Recipes | A, B, C2 |",
            "| Recipes |  |",
            "[card]  reproducibility card cell not filled: (empty)",
        ),
        (
            "far\nabove every threshold",
            "somewhat high,\nfar above every threshold",
            "[hedging]  hedging phrase 'somewhat high'",
        ),
        (
            "### Source issues",
            "![](figures/x.png)\n\n### Source issues",
            "[caption]  image without a caption",
        ),
    ],
)
def test_structure_rules(tmp_path: Path, old: str, new: str, expected: str) -> None:
    report = copy_fixture(tmp_path)
    edit(report, old, new)
    out = messages(report)
    assert any(m.startswith(expected) for m in out), out


def test_card_words_like_qwen_default_are_not_placeholders(tmp_path: Path) -> None:
    report = copy_fixture(tmp_path)
    edit(
        report, "| Recipes | A, B, C2 |", "| Recipes | A, B, C2 (qwen_default template, TBDX id) |"
    )
    assert lint_report(report).failed == 0


def test_hero_may_be_a_commit_pinned_url(tmp_path: Path) -> None:
    report = copy_fixture(tmp_path)
    edit(report, "hero: verdict_partition", "hero: https://example.org/x/blob/4822c74/fig.png")
    assert lint_report(report).failed == 0


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        ("latin1", ":2:1: not UTF-8 text (byte 0xe9)"),
        ("bad-json", "result.json:2:1: invalid JSON"),
        ("no-result", "result.json: no result.json next to"),
        ("front", "report.md:4: confidence: Input should be 'HIGH', 'MODERATE' or 'LOW'"),
    ],
)
def test_bad_input_is_an_error_naming_file_and_position(
    tmp_path: Path, breakage: str, expected: str
) -> None:
    report = copy_fixture(tmp_path)
    if breakage == "latin1":
        report.write_bytes(b"---\n\xe9\n---\n")
    elif breakage == "bad-json":
        (report.parent / "result.json").write_text("{\n,}\n")
    elif breakage == "no-result":
        (report.parent / "result.json").unlink()
    else:
        edit(report, "confidence: MODERATE", "confidence: maybe")
    lint = lint_report(report)
    (problem,) = lint.problems
    assert problem.rule == "input" and expected in problem.message, problem.message


def test_cli_exit_codes_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = copy_fixture(tmp_path)
    assert main(["lint", str(report)]) == 0
    assert "0 contradicted, 0 unverified" in capsys.readouterr().out
    edit(report, "0.0738", "0.0783")
    assert main(["lint", str(report), "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["summary"]["failed"] == 1
    (bad,) = [n for n in doc["reports"][0]["numbers"] if n["status"] == "failed"]
    assert bad["token"] == "0.0783"
    assert bad["nearest"][0] == {"path": "metrics.pairs.A__C2.cos_min.min", "value": 0.0738}
    assert bad["nearest_in_scope"] == 3


def test_cli_verbose_shows_exemption_reasons(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "-v", str(FIXTURE / "report.md")]) == 0
    out = capsys.readouterr().out
    assert "92  exempt (issue): an issue reference (#201, issue 201)" in out
    assert "bound metrics.n_pairs → 2" in out


@pytest.mark.parametrize(
    ("url", "pinned"),
    [
        ("https://github.com/a/b/blob/4822c74/fig.png", True),
        ("https://raw.githubusercontent.com/a/b/4822c74d/fig.png", True),
        ("https://gitlab.com/a/b/-/raw/4822c74/fig.png", True),
        ("https://cdn.jsdelivr.net/gh/a/b@4822c74/fig.png", True),
        ("https://github.com/a/b/blob/main/deadbeef/f.png", False),  # a branch, then a folder
        ("https://github.com/a/b/blob/main/f.png", False),
        ("https://example.org/4822c74/f.png", False),  # a hex folder is not a ref
    ],
)
def test_hero_url_must_name_a_commit_as_its_ref(tmp_path: Path, url: str, pinned: bool) -> None:
    report = copy_fixture(tmp_path)
    edit(report, "hero: verdict_partition", f"hero: {url}")
    out = messages(report)
    assert (not any(m.startswith("[hero]") for m in out)) == pinned, out


def test_numbers_in_captions_and_the_title_are_checked(tmp_path: Path) -> None:
    report = copy_fixture(tmp_path)
    edit(
        report,
        '"Verdict per recipe pair and layer (green PASS, red KILL)."',
        '"0.1234 of cells (0.77)."',
    )
    edit(report, "title: Recipe C2 agrees", "title: Recipe C2 at 0.4321 agrees")
    lint = lint_report(report)
    failed = [(n.line, n.token) for n in lint.numbers if n.status == "failed"]
    caption_line = next(i for i, t in enumerate(report.read_text().split("\n"), 1) if "0.1234" in t)
    assert failed == [(3, "0.4321"), (caption_line, "0.1234"), (caption_line, "0.77")]
    row = report.read_text().split("\n")[caption_line - 1]
    (n,) = [n for n in lint.numbers if n.token == "0.1234"]
    assert row[n.col - 1 :].startswith("0.1234")


@pytest.mark.parametrize("huge", ["1.2e400", "10^400", "1e-400", "4.9 × 10⁻⁹⁹⁹", "1e" + "9" * 5000])
def test_a_number_beyond_float_range_is_a_failure_not_a_crash(tmp_path: Path, huge: str) -> None:
    report = copy_fixture(tmp_path)
    edit(report, "- Repeat on Llama", f"- Repeat with {huge} personas.\n- Repeat on Llama")
    (n,) = [n for n in lint_report(report).numbers if n.status == "failed"]
    assert n.token == huge and "range of a floating-point number" in n.note

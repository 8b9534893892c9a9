"""Lint one report: every number in its prose against its result.json and run.json.

`lint_report` is what ``atlas lint`` runs for ``results/<slug>/report.md``; `lint_file`
lints any Markdown or plain-text file against JSON files given explicitly (numbers only),
e.g. a legacy write-up against its legacy result JSON.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from persona_atlas.errors import AtlasError, InputFileError
from persona_atlas.lint.bindings import Binding, Context, check_bindings
from persona_atlas.lint.context import contexts
from persona_atlas.lint.counted import counted
from persona_atlas.lint.exemptions import RULES, token_rule
from persona_atlas.lint.lookup import Lookup, Verdict
from persona_atlas.lint.matching import TRAJECTORY, Candidate
from persona_atlas.lint.notation import is_change, read_notation
from persona_atlas.lint.numbers import Claim, RawToken, find_tokens, parse_claim
from persona_atlas.lint.pragmas import allow, find_pragmas, unused
from persona_atlas.lint.prose import REGION_RULES, Masked, mask
from persona_atlas.lint.scope import TextContext
from persona_atlas.lint.sources import against_lookup, every_vocabulary, result_sources
from persona_atlas.lint.structure import check_structure
from persona_atlas.lint.terms import vocabulary

Status = Literal["matched", "failed", "exempt", "pragma"]
#: What a number's check says of it (docs/lint.md, "Verdicts"): ``supported`` (a stored value
#: its context names rounds to it), ``contradicted`` (the context identifies a stored quantity
#: that disagrees), ``unverified`` (the JSON holds nothing the context identifies),
#: ``exempt`` (not a claim) and ``allowed`` (a pragma says why it cannot be checked).
VerdictName = Literal["supported", "contradicted", "unverified", "exempt", "allowed"]
VERDICTS: tuple[VerdictName, ...] = ("supported", "contradicted", "unverified", "exempt", "allowed")


@dataclass(frozen=True)
class NumberCheck:
    """One numeric token in the report and what became of it."""

    line: int
    col: int
    token: str
    status: Status
    rule: str = ""  # exemption rule, or "pragma"
    reason: str = ""  # the rule's reason, the pragma's, or why a failure is only unverified
    matches: tuple[Candidate, ...] = ()
    """Values in scope that support it, best first."""
    nearest: tuple[Candidate, ...] = ()
    """For a failure: the closest values, the first `in_scope` of them in scope."""
    in_scope: int = 0
    note: str = ""
    verdict: VerdictName = "supported"

    @property
    def fails(self) -> bool:
        """Not supported, exempt or allowed: contradicted or unverified."""
        return self.status == "failed"


@dataclass(frozen=True)
class Problem:
    """A failure that is not a typed number: a binding, a structure rule, a pragma, input."""

    line: int
    col: int
    rule: str
    message: str


@dataclass
class ReportLint:
    path: Path
    numbers: list[NumberCheck] = field(default_factory=list)
    bindings: list[Binding] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    strict: bool = True
    """Fail on ``unverified`` numbers too (our own reports), not only on ``contradicted``."""
    warnings: list[str] = field(default_factory=list)
    """Quirks tolerated in the JSON read (a bare NaN read as null, …): shown, never failing."""

    def failing(self, n: NumberCheck) -> bool:
        return n.verdict == "contradicted" or (self.strict and n.verdict == "unverified")

    @property
    def failed(self) -> int:
        return (
            sum(map(self.failing, self.numbers))
            + sum(not b.ok for b in self.bindings)
            + len(self.problems)
        )

    def counts(self) -> dict[str, int]:
        by = {s: sum(n.status == s for n in self.numbers) for s in ("matched", "exempt", "pragma")}
        verdicts = {v: sum(n.verdict == v for n in self.numbers) for v in VERDICTS}
        bound = sum(b.ok and b.helper == "value" for b in self.bindings)
        bad_numbers = sum(map(self.failing, self.numbers))
        bad_bound = sum(not b.ok and b.helper == "value" for b in self.bindings)
        return {
            "checked": len(self.numbers) + bound + bad_bound,
            "matched": by["matched"],
            "bound": bound,
            "exempt": by["exempt"],
            "pragma": by["pragma"],
            "failed": bad_numbers + bad_bound,
            "other_failures": self.failed - bad_numbers - bad_bound,
            # the verdicts: a bound value is supported, a broken binding contradicted
            "supported": verdicts["supported"] + bound,
            "contradicted": verdicts["contradicted"] + bad_bound,
            "unverified": verdicts["unverified"],
            "allowed": verdicts["allowed"],
        }


#: Text between two numbers that makes them one range claim ("0.53–0.70", "0.01 to 0.70").
_RANGE_JOIN = re.compile(r"(?:-|\s*[–—…]\s*|\s*\.\.\.?\s*|\s+(?:to|through)\s+)")


def check_numbers(masked: Masked, lookup: Lookup, lint: ReportLint, *, lines: bool = False) -> None:
    """Classify every numeric token in the body; apply pragmas; record failures.
    ``lines``: the text is plain, one paragraph per line (see `context.contexts`)."""
    pragmas, errors = find_pragmas(masked)
    lint.problems += [Problem(e.line, e.col, "pragma", e.message) for e in errors]
    for region in masked.regions:
        if region.kind in REGION_RULES:
            for tok in find_tokens(masked.text[region.start : region.end]):
                line, col = masked.position(region.start + tok.start)
                lint.numbers.append(
                    NumberCheck(
                        line, col, tok.text, "exempt", region.kind, RULES[region.kind],
                        verdict="exempt",
                    )
                )  # fmt: skip
    claims: list[tuple[RawToken, Claim]] = []
    for tok in find_tokens(masked.prose):
        rule = token_rule(masked.prose, tok)
        if rule:
            line, col = masked.position(tok.start)
            lint.numbers.append(
                NumberCheck(line, col, tok.text, "exempt", rule, RULES[rule], verdict="exempt")
            )
        else:
            claims.append((tok, read_notation(masked.prose, tok.start, tok.end, parse_claim(tok))))
    where = contexts(masked, [tok for tok, _ in claims], lookup.describer.recipes, lines=lines)
    verdicts, wrong_counts = counted(
        masked, claims, _match_all(masked.prose, claims, where, lookup), lookup
    )
    lint.problems += [Problem(*masked.position(at), "count", msg) for at, msg in wrong_counts]
    for (tok, claim), v in zip(claims, verdicts, strict=True):
        line, col = masked.position(tok.start)
        if v.matches:
            lint.numbers.append(
                NumberCheck(line, col, claim.text, "matched", matches=v.matches, note=v.note)
            )
        elif p := allow(pragmas, line, claim.text):
            lint.numbers.append(
                NumberCheck(line, col, claim.text, "pragma", "pragma", p.reason, verdict="allowed")
            )
        else:
            lint.numbers.append(
                NumberCheck(
                    line,
                    col,
                    claim.text,
                    "failed",
                    nearest=v.nearest,
                    in_scope=v.in_scope,
                    note=v.note,
                    verdict="unverified" if v.unverified else "contradicted",
                    reason=v.unverified,
                )
            )
    lint.problems += [Problem(e.line, e.col, "pragma", e.message) for e in unused(pragmas)]
    lint.numbers.sort(key=lambda n: (n.line, n.col))


def _match_all(
    prose: str,
    claims: list[tuple[RawToken, Claim]],
    where: list[TextContext],
    lookup: Lookup,
) -> list[Verdict]:
    """Match each claim in its context; a decimal range ``X–Y`` must be the min and max of
    one collection in scope."""
    out: list[Verdict | None] = [None] * len(claims)
    for i in range(len(claims) - 1):
        (t1, c1), (t2, c2) = claims[i], claims[i + 1]
        if out[i] is not None or not _RANGE_JOIN.fullmatch(prose[t1.end : t2.start]):
            continue
        if c1.integer and c2.integer:
            continue  # "layers 21-27": index spans; each end is checked on its own
        if c1.percent != c2.percent:  # "38–45%": both ends are percents
            c1, c2 = (replace(c, percent=True, integer=False) for c in (c1, c2))
        ranged = lookup.match_range(c1, c2, where[i])
        # "rises from 0.49 to 0.90": a before and an after — one collection's first and last
        # value, or else two values each checked on its own; never a min and max
        trajectory = any(c.path.endswith(TRAJECTORY) for c in ranged.matches)
        if is_change(prose, t1.start) and not trajectory:
            continue
        out[i] = out[i + 1] = ranged
    for i, (_, claim) in enumerate(claims):
        if out[i] is None:
            out[i] = lookup.match(claim, where[i])
    return [v for v in out if v is not None]


def read_text(path: Path) -> str:
    """A report's text; undecodable bytes name the file, line and column."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputFileError(f"{path}: file not found") from None
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        return data.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputFileError(
            f"{path}:{line}:{col}: not UTF-8 text (byte 0x{data[exc.start]:02x})",
            hint="re-save the file as UTF-8",
        ) from None


def lint_report(
    path: str | Path,
    *,
    result: str | Path | None = None,
    run: str | Path | None = None,
    text: str | None = None,
    strict: bool = True,
) -> ReportLint:
    """Lint ``results/<slug>/report.md``: numbers, bound values, helpers and structure.

    ``result`` / ``run`` default to the files next to the report; ``text`` replaces the
    report's text (same front matter), e.g. to lint an edited copy without writing it.
    ``strict``: an unverified number fails too (the site's gate lints this way).
    """
    from persona_atlas.reports.front_matter import parse_report

    report_path = Path(path)
    lint = ReportLint(report_path, strict=strict)
    try:
        text = read_text(report_path) if text is None else text
        report = parse_report(report_path)
        result_path = Path(result) if result else report_path.parent / "result.json"
        run_path = Path(run) if run else report_path.parent / "run.json"
        if not result_path.exists():
            raise InputFileError(
                f"{result_path}: no result.json next to {report_path}",
                hint="run `atlas analyze` (or `atlas import`) for this issue first",
            )
        sources = result_sources(result_path, run_path)
    except AtlasError as exc:
        lint.problems.append(_input_problem(exc))
        return lint
    except (OSError, ValueError, RecursionError) as exc:
        # a folder or an unreadable file where a file should be, a front matter value the
        # YAML loader rejects, JSON nested too deeply to parse: this report fails, the others
        # are still linted
        lint.problems.append(Problem(0, 0, "input", _unreadable(report_path, exc)))
        return lint
    res, result_doc, run_doc = sources.result, sources.result_doc, sources.run_doc
    body_start = _offset_of_line(text, report.body_line)
    masked = mask(text, body_start, expose=_title_span(text, body_start))
    figures_dir = report_path.parent / "figures"
    ctx = Context(
        result=res,
        result_doc=result_doc,
        run_doc=run_doc,
        figures={p.name.removesuffix(".vl.json") for p in figures_dir.glob("*.vl.json")},
        hero=report.front.hero,
        result_dir=report_path.parent,
    )
    with vocabulary(sources.words):  # the words of the result's kind
        check_numbers(masked, sources.lookup, lint)
        lint.bindings = check_bindings(masked, ctx)
        issues = check_structure(masked, report.front.confidence, ctx, body_start)
    for issue in issues:
        lint.problems.append(Problem(issue.line, issue.col, issue.rule, issue.message))
    lint.problems.sort(key=lambda p: (p.line, p.col))
    return lint


def lint_file(
    path: str | Path,
    against: list[str | Path],
    *,
    text: str | None = None,
    strict: bool = False,
) -> ReportLint:
    """Numbers only: any text file against JSON files or folders of them (paths shown as
    ``<name>:<path>``); ``text`` replaces the file's text. Only contradicted numbers fail
    unless ``strict``."""
    p = Path(path)
    lint = ReportLint(p, strict=strict)
    try:
        text = read_text(p) if text is None else text
        sources = against_lookup(against)
    except AtlasError as exc:
        lint.problems.append(_input_problem(exc))
        return lint
    except (OSError, RecursionError) as exc:
        lint.problems.append(Problem(0, 0, "input", _unreadable(p, exc)))
        return lint
    lint.warnings = list(sources.warnings)
    plain = p.suffix.lower() not in (".md", ".markdown")
    with vocabulary(every_vocabulary()):  # not a result: the words of every kind
        check_numbers(mask(text), sources.lookup, lint, lines=plain)
    return lint


_TITLE = re.compile(r"""^title:[ \t]*(?P<q>["']?)(?P<title>.*?)(?P=q)[ \t]*$""", re.MULTILINE)


def _title_span(text: str, body_start: int) -> list[tuple[int, int]]:
    """Where the front matter's one-line ``title:`` text is: its numbers are shown too."""
    m = _TITLE.search(text, 0, body_start)
    return [(m.start("title"), m.end("title"))] if m else []


def _offset_of_line(text: str, line: int) -> int:
    offset = 0
    for _ in range(line - 1):
        nl = text.find("\n", offset)
        if nl < 0:
            return len(text)
        offset = nl + 1
    return offset


def _input_problem(exc: AtlasError) -> Problem:
    return Problem(0, 0, "input", str(exc))


def _unreadable(report: Path, exc: OSError | ValueError | RecursionError) -> str:
    if isinstance(exc, RecursionError):
        return f"{report.parent}: result.json or run.json is nested too deeply to read"
    if isinstance(exc, OSError):
        what = "a folder, not a file" if isinstance(exc, IsADirectoryError) else exc.strerror
        return f"{exc.filename or report}: cannot read: {what or exc}"
    return f"{report}: cannot read the front matter: {exc}"

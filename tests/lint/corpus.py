"""The write-up corpus: the group's own write-ups, each with its hand-checked mistakes.

Each ``tests/lint/writeups/<name>.yaml`` names a write-up and the JSON its numbers come from
(relative to ``<repo>/../shared/reference``; the prose is theirs and is never copied here) and
lists, by ``line:col``, the numbers a careful reader found wrong (``mistakes``) and those that
are wrong or right depending on the reading (``ambiguous``). `score` lints the write-up and
sets its ``contradicted`` numbers against that list: a contradicted ambiguous number counts
neither way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from persona_atlas.lint import lint_file
from persona_atlas.lint.engine import ReportLint

HERE = Path(__file__).parent / "writeups"
REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "reference"


@dataclass(frozen=True)
class Writeup:
    name: str
    text: Path
    against: list[Path]
    mistakes: dict[str, str]
    """``line:col`` → the token."""
    ambiguous: dict[str, str]

    @property
    def present(self) -> bool:
        return self.text.exists() and all(p.exists() for p in self.against)


@dataclass
class Score:
    writeup: Writeup
    lint: ReportLint
    contradicted: dict[str, str] = field(default_factory=dict)

    @property
    def caught(self) -> set[str]:
        return set(self.contradicted) & set(self.writeup.mistakes)

    @property
    def missed(self) -> set[str]:
        return set(self.writeup.mistakes) - set(self.contradicted)

    @property
    def false_alarms(self) -> set[str]:
        return set(self.contradicted) - set(self.writeup.mistakes) - set(self.writeup.ambiguous)

    @property
    def recall(self) -> float:
        return len(self.caught) / len(self.writeup.mistakes) if self.writeup.mistakes else 1.0

    @property
    def precision(self) -> float:
        judged = len(self.caught) + len(self.false_alarms)
        return len(self.caught) / judged if judged else 1.0


def corpus() -> list[Writeup]:
    out = []
    for f in sorted(HERE.glob("*.yaml")):
        doc = yaml.safe_load(f.read_text(encoding="utf-8"))
        out.append(
            Writeup(
                f.stem,
                REFERENCE / doc["writeup"],
                [REFERENCE / a for a in doc["against"]],
                {m["at"]: str(m["text"]) for m in doc.get("mistakes") or []},
                {m["at"]: str(m["text"]) for m in doc.get("ambiguous") or []},
            )
        )
    return out


def score(w: Writeup) -> Score:
    lint = lint_file(w.text, list(w.against))
    s = Score(w, lint)
    s.contradicted = {
        f"{n.line}:{n.col}": n.token for n in lint.numbers if n.verdict == "contradicted"
    }
    return s


if __name__ == "__main__":  # a quick table while tuning: python tests/lint/corpus.py [-v]
    import sys

    for w in corpus():
        s = score(w)
        c = s.lint.counts()
        print(
            f"{w.name}: {len(w.mistakes)} mistakes, caught {len(s.caught)}, missed {sorted(s.missed)}, "
            f"false alarms {len(s.false_alarms)}; recall {s.recall:.0%} precision {s.precision:.0%}; "
            f"supported {c['supported']} contradicted {c['contradicted']} unverified {c['unverified']} "
            f"exempt {c['exempt']}"
        )
        if "-v" in sys.argv:
            from persona_atlas.lint.output import text_lines

            for line in text_lines(s.lint):
                at = ":".join(line.split("  ")[0].split(":")[-2:])
                if at in s.false_alarms:
                    print("   FA", line[len(str(w.text)) :][:260])

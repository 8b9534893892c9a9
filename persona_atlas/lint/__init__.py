"""``atlas lint``: every number in a report's prose checked against its result.

- `numbers` reads numeric tokens and what they claim;
- `prose` blanks what is not prose (code, URLs, templates), keeping positions;
- `exemptions` names the few rules under which a number is an identifier, not a claim;
- `matching` indexes every numeric leaf of result.json / run.json by value;
- `terms`, `describe` say what each stored value is about (terms, recipes, layer);
- `passages`, `context` say what the text around each number names;
- `scope` rates stored values against a context; `lookup` joins value and scope: a typed
  number matches only the values its context refers to (see docs/lint.md);
- `counts`, `counted` check counted claims ("all 60 cells are KILL", typed or bound)
  against the stored verdicts;
- `summary` bounds the index of a very large result (its largest lists are summarised);
- `sources` loads the JSON once per file version;
- `bindings` checks ``value()`` / ``table()`` / ``figure()`` calls without rendering;
- `pragmas` parses the explicit ``lint-allow`` comments;
- `structure` checks sections, confidence, hero, captions, card, hedging;
- `engine` ties them together; `output` prints the result.
"""

from persona_atlas.lint.engine import NumberCheck, Problem, ReportLint, lint_file, lint_report

__all__ = ["NumberCheck", "Problem", "ReportLint", "lint_file", "lint_report"]

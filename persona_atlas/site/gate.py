"""The publishing gate: a report whose numbers fail ``atlas lint`` is not published.

``atlas build`` lints every report it is about to publish with the linter's public API. Any
failure stops the build before the output folder is touched; a preview build goes on and
puts a banner on each failing page instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from persona_atlas.errors import ReportError

if TYPE_CHECKING:
    from persona_atlas.lint import ReportLint

_SHOWN_PER_REPORT = 5


def lint_banners(lints: list[ReportLint], *, preview: bool) -> dict[Path, str]:
    """Banner text for each failing report (preview), or a ``ReportError`` naming them all;
    ``lints`` are the reports' lint results, computed once by the caller."""
    from persona_atlas.lint.output import text_lines

    failing = [lint for lint in lints if lint.failed]
    if not failing:
        return {}
    if not preview:
        lines = [f"{len(failing)} report(s) fail `atlas lint`; nothing was published:"]
        for lint in failing:
            lines.append(f"  {lint.path}: {_problems(lint.failed)}")
            shown = text_lines(lint)
            lines.extend(f"    {line}" for line in shown[:_SHOWN_PER_REPORT])
            if len(shown) > _SHOWN_PER_REPORT:
                lines.append(f"    … and {len(shown) - _SHOWN_PER_REPORT} more")
        raise ReportError(
            "\n".join(lines),
            hint="fix them (`atlas lint` lists every one), or run `atlas build --preview` to "
            "build anyway with a 'numbers not checked' banner on those pages",
        )
    return {
        lint.path: f"Preview, not for publication: lint failed with {_problems(lint.failed)}; "
        "the numbers on this page are not checked."
        for lint in failing
    }


def _problems(n: int) -> str:
    return f"{n} problem" + ("" if n == 1 else "s")

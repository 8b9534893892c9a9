"""When two computations of a result are the same result (``atlas analyze --verify``).

One rule per value, from its type and how it was computed (docs/analysis.md, "Reproducible
across CPUs"):

- strings (verdicts, names), booleans, integers (counts, layers) and nulls: identical. A
  verdict that flips at a threshold is a real difference, however small the metric's move.
- floats: every stored statistic is finished in float64 from well-conditioned inputs, so a
  BLAS kernel, thread count or CPU moves it by ~1e-13 at most; two values are the same when
  ``|a − b| <= max(RTOL · max(|a|, |b|), ATOL)``. A p-value from a permutation test is a
  count over B permutations: a different count moves it by 1 / (B + 1), far outside that.
- floats stored rounded to ``d`` decimals (``ROUNDED``, where both values are so rounded):
  a value lying on a rounding boundary may round either way, so they may differ by one
  step, 10^-d, no more.

``rtol = 0`` compares everything exactly (bit for bit: a same-machine determinism check).
"""

from __future__ import annotations

import math
import re
from typing import Any

from persona_atlas.jsonpath import flatten
from persona_atlas.schema import ResultFile

#: Relative tolerance of a float64 statistic (kernel differences are ~1e-13 and below).
RTOL = 1e-9
#: Absolute floor for values near 0: results are correlations, cosines and distances of
#: order 1, whose rounding error is absolute (a correlation of 1e-15 is 0 to within it).
ATOL = 1e-10
#: Paths that differ legitimately between two runs of the same analysis.
VOLATILE = ("provenance.created", "provenance.git.commit", "provenance.git.dirty")
#: Decimals of the values ``persona_geometry`` stores rounded (figures need no more).
DIGITS = 6
#: Where those values are: path pattern → decimals.
ROUNDED: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"metrics\.cosine_matrices\..*"), DIGITS),
    (re.compile(r"tables\.rsa_pairs\.rows\[\d+\]\[[234]\]"), DIGITS),
)


def _number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _decimals(path: str) -> int | None:
    return next((d for pattern, d in ROUNDED if pattern.fullmatch(path)), None)


def same_float(x: float, y: float, rtol: float = RTOL) -> bool:
    """The float rule: ``|x − y| <= max(rtol · max(|x|, |y|), ATOL · rtol / RTOL)``."""
    return abs(x - y) <= max(rtol * max(abs(x), abs(y)), ATOL * rtol / RTOL)


def same_value(path: str, a: Any, b: Any, rtol: float = RTOL) -> bool:
    """Whether ``a`` and ``b`` (at JSON ``path``) are the same value under the rules above."""
    if not (isinstance(a, float) or isinstance(b, float)) or not (_number(a) and _number(b)):
        return type(a) is type(b) and a == b  # str, bool, int, None: exact
    x, y = float(a), float(b)
    if rtol == 0.0 or x == y:
        return x == y
    if not (math.isfinite(x) and math.isfinite(y)):
        return False
    diff = abs(x - y)
    decimals = _decimals(path)
    if decimals is not None and round(x, decimals) == x and round(y, decimals) == y:
        return diff <= 10.0**-decimals * (1.0 + 1e-6)  # one rounding step (of a decimal)
    return same_float(x, y, rtol)


def differences(old: ResultFile, new: ResultFile, rtol: float = RTOL) -> list[str]:
    """Paths whose values are not the same (``VOLATILE`` paths ignored), as
    ``path: old → new``. ``rtol`` scales both float tolerances; 0 compares exactly."""
    a = dict(flatten(old.model_dump(mode="json")))
    b = dict(flatten(new.model_dump(mode="json")))
    out = []
    for path in sorted(a.keys() | b.keys()):
        if path in VOLATILE:
            continue
        if path not in a:
            out.append(f"{path}: (absent) → {b[path]!r}")
        elif path not in b:
            out.append(f"{path}: {a[path]!r} → (absent)")
        elif not same_value(path, a[path], b[path], rtol):
            out.append(f"{path}: {a[path]!r} → {b[path]!r}")
    return out

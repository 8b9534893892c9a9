"""Numeric tokens in prose: find them, and read what each one claims.

A token is read the way a careful reader reads it: ``0.64`` claims "some value that rounds
to 0.64 at two decimals"; ``38.3%`` claims a fraction of 0.383 (or a percent of 38.3);
``4.9 × 10⁻⁴``, ``4.9e-4``, ``37,675`` and ``100K`` are one number each; in ``0.53-0.70`` the
hyphen is a range dash, not the sign of 0.70. A bare integer (no decimal point, exponent,
magnitude or percent) is a count or an index and claims an integral value exactly.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

MINUS = "\u2212"  # Unicode minus sign
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_MAGNITUDES = {"k": 1e3, "K": 1e3, "M": 1e6, "B": 1e9}

# One numeric token. Named groups are read by `parse_claim`; the lookbehinds keep a match
# from starting in the middle of a number (``1.2.3``, ``0..27``).
TOKEN_RE = re.compile(
    r"""
    (?P<sign>[-+\u2212]|±\ ?)?
    (?:
        (?P<power>(?<![\d.])10(?:\^\(?(?P<pexp>[-+\u2212]?\d+)\)?|(?P<psup>[⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)))
      | (?P<mant>(?:(?<=\.\.)|(?<![\d.]))(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?|(?<![\d.])\.\d+)
        (?:
            [eE](?P<eexp>[-+\u2212]?\d+)(?!\w)
          | \ ?[×x·*]\ ?10(?:\^\(?(?P<texp>[-+\u2212]?\d+)\)?|(?P<tsup>[⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+))
        )?
        (?P<mag>[kKMB](?![\w]))?
    )
    (?P<pct>\ ?%)?
    """,
    re.VERBOSE,
)

#: Characters before a ``-``/``−`` that make it a range dash or hyphen rather than a sign.
_DASH_CONTEXT = re.compile(r"[\w%.)\]]")


@dataclass(frozen=True)
class Claim:
    """What a numeric token asserts: a value and the precision it is written with."""

    text: str
    """The token as written (sign, digits, exponent, magnitude, percent)."""
    value: float
    """The number as read, in its own units (38.3 for ``38.3%``)."""
    half_width: float
    """Half of the last written digit's place: values within ±this round to the token."""
    percent: bool = False
    """Written with ``%``: matches a fraction ×100, or a stored percent (`is_percent_key`)."""
    integer: bool = False
    """A bare integer: matches integral values exactly."""
    absolute: bool = False
    """Written with ``±``: a magnitude; matches the value regardless of sign."""
    approx: bool = False
    """Written ``~0.6`` / ``about 0.6``: `half_width` is the looser tolerance (`notation`)."""
    representable: bool = True
    """False past the range of a float (``1.2e400``, ``1e-400``): it can match nothing."""

    def intervals(self, *, percent_key: bool = False) -> list[tuple[float, float]]:
        """Closed intervals of stored values that support this claim.

        ``percent_key``: the stored value's key says it is a percent (``pass_pct``), so a
        ``%`` token is compared with it as written rather than as a fraction.
        """
        lo, hi = self.value - self.half_width, self.value + self.half_width
        if self.percent and not percent_key:
            lo, hi = lo / 100.0, hi / 100.0
        spans = [(lo, hi)]
        if self.absolute:
            spans.append((-hi, -lo))
        return spans

    def accepts(self, v: float, *, percent_key: bool = False) -> bool:
        if self.integer:
            return v == self.value or (self.absolute and v == -self.value)
        # a hair of slack so a value exactly on a rounding boundary counts either way
        slack = self.slack
        return any(a - slack <= v <= b + slack for a, b in self.intervals(percent_key=percent_key))

    def truncates(self, v: float) -> bool:
        """``v`` cut (not rounded) to the written digits is this number: 0.075 → ``0.07``,
        0.29464 → ``29.4%``. Not for bare integers, bounds of a magnitude or approximations."""
        if self.integer or self.absolute or self.approx or not math.isfinite(v):
            return False
        unit = 2 * self.half_width
        shown = v * 100.0 if self.percent else v
        if (shown < 0) != (self.value < 0 or self.text.lstrip()[:1] in "-\u2212"):
            return False  # "0.0" is not -0.09 cut short
        steps = math.trunc(shown / unit + math.copysign(1e-9, shown))
        return abs(steps * unit - self.value) <= unit * 1e-6

    @property
    def slack(self) -> float:
        """Float noise allowed at the rounding boundaries, so a value exactly on a decimal tie
        supports both roundings (``0.625``: 0.62 or 0.63): 10⁻⁹ of the half-unit, plus a few
        ulps of the value — with many significant digits (``3542439.45``) the float error of
        ``value ± half_width`` is larger than the first."""
        reach = abs(self.value) + self.half_width
        noise = 4 * math.ulp(reach) if math.isfinite(reach) else 0.0
        return self.half_width * 1e-9 + noise


#: A stored value whose last key says it is already a percent (``pass_pct``, ``percent_kill``).
PERCENT_KEY = re.compile(r"(?:^|[._\]\[\"])(?:pct|percent|percentage)(?:$|[_\]\"])", re.I)


def is_percent_key(path: str) -> bool:
    last = re.split(r"\.(?![^\[]*\])", path)[-1]
    return bool(PERCENT_KEY.search(last.lower()))


@dataclass(frozen=True)
class RawToken:
    """A match of `TOKEN_RE` with the sign already decided."""

    start: int
    end: int
    text: str
    match: re.Match[str]
    signed: bool


def find_tokens(text: str) -> list[RawToken]:
    """Every numeric token in ``text`` (already masked: code, URLs and templates blanked)."""
    out: list[RawToken] = []
    for m in TOKEN_RE.finditer(text):
        start = m.start()
        signed = m.group("sign") is not None
        dash = signed and m.group("sign") in "-\u2212" and start > 0
        if dash and _DASH_CONTEXT.match(text[start - 1]):
            start += 1  # "0.53-0.70", "layers 21-27": a dash, not a minus
            signed = False
        if signed and m.group("sign") == "+" and start > 0 and not text[start - 1].isspace():
            start += 1
            signed = False
        out.append(RawToken(start, m.end(), text[start : m.end()], m, signed))
    return out


def parse_claim(tok: RawToken) -> Claim:
    """Read a token's value and precision."""
    m = tok.match
    sign = m.group("sign") if tok.signed else None
    negative = sign in ("-", MINUS)
    percent = m.group("pct") is not None
    if m.group("power"):
        exp = _exponent(m.group("pexp"), m.group("psup"))
        value, half = _pow10(1, exp), _pow10(5, exp - 1)
        integer = False
        nonzero = True
    else:
        mant = m.group("mant").replace(",", "")
        decimals = len(mant.split(".")[1]) if "." in mant else 0
        exp_text, exp_sup = m.group("eexp") or m.group("texp"), m.group("tsup")
        exp = _exponent(exp_text, exp_sup) if (exp_text or exp_sup) else 0
        scale = _MAGNITUDES.get(m.group("mag") or "", 1.0)
        value = _pow10(mant, exp) * scale
        half = _pow10(5, exp - decimals - 1) * scale
        integer = decimals == 0 and not exp_text and not exp_sup and scale == 1.0 and not percent
        nonzero = float(mant) != 0
    if negative:
        value = -value
    return Claim(
        text=tok.text.strip(),
        value=value,
        half_width=half,
        percent=percent,
        integer=integer,
        absolute=sign is not None and sign.startswith("±"),
        representable=math.isfinite(value) and half > 0 and (value != 0 or not nonzero),
    )


def _pow10(mantissa: str | int, exp: int) -> float:
    """``mantissa × 10**exp`` as a float: ``inf`` or ``0.0`` past the float range, never an
    OverflowError (``1.2e400``, ``10^400``)."""
    return float(f"{mantissa}e{exp}")


def _exponent(text: str | None, sup: str | None) -> int:
    raw = (text if text is not None else (sup or "").translate(_SUPERSCRIPTS)).replace(MINUS, "-")
    digits = raw.lstrip("+-")
    if len(digits.lstrip("0")) > 6:  # far past any float (and past int()'s digit limit)
        return -(10**7) if raw.startswith("-") else 10**7
    return int(raw)


def decimals_of(claim_text: str) -> int:
    """Digits after the decimal point in a token's mantissa (for mutation and display)."""
    m = re.search(r"\.(\d+)", claim_text)
    return len(m.group(1)) if m else 0

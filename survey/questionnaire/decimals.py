"""Read decimal numbers as Vietnamese people type them, and keep them exact.

Why this exists: Vietnamese write the decimal comma ("2,5") and group thousands with dots
("1.000" is one thousand), English the other way round, and a phone keyboard offers both. The
rules (docs/QUESTIONNAIRE_FORMAT.md, "Decimal numbers"), after those of ``amounts.py``:

- "2,5" and "2.5" are two and a half; "1.234,5" and "1,234.5" are 1234.5 (the last separator
  is the decimal one, any other groups thousands, in groups of three).
- One separator followed by exactly three digits ("1.000", "2,500") may group thousands or
  start the decimals. Readings with more decimal places than the item declares, or outside
  its range, are dropped; if both remain the citizen is asked which one was meant (never a
  guess: a wrong one is a thousandfold error).
- "1,2,3", letters, and anything else are unreadable.

Storage is text, not a float and not a scaled integer: the value with exactly the item's
declared places and a dot ("2.5", "-0.75", "12.0"). Text is exact (binary floats cannot hold
0.1), keeps its places without knowing the item (a scaled integer 25 means nothing without
its scale), reads the same in the answers' JSON, the CSV export and SQLite's JSON functions,
and never collides with an answer code (codes have no dot). The module is pure: no Flask, no
gettext; callers turn ``DecimalError.kind`` into words.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

MAX_PLACES = 6  # a survey asks for a share, a weight, an area: six places is beyond any of them
MAX_DIGITS = 15  # digits in all; far beyond any answer, and exact in a double (xlsx, sav, dta)
STORED = re.compile(r"-?\d+\.\d+\Z")
_TYPED = re.compile(r"[+-]?[0-9.,]*[0-9][0-9.,]*\Z")
_SPACED_GROUPS = re.compile(r"(?<![\d.,])\d{1,3}(?: \d{3})+(?!\d)")
_GROUPS = re.compile(r"\d{1,3}(?:\.\d{3})+|\d{1,3}(?:,\d{3})+")


class DecimalError(ValueError):
    """Why a typed number cannot be stored: unreadable, places, range or ambiguous."""

    def __init__(self, kind: str, readings: tuple[Decimal, ...] = ()):
        self.kind = kind
        self.readings = readings  # ambiguous: the candidate values, smallest first
        super().__init__(kind if not readings else f"{kind}: {readings}")


def places_of(value: Decimal) -> int:
    """Return how many decimal places a value needs (2.50 needs 1)."""
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def stored(value: Decimal, places: int) -> str:
    """Return the stored text of a value: exactly `places` places, a dot, no "-0"."""
    if value == 0:
        value = abs(value)
    return f"{value:.{places}f}"


def value_of(text: str) -> Decimal:
    """Return the Decimal of a stored answer ("2.5"); ValueError if it is not one."""
    if not isinstance(text, str) or not STORED.match(text):
        raise ValueError(f"{text!r} is not a stored decimal")
    return Decimal(text)


def bound(raw: object) -> Decimal | None:
    """Return a bound written in a questionnaire file (1, 2.5 or "2.5") exactly, else None."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        # TOML floats arrive as binary doubles; their shortest repr is the literal written.
        return Decimal(repr(raw)) if raw == raw and abs(raw) != float("inf") else None
    if isinstance(raw, str) and re.fullmatch(r"-?[0-9]+(?:\.[0-9]+)?", raw.strip()):
        return Decimal(raw.strip())
    return None


def readings(text: str) -> set[Decimal]:
    """Return every value typed text can mean; DecimalError("unreadable") if none."""
    text = unicodedata.normalize("NFKC", text).strip()
    text = _SPACED_GROUPS.sub(lambda m: m.group().replace(" ", ""), text)
    if not _TYPED.match(text) or len(re.sub(r"\D", "", text)) > MAX_DIGITS:
        raise DecimalError("unreadable")
    sign = -1 if text.startswith("-") else 1
    body = text.lstrip("+-")
    separators = [c for c in body if c in ".,"]
    try:
        if not separators:
            return {sign * Decimal(body)}
        if _GROUPS.fullmatch(body):
            found = {sign * Decimal(re.sub(r"\D", "", body))}
            head, _, tail = body.partition(separators[0])
            if len(separators) == 1:
                found.add(sign * Decimal(f"{head}.{tail}"))
            return found
        point = separators[-1]
        whole, _, decimals = body.rpartition(point)
        grouped = separators[:-1]
        if not decimals.isdigit() or (grouped and point in grouped):
            raise DecimalError("unreadable")
        if grouped and not _GROUPS.fullmatch(whole):
            raise DecimalError("unreadable")
        if not grouped and whole and not whole.isdigit():
            raise DecimalError("unreadable")
        digits = re.sub(r"\D", "", whole) or "0"
        return {sign * Decimal(f"{digits}.{decimals}")}
    except InvalidOperation:
        raise DecimalError("unreadable") from None


def parse(text: str, places: int, low: Decimal, high: Decimal, strict: bool = False) -> str:
    """Return the stored text of the number typed in text; else DecimalError.

    ``strict`` reads the stored form only (a dot, no grouping): the export format, where a
    dot is never a thousands separator.
    """
    if strict:
        clean = text.strip()
        if not re.fullmatch(r"-?[0-9]+(?:\.[0-9]+)?", clean) or len(clean) > MAX_DIGITS + 2:
            raise DecimalError("unreadable")
        found = {Decimal(clean)}
    else:
        found = readings(text)
    inside = sorted(v for v in found if places_of(v) <= places and low <= v <= high)
    if not inside:
        # Say what would fix the reading closest to an answer: "0,755" in a 0 to 5 box with
        # two places is a place too many, not 755 out of range.
        in_range = any(low <= v <= high for v in found)
        raise DecimalError("places" if in_range else "range")
    if len(inside) > 1:
        raise DecimalError("ambiguous", tuple(inside))
    return stored(inside[0], places)


def unambiguous(value: Decimal, places: int, point: str) -> str:
    """Return a value as typed text that reads one way only: "1000" or "1,0", never "1.000".

    Used to show a stored answer in its box again and to suggest what to type: no grouping,
    no trailing zeros, and never exactly three decimal places (read as a thousands group).
    """
    whole, _, fraction = stored(value, places).partition(".")
    fraction = fraction.rstrip("0")
    if len(fraction) == 3:
        fraction += "0"
    return f"{whole}{point}{fraction}" if fraction else whole

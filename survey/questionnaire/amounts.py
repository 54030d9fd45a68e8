"""Read sums of money as Vietnamese people type them, in the unit the question's box declares.

Why this exists: "500.000" is how Vietnamese write five hundred thousand, and a box labelled
"nghìn đồng" used to drop the dot and store 500 million. The rules, and what is out of scope,
are in docs/QUESTIONNAIRE_FORMAT.md ("Amounts of money"); in short:

- An integer item whose ``unit_vi`` is "đồng", "nghìn đồng" or "triệu đồng" holds money; its
  answer is stored as a whole number of that unit, computed exactly (``Fraction``, no float).
- A unit written with the number wins: "500 nghìn", "500k", "1,5 triệu", "1tr5", "2 triệu rưỡi",
  "1 triệu 2" (one million two hundred thousand), "50.000đ", "50.000 VNĐ".
- A bare number is in the box's unit, or, as people often write the full sum anyway, in đồng:
  in a "nghìn đồng" box "500" is 500 nghìn (500 đồng is not a whole number of nghìn), but
  "500.000" or "2000" could be either, and a wrong guess is a thousandfold error, so the
  citizen is asked which one was meant.
- "1.500" is 1500 or 1.5; "500.000" is never 500.0. Readings that are not a whole number of
  the box's unit, or outside the item's range, are dropped; several left means "ask again".

The module is pure: no Flask, no gettext. Callers turn `AmountError.kind` into words.
"""

from __future__ import annotations

import re
import unicodedata
from fractions import Fraction
from itertools import product

# Đồng in one unit of a box, by its Vietnamese unit text (NFC, lower case).
UNITS = {"đồng": 1, "nghìn đồng": 1000, "ngàn đồng": 1000, "triệu đồng": 1_000_000}
# Words are matched without diacritics ("nghin", "trieu"), as people often type them.
_BIG = {
    "k": 1000, "nghin": 1000, "ngan": 1000, "thousand": 1000,
    "tr": 10**6, "trieu": 10**6, "million": 10**6,
    "ty": 10**9, "ti": 10**9, "billion": 10**9,
}  # fmt: skip
_CURRENCY = {"d", "dong", "vnd", "vnđ"}
_ABOUT = {"khoang", "tam", "chung", "do", "co", "about", "around"}  # "khoảng", "tầm", ...
_TOKEN = re.compile(r"\s*(?:(?P<num>\d[\d.,]*)|(?P<word>[a-z]+))")
_SPACED_GROUPS = re.compile(r"(?<![\d.,])\d{1,3}(?: \d{3})+(?![\d.,])")
_GROUPS = re.compile(r"\d{1,3}(?:\.\d{3})+|\d{1,3}(?:,\d{3})+")
MAX_DIGITS = 15  # far beyond any sum a citizen reports; keeps the arithmetic small
MAX_TOKENS = 8  # "khoảng 1 tỷ 200 triệu 500 nghìn đồng" is 8; bounds the readings tried


class AmountError(ValueError):
    """Why a typed sum cannot be stored: unreadable, fraction, range or ambiguous."""

    def __init__(self, kind: str, readings: tuple[int, ...] = ()):
        self.kind = kind
        self.readings = readings  # ambiguous: the candidate values, in the box's unit
        super().__init__(kind if not readings else f"{kind}: {readings}")


def unit_size(unit_vi: str) -> int | None:
    """Return how many đồng one unit of a box is worth, or None if the box is not money."""
    return UNITS.get(unicodedata.normalize("NFC", unit_vi).strip().lower())


def parse_amount(
    text: str, unit: int, low: int = 0, high: int | None = None, digits_in_unit: bool = False
) -> int:
    """Return the sum typed in text as a whole number of the box's unit; else AmountError.

    ``digits_in_unit`` reads a bare run of digits in the box's unit only: the export format
    and paper entry, where the codebook says so, rather than a citizen's free typing.
    """
    found = readings(text, unit, digits_in_unit)
    whole = {int(r / unit) for r in found if r % unit == 0}
    if not whole:
        raise AmountError("fraction")
    inside = sorted(v for v in whole if low <= v and (high is None or v <= high))
    if not inside:
        raise AmountError("range")
    if len(inside) > 1:
        raise AmountError("ambiguous", tuple(inside))
    return inside[0]


def readings(text: str, unit: int, digits_in_unit: bool = False) -> set[Fraction]:
    """Return every sum in đồng that text can mean in a box of this unit; AmountError if none."""
    tokens = _tokens(text)
    currency = bool(tokens) and isinstance(tokens[-1], str) and tokens[-1] in _CURRENCY
    if currency:
        tokens = tokens[:-1]
    if tokens and isinstance(tokens[0], str) and tokens[0] in _ABOUT:
        tokens = tokens[1:]
    if not tokens or not isinstance(tokens[0], list):
        raise AmountError("unreadable")
    found: set[Fraction] = set()
    for choice in product(*[t if isinstance(t, list) else [t] for t in tokens]):
        total, bare = _sum(list(choice))
        if total is None:
            continue
        if not bare or currency:
            found.add(Fraction(total))
            continue
        found.add(Fraction(total * unit))
        plain = text.strip().isdigit()
        if unit > 1 and not (digits_in_unit and plain):
            found.add(Fraction(total))  # the full sum in đồng, typed into a box of larger units
    if not found:
        raise AmountError("unreadable")
    return found


class _Number(Fraction):
    """A number as typed, remembering its text (a tail like "1tr5" depends on its digits)."""

    text: str

    def __new__(cls, value, text: str):
        self = super().__new__(cls, value)
        self.text = text
        return self


def _tokens(text: str) -> list:
    """Split text into numbers (each a list of its possible values) and unit words."""
    text = unicodedata.normalize("NFKC", text).lower().replace("₫", " đ ")
    text = "".join(
        c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)
    ).replace("đ", "d")
    text = _SPACED_GROUPS.sub(lambda m: m.group().replace(" ", ""), text.strip().rstrip(".!"))
    tokens, at = [], 0
    while at < len(text):
        match = _TOKEN.match(text, at)
        if match is None or match.end() == at:
            if text[at:].strip():
                raise AmountError("unreadable")
            break
        at = match.end()
        if match["num"]:
            tokens.append(_number(match["num"]))
        else:
            tokens.append(match["word"])
    words = {"tram", "ruoi", *_BIG, *_CURRENCY, *_ABOUT}
    if len(tokens) > MAX_TOKENS or any(isinstance(t, str) and t not in words for t in tokens):
        raise AmountError("unreadable")
    return tokens


def _number(text: str) -> list[_Number]:
    """Return the values digits with separators can mean: 1.500 is 1500 or 1.5."""
    if len(re.sub(r"\D", "", text)) > MAX_DIGITS:
        raise AmountError("unreadable")
    if text.isdigit():
        return [_Number(int(text), text)]
    separators = [c for c in text if c in ".,"]
    if _GROUPS.fullmatch(text):
        values = [_Number(int(re.sub(r"\D", "", text)), text)]
        head, _, tail = text.partition(separators[0])
        if len(separators) == 1 and tail != "000":
            values.append(_Number(Fraction(f"{head}.{tail}"), text))
        return values
    # Otherwise the last separator is the decimal point, any other one groups thousands.
    point = separators[-1]
    whole, _, decimals = text.rpartition(point)
    grouped = separators[:-1]
    if not decimals.isdigit() or not whole or (grouped and point in grouped):
        raise AmountError("unreadable")
    if grouped and not _GROUPS.fullmatch(whole):
        raise AmountError("unreadable")
    if not grouped and not whole.isdigit():
        raise AmountError("unreadable")
    digits = re.sub(r"\D", "", whole)
    return [_Number(Fraction(f"{digits}.{decimals}"), text)]


def _sum(tokens: list) -> tuple[Fraction | None, bool]:
    """Return (the sum the tokens say, whether it was a bare number), or (None, _) if none."""
    total, last_big, at = Fraction(0), None, 0
    while at < len(tokens):
        value = tokens[at]
        if not isinstance(value, Fraction):
            return None, False
        at += 1
        if at < len(tokens) and tokens[at] == "tram":
            value, at = value * 100, at + 1
        if at == len(tokens):
            return (value, True) if last_big is None else (None, False)
        big = _BIG.get(tokens[at])
        if big is None or (last_big is not None and big >= last_big):
            return None, False
        total, last_big, at = total + value * big, big, at + 1
        if at < len(tokens) and tokens[at] == "ruoi":
            total, at = total + Fraction(big, 2), at + 1
        elif at == len(tokens) - 1 and isinstance(tokens[at], Fraction):
            tail = tokens[at]
            if not tail.text.isdigit() or len(tail.text) > 3:
                return None, False
            # "1 triệu 2" and "1tr5": the digits fill the next places, as they are said.
            return total + int(tail.text) * 10 ** (3 - len(tail.text)) * big // 1000, False
    return (total, False) if last_big is not None else (None, False)


_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_SCALES = ("", " nghìn", " triệu")


def words_vi(number: int) -> str:
    """Return a whole number in Vietnamese words, as written on a receipt (1.250.000 →
    "một triệu hai trăm năm mươi nghìn")."""
    if number < 0:
        return "âm " + words_vi(-number)
    if number == 0:
        return _DIGITS[0]
    if number >= 10**9:
        high, rest = divmod(number, 10**9)
        return f"{words_vi(high)} tỷ" + (f" {_below_billion(rest, True)}" if rest else "")
    return _below_billion(number, False)


def _below_billion(number: int, inner: bool) -> str:
    """Return words for 0 < number < 10**9; inner: a higher group precedes it."""
    groups = [(number // 10 ** (3 * i)) % 1000 for i in (2, 1, 0)]
    parts = []
    for index, group in enumerate(groups):
        if group:
            parts.append(_triple(group, inner or bool(parts)) + _SCALES[2 - index])
    return " ".join(parts)


def _triple(number: int, inner: bool) -> str:
    """Return words for 0 < number < 1000; inner groups say their zero hundreds."""
    hundreds, tens, units = number // 100, number // 10 % 10, number % 10
    words = []
    if hundreds or inner:
        words.append(f"{_DIGITS[hundreds]} trăm")
    if tens == 0:
        if units and words:
            words.append("linh")
    elif tens == 1:
        words.append("mười")
    else:
        words.append(f"{_DIGITS[tens]} mươi")
    if units:
        if units == 1 and tens >= 2:
            words.append("mốt")
        elif units == 5 and tens >= 1:
            words.append("lăm")
        else:
            words.append(_DIGITS[units])
    return " ".join(words)


def say_vi(dong: int) -> str:
    """Return a sum in đồng in Vietnamese words: 500000 → "năm trăm nghìn đồng"."""
    return f"{words_vi(dong)} đồng"


_SHORT = {"vi": ("tỷ", "triệu", "nghìn", "đồng"), "en": ("billion", "million", "thousand", "dong")}


def short(dong: int, lang: str = "vi") -> str:
    """Return a sum written with digits and unit words, read back one way only by `readings`.

    1250000 → "1 triệu 250 nghìn", 2000000 → "2 triệu", 1500 → "1500 đồng": what a box shows
    again after Back, where "2000" would be ambiguous in a "nghìn đồng" box.
    """
    names = _SHORT[lang]
    if dong == 0:
        return "0"
    if dong % 1000:
        return f"{dong} {names[3]}"
    parts, rest = [], dong
    for size, name in zip((10**9, 10**6, 1000), names, strict=False):
        count, rest = divmod(rest, size) if size > 1000 else (rest // size, 0)
        if count:
            parts.append(f"{count} {name}")
    return " ".join(parts)


def item_unit(item) -> int | None:
    """Return the đồng in one unit of an integer item that holds money, else None."""
    return unit_size(item.unit_vi) if item.type == "integer" else None

"""Vietnamese alphabetical order for names shown to people (no Flask, no ICU).

Code-point order puts "Trảng Bàng" before "Tân An" (``r`` < ``â``) and "Đà Nẵng" after "Yên
Bái". This follows the standard Vietnamese tailoring of the Unicode Collation Algorithm, CLDR
``common/collation/vi.xml`` (``standard``)::

    &̀<<̉<<̃<<́<<̣            tones, a secondary difference: ngang, huyền, hỏi, ngã, sắc, nặng
    &a<ă<<<Ă<â<<<Â   &d<đ<<<Đ   &e<ê<<<Ê   &o<ô<<<Ô<ơ<<<Ơ   &u<ư<<<Ư

so letters come first (a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y, with f j w z
where Latin puts them), then tones, then case (lower first), as ICU orders them. One
deliberate difference from CLDR: a run of digits counts as one number, so "Tổ 2" comes before
"Tổ 10". PyICU would do the same job but needs a compiler and a large library.

Lists are sorted in Python after the query, not with an SQLite collation: SQLite would call
back into Python for every comparison, which measured four to five times slower on a list of
10,000 points than computing each key once. A query with a LIMIT fetches its matches, sorts,
then keeps the first ones, so that the rows kept are the first in this order.
"""

import functools
import re
import unicodedata

# Base letters in Vietnamese order; each letter with its modifier (breve, circumflex, horn)
# is a letter of its own, written here decomposed as NFD gives it.
_LETTERS = [
    "a", "a\u0306", "a\u0302", "b", "c", "d", "đ", "e", "e\u0302", "f", "g", "h", "i", "j",
    "k", "l", "m", "n", "o", "o\u0302", "o\u031b", "p", "q", "r", "s", "t", "u", "u\u031b",
    "v", "w", "x", "y", "z",
]  # fmt: skip
_RANK = {letter: rank for rank, letter in enumerate(_LETTERS)}
_MODIFIERS = {"\u0306", "\u0302", "\u031b"}
# No mark (ngang), then grave (huyền), hook (hỏi), tilde (ngã), acute (sắc), dot below (nặng).
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_DIGIT_RUNS = re.compile(r"(\d+)")
# A key is one string, so that sorting compares keys in C: each level is a run of weight
# characters, levels joined by a separator below every weight, so a shorter level sorts first.
# Primary weights, in ICU's order: spaces and punctuation, numbers (a length, then the
# digits), Vietnamese letters, other letters.
_SEPARATOR = "\x01"
_LOW = 0x10  # tone and case weights: 0x10 + value
_OTHER = 0x20  # + code point (Basic Multilingual Plane; beyond it, all alike)
_NUMBER = 0x10020  # + number of digits, then _DIGIT + each digit
_DIGIT = 0x10120
_LETTER = 0x10200  # + rank in _LETTERS
_FOREIGN = 0x10300  # + code point, capped to stay a valid character
_FOREIGN_MAX = 0x10FFFF - _FOREIGN


def _weights(char: str) -> tuple[str, str, str]:
    """Return the primary, tone and case weights of one (NFC) character."""
    decomposed = unicodedata.normalize("NFD", char)  # đ has no decomposition: it is one letter
    base, marks = decomposed[0], decomposed[1:]
    letter = base.lower() + "".join(m for m in marks if m in _MODIFIERS)
    tone = chr(_LOW + max((_TONES.get(m, 0) for m in marks), default=0))
    case = chr(_LOW + (char != char.lower()))
    if letter in _RANK:
        return chr(_LETTER + _RANK[letter]), tone, case
    if char.isalpha():
        return chr(_FOREIGN + min(ord(base.lower()[0]), _FOREIGN_MAX)), tone, case
    if unicodedata.combining(char):  # a stray mark: ignored, as at ICU's primary level
        return "", "", ""
    return chr(_OTHER + min(ord(char), 0xFFFF)), chr(_LOW), chr(_LOW)


class _Level(dict):
    """A str.translate table from characters to their weights at one level, filled on demand."""

    def __init__(self, level: int):
        super().__init__()
        self.level = level

    def __missing__(self, code: int) -> str:
        if len(self) > 10_000:  # text full of rare characters cannot grow it without bound
            self.clear()
        weight = self[code] = _weights(chr(code))[self.level]
        return weight


_PRIMARY, _TONE, _CASE = _Level(0), _Level(1), _Level(2)


def _number(digits: str) -> str:
    """Return the primary weight of a run of digits: shorter numbers first, then by digit."""
    value = str(int(digits))
    return chr(_NUMBER + min(len(value), 0xFF)) + "".join(chr(_DIGIT + int(d)) for d in value)


@functools.lru_cache(maxsize=16384)
def sort_key(text: str | None) -> str:
    """Return a key that sorts Vietnamese text in dictionary order (None and "" first)."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    primary, tones, cases = [], [], []
    low = chr(_LOW)
    for i, run in enumerate(_DIGIT_RUNS.split(text)):  # digit runs are at the odd places
        if i % 2:
            primary.append(_number(run))
            tones.append(low)
            cases.append(low)
        elif run:
            primary.append(run.translate(_PRIMARY))
            tones.append(run.translate(_TONE))
            cases.append(run.translate(_CASE))
    # Last, the text itself: different strings never compare equal (a fixed order).
    return _SEPARATOR.join(("".join(primary), "".join(tones), "".join(cases), text))


def sorted_by(rows, *fields: str) -> list[dict]:
    """Return rows (dicts) sorted by the given text fields in turn, in Vietnamese order."""
    return sorted(rows, key=lambda row: tuple(sort_key(row[field]) for field in fields))

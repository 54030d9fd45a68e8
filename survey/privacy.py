"""Mask phone numbers, e-mail addresses and ID numbers in free-text answers before storage.

The questionnaire asks for nothing that identifies a person, but a citizen may still write
"gọi tôi 0912 345 678" in a comment. Personal data (Law on Personal Data Protection 2025,
Decree 13/2023/ND-CP) is masked on storage, so it never reaches the database, a staff page or
an export. The draft on the citizen's own phone is left alone.

One function for every way in: ``mask_response`` is called by ``responses.store_response``
(the citizen pages, the demo) and by the importer, and adds the ``pii_masked`` flag. Masking
is idempotent (masked text masks to itself), so a masked export imports unchanged.

How: the patterns run on a probe of the text, of the same length, in which every Unicode
digit is an ASCII digit, every dash a hyphen, every space but a line break a plain space and
full-width forms their ASCII twins; the masks are then cut out of the original text. The
patterns err towards masking an odd number rather than keeping a phone, but a number that is
followed by a currency word or "%", or that is part of a date or a time, is kept. What is
caught and what is not, format by format: docs/PRIVACY.md (tests/test_privacy.py holds the
same tables).
"""

import re
import unicodedata

EMAIL = "[email]"
ID_NUMBER = "[số định danh]"
PHONE = "[số điện thoại]"
ACCOUNT = "[số tài khoản]"
TOKENS = (EMAIL, ID_NUMBER, PHONE, ACCOUNT)
PII_FLAG = "pii_masked"

# Between two digits of a phone number: a comma straight before a digit, a dot, dash or
# bracket with a space either side, or one or two spaces ("0912 - 345 - 678", "(028) 3829").
_SEP = r"(?:,(?=\d)| ?[.\-] ?| ?[()] ?| {1,2})?"
_NO_MORE_DIGITS = r"(?!\d|[.:/]\d|,\d{1,3}(?!\d))"
_KEEP_AFTER = re.compile(
    r"\s*(?:%|phần trăm|đồng|đ\b|vnđ|vnd|usd|triệu|nghìn|ngàn|tỷ|tỉ|k\b)", re.IGNORECASE
)
# Dates (12/3/2025, 09.03.2024) and times (8h30, 10:30, 7g, 9 giờ): never part of a number.
_KEEP_SPANS = re.compile(
    r"(?<![\d./-])\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})(?!\d|[./-]\d)"
    r"|(?<!\d)\d{1,2} ?(?::\d{2}|[hg](?:\d{2}|(?!\w))|giờ)",
    re.IGNORECASE,
)

_LOCAL = r"[\w.+\-]+"
_LABEL = r"[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?"
_AT_SIGN = r"(?:@|[\[({<] ?(?:at|a còng|a móc) ?[\])}>])"
_DOT = r"(?:\.|\s?[\[({<] ?(?:dot|chấm) ?[\])}>]\s?| dot | chấm )"
_TLD = r"(?:com|net|org|edu|gov|info|biz|vn|io|me|co|us|uk|jp|kr|cn|au|de|fr)"
_PROVIDER = r"(?:gmail|yahoo|hotmail|outlook|icloud|live|ymail)"
_EMAIL = re.compile(
    # "ten@gmail.com", "ten @ gmail.com", "ten[at]gmail[dot]com", "ten@gmail"
    rf"{_LOCAL} ?{_AT_SIGN} ?(?:{_LABEL}(?:{_DOT}{_LABEL})*{_DOT}[a-z]{{2,}}|{_PROVIDER})(?!\w)"
    # "ten a còng gmail chấm com", "ten at yahoo dot com": only with a known ending
    rf"|{_LOCAL} (?:at|a còng|a móc) (?:{_LABEL}(?:{_DOT}{_LABEL})*{_DOT}{_TLD}|{_PROVIDER})(?!\w)",
    re.IGNORECASE,
)


def _after(keywords: str, number: str) -> re.Pattern:
    """Return a pattern for a number (group 1) written within 20 characters after a keyword."""
    return re.compile(
        rf"(?<!\w)(?:{keywords})(?!\w)[^\d\n]{{0,20}}?({number}){_NO_MORE_DIGITS}", re.I
    )


_ID_KEYWORD = _after(
    r"cmnd|cccd|cmt|căn cước(?: công dân)?|chứng minh(?: nhân dân| thư)?|định danh(?: cá nhân)?"
    r"|hộ chiếu|passport|mã số thuế|mst|bhxh|bảo hiểm xã hội|bhyt|bảo hiểm y tế",
    rf"[a-z]{{0,2}}\d(?:{_SEP}\d){{6,14}}",
)
_ACCOUNT_KEYWORD = _after(
    r"số tài khoản|stk|tài khoản(?: ngân hàng)?|tk ngân hàng|account",
    rf"\d(?:{_SEP}\d){{5,18}}",
)
_PHONE_KEYWORD = _after(
    r"sđt|số điện thoại|điện thoại|số đt|đt|dđ|di động|zalo|viber|hotline|tel|phone|mobile"
    r"|gọi|liên hệ|liên lạc|nhắn tin|nhắn",
    rf"\(?\+?\d(?:{_SEP}\d){{8,13}}",
)
# A 12-digit CCCD starts with a province code 001-096: whole, or in even groups.
_CCCD = re.compile(
    r"(?<![\d.,])(?:0\d{2}([ .\-]?)\d{3}\1\d{3}\1\d{3}|0\d{3}([ .\-])\d{4}\2\d{4})(?!\d|[.,]\d)"
)
_PREFIX = r"(?:(?:\(?(?:\+|00) ?84\)?|\(84\)|(?<!\d)84) ?[.\-]? ?(?:\(0\) ?|0 ?)?|\(?0)"
_PHONE = re.compile(
    rf"(?<![\d+]){_PREFIX}(?:[35789](?:{_SEP}\d){{8}}|2(?:{_SEP}\d){{9}}){_NO_MORE_DIGITS}"
)
_CMND = re.compile(r"(?<![\d.,])\d{9}(?!\d|[.,]\d)")

# (kind, pattern, token, group masked), by priority; numbers never straddle a date or time.
_RULES = (
    ("email", _EMAIL, EMAIL, 0),
    ("id_number", _ID_KEYWORD, ID_NUMBER, 1),
    ("account", _ACCOUNT_KEYWORD, ACCOUNT, 1),
    ("phone", _PHONE_KEYWORD, PHONE, 1),
    ("id_number", _CCCD, ID_NUMBER, 0),
    ("phone", _PHONE, PHONE, 0),
    ("id_number", _CMND, ID_NUMBER, 0),
)


def _probe(text: str) -> str:
    """Return text of the same length with digits, dashes, spaces and full-width forms plain."""
    chars = []
    for char in text:
        if char.isdecimal():
            char = str(unicodedata.decimal(char))
        elif unicodedata.category(char) == "Pd" or char == "\u2212":
            char = "-"
        elif char.isspace() and char not in "\n\r":
            char = " "
        else:
            plain = unicodedata.normalize("NFKC", char)
            char = plain if len(plain) == 1 else char
        chars.append(char)
    return "".join(chars)


def _spans(probe: str) -> list[tuple[int, int, str, str]]:
    """Return the (start, end, token, kind) of every identifier in the probe, in order."""
    kept = [m.span() for m in _KEEP_SPANS.finditer(probe)]
    taken: list[tuple[int, int, str, str]] = []
    for kind, pattern, token, group in _RULES:
        pos = 0
        while match := pattern.search(probe, pos):
            start, end = match.span(group)
            clashes = taken + ([] if kind == "email" else kept)
            if _KEEP_AFTER.match(probe, match.end()) or any(
                start < b and a < end for a, b, *_ in clashes
            ):
                pos = match.start() + 1
                continue
            taken.append((start, end, token, kind))
            pos = match.end()
    return sorted(taken)


def mask(text: str) -> tuple[str, list[str]]:
    """Return the text with personal identifiers masked, and the kinds found.

    Masked again until nothing changes: a number glued to a masked one ("0912345678+84...")
    is only seen once its neighbour is a mask, and a second call must change nothing.
    """
    kinds: list[str] = []
    while spans := _spans(_probe(text)):
        parts, last = [], 0
        for start, end, token, kind in spans:
            parts += [text[last:start], token]
            last = end
            if kind not in kinds:
                kinds.append(kind)
        text = "".join(parts) + text[last:]
    return text, kinds


def length_without_masks(text: str) -> int:
    """Return the length of text with each mask counted as one character (it replaced more)."""
    return len(text) - sum(text.count(token) * (len(token) - 1) for token in TOKENS)


def mask_answers(questionnaire, answers: dict) -> tuple[dict, bool]:
    """Return the answers with every free-text answer masked, and whether anything was."""
    masked, changed = dict(answers), False
    for item_id, value in answers.items():
        item = questionnaire.items.get(item_id)
        if item is None or item.type != "text" or not isinstance(value, str):
            continue
        masked[item_id], kinds = mask(value)
        changed = changed or bool(kinds)
    return masked, changed


def mask_response(questionnaire, answers: dict, flags=()) -> tuple[dict, list[str]]:
    """Return the answers masked and the flags with pii_masked added when anything was."""
    masked, changed = mask_answers(questionnaire, answers)
    flags = list(flags)
    if changed and PII_FLAG not in flags:
        flags.append(PII_FLAG)
    return masked, flags

"""Mask phone numbers, e-mail addresses and ID numbers in free-text answers before storage.

The questionnaire asks for nothing that identifies a person, but a citizen may still write
"gọi tôi 0912 345 678" in a comment. Personal data (Law on Personal Data Protection 2025,
Decree 13/2023/ND-CP) is masked on storage, so it never reaches the database, a staff page or
an export. The draft on the citizen's own phone is left alone.

What is masked (the patterns err towards masking an odd number rather than keeping a phone):
- e-mail addresses -> ``[email]``
- national ID numbers -> ``[số định danh]``: a 12-digit CCCD (it starts with 0: the first three
  digits are a province code 001-096), written whole or in groups of three; a 9-digit CMND
  written whole; and any 9- or 12-digit number just after "CMND", "CCCD", "căn cước",
  "chứng minh" or "định danh".
- phone numbers -> ``[số điện thoại]``: mobiles ``0[35789]x xxx xxxx`` and landlines
  ``02x xxxx xxxx`` (11 digits since 2017) with spaces, dots, dashes or brackets between the
  digits, and their ``+84`` / ``0084`` / ``(+84)`` forms.
Not masked: amounts and counts ("500.000 đồng", "2 lần", "năm 2024"), and any number followed
by a currency word.
"""

import re

EMAIL = "[email]"
ID_NUMBER = "[số định danh]"
PHONE = "[số điện thoại]"

_SEP = r"[ .\-()]{0,2}"
_CURRENCY = re.compile(r"\s*(?:đồng|đ\b|vnđ|vnd|triệu|nghìn|ngàn|tỷ|tỉ)", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)*\.[a-zA-Z]{2,}")
_ID_KEYWORD = re.compile(
    r"(?:cmnd|cccd|cmt|căn\s+cước|chứng\s+minh(?:\s+nhân\s+dân|\s+thư)?|định\s+danh)"
    r"[^\d\n]{0,15}(\d(?:[ .\-]?\d){8}(?:(?:[ .\-]?\d){3})?)(?![\d])",
    re.IGNORECASE,
)
_CCCD = re.compile(r"(?<![\d.,])0\d{2}([ .\-]?)\d{3}\1\d{3}\1\d{3}(?!\d|[.,]\d)")
_CMND = re.compile(r"(?<![\d.,])\d{9}(?!\d|[.,]\d)")
_PREFIX = r"(?:\(?(?:\+|00)84\)?[ .\-]?(?:\(0\)[ .\-]?)?|\(?0|(?<!\d)84(?=\d))"
_PHONE = re.compile(
    rf"(?<![\d+])(?:{_PREFIX})(?:[35789](?:{_SEP}\d){{8}}|2(?:{_SEP}\d){{9}})(?!\d|[.,:/]\d)"
)


def _replace(pattern, text: str, token: str, group: int = 0) -> tuple[str, bool]:
    """Replace matches (or one group of them) not followed by a currency word."""
    found = False

    def sub(match):
        nonlocal found
        if _CURRENCY.match(text, match.end()):
            return match.group(0)
        found = True
        if group == 0:
            return token
        start, end = match.span(group)
        whole = match.group(0)
        return whole[: start - match.start()] + token + whole[end - match.start() :]

    return pattern.sub(sub, text), found


def mask(text: str) -> tuple[str, list[str]]:
    """Return the text with personal identifiers masked, and the kinds found."""
    kinds = []
    for name, pattern, token, group in (
        ("email", _EMAIL, EMAIL, 0),
        ("id_number", _ID_KEYWORD, ID_NUMBER, 1),
        ("id_number", _CCCD, ID_NUMBER, 0),
        ("phone", _PHONE, PHONE, 0),
        ("id_number", _CMND, ID_NUMBER, 0),
    ):
        text, found = _replace(pattern, text, token, group)
        if found and name not in kinds:
            kinds.append(name)
    return text, kinds


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

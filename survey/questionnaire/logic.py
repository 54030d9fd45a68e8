"""Skip logic: which items a respondent sees, and which answers still count.

An answer is a code string (yes_no, single, likert5, rating10; "dont_know"/"refused" too), a list
of codes (multiple), an int (integer, or a special code string), a str with a dot (decimal,
"2.5": see decimals.py) or a str (text). A condition reads an item's answer only while that
item is itself shown, so hiding cascades down a chain of follow-ups even when `answers` still
holds stale values.
"""

from __future__ import annotations

from decimal import Decimal

from . import decimals
from .model import Condition, Item, Page, Questionnaire


def is_shown(item: Item, answers: dict) -> bool:
    """Tell whether the item's show_if holds for these answers."""
    return item.show_if is None or evaluate(item.show_if, answers)


def is_eligible(item: Item, answers: dict) -> bool:
    """Tell whether the respondent counts for the item's indicator (shown and eligible)."""
    if not is_shown(item, answers):
        return False
    eligibility = item.scoring.eligibility if item.scoring else None
    return eligibility is None or evaluate(eligibility, answers)


def visible_items(page: Page, answers: dict) -> list[Item]:
    """Return the page's items that are shown for these answers, in order."""
    return [item for item in page.items if is_shown(item, answers)]


def prune(questionnaire: Questionnaire, answers: dict) -> dict:
    """Return the answers without those to unknown or now-hidden items."""
    kept: dict = {}
    for item_id, item in questionnaire.items.items():
        if item_id in answers and is_shown(item, kept):
            kept[item_id] = answers[item_id]
    return kept


def is_answered(value: object) -> bool:
    """Tell whether a stored answer value holds an answer (a special code counts)."""
    return value is not None and value != "" and value != []


def evaluate(condition: Condition, answers: dict) -> bool:
    """Return the truth of a condition for these answers."""
    op = condition.op
    if op == "all":
        return all(evaluate(child, answers) for child in condition.children)
    if op == "any":
        return any(evaluate(child, answers) for child in condition.children)
    if op == "not":
        return not evaluate(condition.children[0], answers)
    ref = condition.item
    value = answers.get(ref.id) if is_shown(ref, answers) else None
    if op == "answered":
        return is_answered(value) == condition.values[0]
    if not is_answered(value):
        return False  # in, not_in, gte and lte are all false for a missing answer
    if op in ("in", "not_in"):
        chosen = {str(v) for v in value} if isinstance(value, list) else {str(value)}
        hit = bool(chosen & set(condition.values))
        return hit if op == "in" else not hit
    number = _number(value)
    if number is None:
        return False
    return number >= condition.values[0] if op == "gte" else number <= condition.values[0]


def _number(value: object) -> int | Decimal | None:
    """Return a numeric answer as an int or Decimal, or None for special codes and others."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.lstrip("-").isdigit():
        return int(value)
    if isinstance(value, str) and decimals.STORED.match(value):
        return Decimal(value)
    return None

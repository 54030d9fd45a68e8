"""Build one item from its TOML table: type, texts, options and per-type fields."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from survey.locales import LOCALES

from . import decimals as decimal_numbers
from ._fields import CODE, Table, is_int
from .conditions import Scope, parse_condition
from .model import ITEM_TYPES, ROLES, SPECIAL_CODES, Item, Option
from .scoring import parse_scoring

COMMON_KEYS = {
    "id", "type", "text_vi", "text_en", "hint_vi", "hint_en", "required", "show_if", "role",
    "weighting_variable", "scoring",
}  # fmt: skip
SCALE_KEYS = {"special", "low_vi", "low_en", "high_vi", "high_en"}
TYPE_KEYS = {
    "yes_no": {"options", "special"},
    "single": {"options", "special"},
    "multiple": {"options", "special"},
    "likert5": SCALE_KEYS | {"labels_vi", "labels_en"},
    "rating10": SCALE_KEYS,
    "integer": {"special", "min", "max", "unit_vi", "unit_en"},
    "decimal": {"special", "min", "max", "decimals", "unit_vi", "unit_en"},
    "text": {"max_length"},
}
ITEM_KEYS = COMMON_KEYS.union(*TYPE_KEYS.values())
WEIGHTING_VARIABLES = ("sex", "age_band")
DEFAULT_MAX_LENGTH = 500

SPECIAL_LABELS = {
    "dont_know": ("Không biết", "Don't know"),
    "refused": ("Không muốn trả lời", "Prefer not to say"),
}
YES_NO = (Option("yes", "Có", "Yes"), Option("no", "Không", "No"))
PRIVACY_WARNING = (
    "Xin đừng ghi tên, số điện thoại, địa chỉ hay số giấy tờ tùy thân của bất kỳ ai.",
    "Please do not write names, phone numbers, addresses or ID numbers of anyone.",
)


def build_item(t: Table, module_id: str, page_id: str, scope: Scope, weighting: set) -> Item:
    """Return the item described by table t, reporting every problem on the way."""
    item_type = t.get("type", str, True, "")
    if item_type and item_type not in ITEM_TYPES:
        t.error(f"unknown type '{item_type}' (expected one of {', '.join(ITEM_TYPES)})")
    allowed = COMMON_KEYS | TYPE_KEYS.get(item_type, ITEM_KEYS)
    for key in t.raw:
        if key in ITEM_KEYS and key not in allowed:
            t.error(f"field '{key}' is not used by {item_type} items")
    t.check_keys(ITEM_KEYS)
    item = Item(
        t.ident("id"),
        item_type,
        *t.pair("text"),
        *t.pair("hint", required=False),
        options=_options(t, item_type),
        special=_special(t),
        required=t.flag("required", True),
        role=_role(t, weighting),
        weighting_variable=t.raw.get("weighting_variable"),
        module_id=module_id,
        page_id=page_id,
    )
    item = replace(item, **_type_fields(t, item_type))
    show_if = parse_condition(t.raw["show_if"], scope) if "show_if" in t.raw else None
    item = replace(item, show_if=show_if)
    if "scoring" in t.raw:
        item = replace(item, scoring=parse_scoring(t.raw["scoring"], item, scope))
    return item


def _role(t: Table, weighting: set) -> str:
    """Return the checked role; weighting items name a distinct weighting variable."""
    role = t.get("role", str, True, "")
    if role and role not in ROLES:
        t.error(f"unknown role '{role}' (expected one of {', '.join(ROLES)})")
    variable = t.get("weighting_variable", str, False, None)
    if role == "weighting":
        if variable not in WEIGHTING_VARIABLES:
            t.error(f"role 'weighting' needs weighting_variable = one of {WEIGHTING_VARIABLES}")
        elif variable in weighting:
            t.error(f"weighting_variable '{variable}' is already used by another item")
        elif t.raw.get("type") != "single":
            t.error("weighting items must be of type single")
        weighting.add(variable)
    elif variable is not None:
        t.error("weighting_variable is only for items with role = 'weighting'")
    return role


def _options(t: Table, item_type: str) -> tuple[Option, ...]:
    """Return the ordinary options: declared, implicit yes/no, or the scale points."""
    if item_type == "likert5":
        return _scale_options(t, 1, 5)
    if item_type == "rating10":
        return _scale_options(t, 0, 10)
    if item_type not in ("yes_no", "single", "multiple"):
        return ()
    if item_type == "yes_no" and "options" not in t.raw:
        return YES_NO
    raw = t.get("options", list, True, [])
    options = [o for i, r in enumerate(raw) if (o := _option(t, r, i, item_type)) is not None]
    codes = [o.code for o in options]
    for code in sorted({c for c in codes if codes.count(c) > 1}):
        t.error(f"duplicate option code '{code}'")
    if item_type == "yes_no" and len(options) == len(raw) and codes != ["yes", "no"]:
        t.error(f"yes_no options must have the codes ['yes', 'no'], not {codes}")
    elif item_type != "yes_no" and len(raw) < 2:
        t.error(f"a {item_type} item needs at least two options")
    return tuple(options)


def _option(t: Table, raw: object, index: int, item_type: str) -> Option | None:
    """Return one declared option {code, vi, en, exclusive}."""
    if not isinstance(raw, dict):
        t.error(f"option #{index + 1} must be a table {{code, vi, en}}")
        return None
    code = raw.get("code")
    label = f"option '{code}'" if isinstance(code, str) else f"option #{index + 1}"
    for key in raw:
        if key not in ("code", "vi", "en", "exclusive"):
            t.error(f"{label}: unknown field '{key}'")
    if not isinstance(code, str) or not CODE.match(code):
        t.error(f"{label}: code must be a lower-case snake_case string")
        return None
    if code in SPECIAL_CODES:
        t.error(f"{label}: '{code}' is a special code: list it in special = [...] instead")
    for lang, name in (("vi", "Vietnamese"), ("en", "English")):
        if not isinstance(raw.get(lang), str) or not raw[lang].strip():
            t.error(f"{label}: missing {name} translation '{lang}'")
    exclusive = raw.get("exclusive", False)
    if not isinstance(exclusive, bool):
        t.error(f"{label}: exclusive must be true or false")
    elif exclusive and item_type != "multiple":
        t.error(f"{label}: only multiple-choice options can be exclusive")
    return Option(code, str(raw.get("vi", "")), str(raw.get("en", "")), exclusive is True)


def _scale_options(t: Table, low: int, high: int) -> tuple[Option, ...]:
    """Return the points of a likert5/rating10 scale, labelled if labels are given."""
    codes = [str(v) for v in range(low, high + 1)]
    labels = {}
    for lang in LOCALES:
        raw = t.get(f"labels_{lang}", list, False, None)
        if raw is not None and (len(raw) != len(codes) or not all(
            isinstance(x, str) and x.strip() for x in raw
        )):  # fmt: skip
            t.error(f"labels_{lang} must list {len(codes)} non-empty labels")
            raw = None
        labels[lang] = raw or codes
    if ("labels_vi" in t.raw) != ("labels_en" in t.raw):
        t.error("give both labels_vi and labels_en, or neither")
    return tuple(
        Option(c, vi, en) for c, vi, en in zip(codes, labels["vi"], labels["en"], strict=True)
    )


def _special(t: Table) -> tuple[Option, ...]:
    """Return the special options (don't know, refused) with their built-in labels."""
    raw = t.get("special", list, False, [])
    out = []
    for code in raw:
        if code not in SPECIAL_CODES:
            t.error(f"unknown special code {code!r} (expected dont_know or refused)")
        elif code in [o.code for o in out]:
            t.error(f"special code '{code}' listed twice")
        else:
            out.append(Option(code, *SPECIAL_LABELS[code], special=True))
    return tuple(out)


def _type_fields(t: Table, item_type: str) -> dict:
    """Return the fields only some types have: range and unit, length, scale ends."""
    if item_type == "integer":
        low, high = t.get("min", int, True, None), t.get("max", int, True, None)
        if is_int(low) and is_int(high) and low > high:
            t.error(f"min {low} is greater than max {high}")
        unit_vi, unit_en = t.pair("unit", required=False)
        return {"min": low, "max": high, "unit_vi": unit_vi, "unit_en": unit_en}
    if item_type == "decimal":
        return _decimal_fields(t)
    if item_type == "text":
        max_length = t.get("max_length", int, False, DEFAULT_MAX_LENGTH)
        if max_length < 1:
            t.error("max_length must be at least 1")
        vi, en = PRIVACY_WARNING
        return {"max_length": max_length, "warning_vi": vi, "warning_en": en}
    if item_type in ("likert5", "rating10"):
        low_vi, low_en = t.pair("low")
        high_vi, high_en = t.pair("high")
        return {"low_vi": low_vi, "low_en": low_en, "high_vi": high_vi, "high_en": high_en}
    return {}


def _decimal_fields(t: Table) -> dict:
    """Return a decimal item's places and exact range (bounds within those places)."""
    places = t.get("decimals", int, True, None)
    limit = decimal_numbers.MAX_PLACES
    if is_int(places) and not 1 <= places <= limit:
        t.error(f"decimals must be from 1 to {limit} (for whole numbers use type integer)")
        places = None
    found = {}
    for key in ("min", "max"):
        raw = t.get(key, (int, float, str), True, None)
        value = decimal_numbers.bound(raw) if raw is not None else None
        if raw is not None and value is None:
            t.error(f"field '{key}' must be a number, like 0 or 2.5")
        elif value is not None and places and decimal_numbers.places_of(value) > places:
            t.error(f"{key} {raw} has more than {places} decimal places")
        elif value is not None and len(str(abs(int(value)))) + (places or 0) > 15:
            t.error(f"{key} {raw} has more than 15 digits")
        elif value is not None:
            found[key] = value.quantize(Decimal(1).scaleb(-(places or 0)))
    low, high = found.get("min"), found.get("max")
    if low is not None and high is not None and low > high:
        t.error(f"min {low} is greater than max {high}")
    unit_vi, unit_en = t.pair("unit", required=False)
    return {"min": low, "max": high, "decimals": places, "unit_vi": unit_vi, "unit_en": unit_en}

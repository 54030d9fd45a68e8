"""Parse and check show_if / eligibility conditions against the items before them."""

from __future__ import annotations

from dataclasses import dataclass

from . import decimals
from ._fields import Report, is_number
from .model import Condition, Item

COMBINATORS = ("all", "any", "not")
NUMERIC_TYPES = ("integer", "decimal", "likert5", "rating10")


@dataclass
class Scope:
    """What a condition may refer to: items on earlier pages, and where everything lives."""

    owner: str | None  # id of the item that carries the condition
    owner_module: str
    earlier: dict[str, Item]  # items on earlier pages, in order
    page_ids: set[str]  # ids of items on the owner's page
    later_ids: set[str]  # ids of items on later pages
    rotating: set[str]  # ids of rotating modules
    report: Report
    field: str = "show_if"

    def error(self, message: str) -> None:
        """Record an error about the owner's condition."""
        self.report.add(self.owner, f"{self.field}: {message}")


def parse_condition(raw: object, scope: Scope) -> Condition | None:
    """Return the parsed condition, or None after reporting what is wrong with it."""
    if not isinstance(raw, dict):
        scope.error(f"a condition must be a table, not {type(raw).__name__}")
        return None
    combinators = [key for key in COMBINATORS if key in raw]
    if combinators:
        if len(raw) != 1:
            scope.error(
                f"'{combinators[0]}' must be the only key of its table, found {sorted(raw)}"
            )
            return None
        return _parse_combinator(combinators[0], raw, scope)
    return _parse_leaf(raw, scope)


def _parse_combinator(op: str, raw: dict, scope: Scope) -> Condition | None:
    """Parse {all = [...]}, {any = [...]} or {not = cond}."""
    body = raw[op]
    if op == "not":
        child = parse_condition(body, scope)
        return None if child is None else Condition("not", children=(child,), raw=raw)
    if not isinstance(body, list) or not body:
        scope.error(f"'{op}' needs a non-empty list of conditions")
        return None
    children = [parse_condition(child, scope) for child in body]
    if any(child is None for child in children):
        return None
    return Condition(op, children=tuple(children), raw=raw)


def _parse_leaf(raw: dict, scope: Scope) -> Condition | None:
    """Parse {item = "x", in|not_in|answered|gte|lte = ...}."""
    ref = _resolve(raw.get("item"), scope)
    tests = [key for key in raw if key != "item"]
    unknown = [key for key in tests if key not in ("in", "not_in", "answered", "gte", "lte")]
    if unknown:
        scope.error(f"unknown condition key(s) {unknown}")
        return None
    if not tests or (len(tests) > 1 and set(tests) != {"gte", "lte"}):
        scope.error("a condition needs exactly one of in, not_in, answered, or gte/lte")
        return None
    if ref is None:
        return None
    leaves = []
    for key in tests:
        build = _comparison if key in ("gte", "lte") else _leaf
        leaves.append(build(key, raw[key], ref, raw, scope))
    if any(leaf is None for leaf in leaves):
        return None
    return leaves[0] if len(leaves) == 1 else Condition("all", children=tuple(leaves), raw=raw)


def _leaf(key: str, value: object, ref: Item, raw: dict, scope: Scope) -> Condition | None:
    """Build an in/not_in/answered leaf after checking its value against ref's codes."""
    if key == "answered":
        if not isinstance(value, bool):
            scope.error("'answered' must be true or false")
            return None
        return Condition("answered", ref.id, (value,), raw=raw, item=ref)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        scope.error(f"'{key}' needs a non-empty list of answer codes (strings)")
        return None
    if ref.type == "text":
        scope.error(f"'{ref.id}' is a text question: use answered = true")
        return None
    bad = [code for code in value if code not in ref.all_codes()]
    for code in bad:
        scope.error(f"'{ref.id}' has no answer code '{code}'")
    return None if bad else Condition(key, ref.id, tuple(value), raw=raw, item=ref)


def _comparison(key: str, value: object, ref: Item, raw: dict, scope: Scope) -> Condition | None:
    """Build a gte/lte leaf on a numeric item."""
    if ref.type not in NUMERIC_TYPES:
        scope.error(f"'{key}' needs a numeric question, but '{ref.id}' is {ref.type}")
        return None
    if not is_number(value):
        scope.error(f"'{key}' must be a number")
        return None
    if isinstance(value, float):
        # Compared exactly with a decimal answer: 0.1 is the literal written, not its double.
        value = decimals.bound(value)
    return Condition(key, ref.id, (value,), raw=raw, item=ref)


def _resolve(ref_id: object, scope: Scope) -> Item | None:
    """Return the earlier item a leaf refers to, or report why it may not."""
    if not isinstance(ref_id, str) or not ref_id:
        scope.error("a condition needs 'item' naming an earlier question")
        return None
    if ref_id == scope.owner:
        scope.error(f"refers to '{ref_id}' itself")
    elif ref_id in scope.page_ids:
        scope.error(f"refers to '{ref_id}' on the same page: put follow-ups on a later page")
    elif ref_id in scope.later_ids:
        scope.error(f"refers to '{ref_id}' which comes later")
    elif ref_id not in scope.earlier:
        scope.error(f"refers to unknown item '{ref_id}'")
    else:
        ref = scope.earlier[ref_id]
        if ref.module_id in scope.rotating and ref.module_id != scope.owner_module:
            scope.error(
                f"refers to '{ref_id}' in rotating module '{ref.module_id}', which may not be shown"
            )
            return None
        return ref
    return None

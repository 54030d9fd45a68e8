"""XLSForm ``relevant`` and ``constraint`` in the forms the questionnaire model can express.

Read (``relevant`` to a ``show_if`` table): ``${q} = 'a'``, ``${q} != 'a'``, ``selected(${q},
'a')``, ``${q} != ''`` (answered), ``${q} = ''``, numeric comparisons (``>=``, ``<=``, ``>``,
``<``, ``=``, ``!=`` with a whole number), joined by ``and``, ``or``, ``not(...)`` and
parentheses. Constraints: ``. >= 0 and . <= 100`` on integers, ``string-length(.) <= 200``
on text, ``not(selected(., 'none') and count-selected(.) > 1)`` for an exclusive option.
Anything else raises ExpressionError with the reason; ``write_condition`` and
``write_constraint`` give back the same text, so that an export reimports to the same items.
"""

from __future__ import annotations

import re
from decimal import Decimal

TOKEN = re.compile(
    r"\s*(?:(?P<ref>\$\{[^}]*\})|(?P<str>'[^']*'|\"[^\"]*\")|(?P<num>-?\d+(?:\.\d+)?)"
    r"|(?P<op>!=|>=|<=|=|>|<)|(?P<punct>[(),.])|(?P<word>[A-Za-z][A-Za-z0-9_-]*))"
)
# Question types (of this app's model) that a condition can test by code, or by number.
CHOICE_TYPES = ("yes_no", "single", "likert5", "rating10")
NUMBER_TYPES = ("integer", "decimal", "likert5", "rating10")
DEFAULT_PLACES = 2  # a decimal whose bounds are whole numbers: two places, as money and shares


class ExpressionError(ValueError):
    """The expression is outside what the questionnaire model can express."""


def tokens(text: str) -> list[tuple[str, str]]:
    """Split an expression into (kind, text) tokens."""
    found, position = [], 0
    text = text.strip()
    while position < len(text):
        match = TOKEN.match(text, position)
        if not match or match.end() == position:
            raise ExpressionError(f"cannot read {text[position:]!r}")
        kind = match.lastgroup
        found.append((kind, match.group(kind)))
        position = match.end()
    return found


class _Parser:
    """Recursive descent over the tokens: or > and > not/parentheses > comparison."""

    def __init__(self, text: str):
        self.items, self.at = tokens(text), 0

    def peek(self, offset: int = 0) -> tuple[str, str]:
        index = self.at + offset
        return self.items[index] if index < len(self.items) else ("end", "")

    def take(self, kind: str, value: str | None = None) -> str:
        got = self.peek()
        if got[0] != kind or (value is not None and got[1] != value):
            shown = got[1] or "the end"
            raise ExpressionError(f"expected {value or kind} but found {shown!r}")
        self.at += 1
        return got[1]

    def parse(self):
        tree = self.disjunction()
        if self.peek()[0] != "end":
            raise ExpressionError(f"unexpected {self.peek()[1]!r}")
        return tree

    def disjunction(self):
        parts = [self.conjunction()]
        while self.peek() == ("word", "or"):
            self.at += 1
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else ("or", parts)

    def conjunction(self):
        parts = [self.unary()]
        while self.peek() == ("word", "and"):
            self.at += 1
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else ("and", parts)

    def unary(self):
        kind, value = self.peek()
        if (kind, value) == ("word", "not"):
            self.at += 1
            self.take("punct", "(")
            inner = self.disjunction()
            self.take("punct", ")")
            return ("not", inner)
        if (kind, value) == ("punct", "("):
            self.at += 1
            inner = self.disjunction()
            self.take("punct", ")")
            return inner
        if (kind, value) == ("word", "selected"):
            self.at += 1
            self.take("punct", "(")
            subject = self.operand()
            self.take("punct", ",")
            code = self.take("str")[1:-1]
            self.take("punct", ")")
            return ("selected", subject, code)
        left = self.operand()
        op = self.take("op")
        right = self.literal()
        return ("cmp", left, op, right)

    def operand(self):
        kind, value = self.peek()
        if kind == "ref":
            self.at += 1
            return ("ref", value[2:-1].strip())
        if (kind, value) == ("punct", "."):
            self.at += 1
            return ("dot",)
        if kind == "word" and value in ("string-length", "count-selected"):
            self.at += 1
            self.take("punct", "(")
            inner = self.operand()
            self.take("punct", ")")
            return (value, inner)
        if kind == "word":
            raise ExpressionError(f"the function {value}() is not supported")
        raise ExpressionError(f"expected a question (${{name}}) but found {value!r}")

    def literal(self):
        kind, value = self.peek()
        if kind == "str":
            self.at += 1
            return ("str", value[1:-1])
        if kind == "num":
            self.at += 1
            if "." in value:
                return ("dec", Decimal(value))
            return ("num", int(value))
        if kind == "ref":
            raise ExpressionError("comparing two questions is not supported")
        raise ExpressionError(f"expected a value but found {value or 'the end'!r}")


def parse(text: str):
    """Return the expression's tree, or raise ExpressionError."""
    return _Parser(text).parse()


def read_relevant(text: str, kind_of) -> dict:
    """Return the show_if table of a relevant; ``kind_of(name)`` gives (type, answer codes).

    The type is the model's (single, multiple, integer, ...); kind_of raises ExpressionError
    when the name cannot be referred to (unknown, later, on the same page).
    """
    return _fold(_condition(parse(text), kind_of))


def _condition(tree, kind_of) -> dict:
    """Translate one tree node into a condition table."""
    op = tree[0]
    if op in ("and", "or"):
        return {"all" if op == "and" else "any": [_condition(t, kind_of) for t in tree[1]]}
    if op == "not":
        return {"not": _condition(tree[1], kind_of)}
    if op == "selected":
        name = _ref_name(tree[1])
        kind, codes = kind_of(name)
        if kind not in (*CHOICE_TYPES, "multiple"):
            raise ExpressionError(f"selected() needs a choice question, but ${{{name}}} is not one")
        _check_code(name, tree[2], codes)
        return {"item": name, "in": [tree[2]]}
    _, left, comparison, (value_kind, value) = tree
    name = _ref_name(left)
    kind, codes = kind_of(name)
    if value_kind == "str" and value == "":
        if comparison not in ("=", "!="):
            raise ExpressionError(f"'{comparison}' cannot compare with ''")
        return {"item": name, "answered": comparison == "!="}
    if value_kind == "str":
        if kind == "multiple":
            hint = f"selected(${{{name}}}, '{value}')"
            raise ExpressionError(f"${{{name}}} allows several answers: use {hint}")
        if kind not in CHOICE_TYPES or comparison not in ("=", "!="):
            raise ExpressionError(f"'{comparison} '{value}'' is not supported on ${{{name}}}")
        _check_code(name, value, codes)
        leaf = {"item": name, "in": [value]}
        return leaf if comparison == "=" else {"not": leaf}
    if kind not in NUMBER_TYPES:
        raise ExpressionError(f"${{{name}}} is not a number question")
    if kind == "decimal":
        return _decimal_condition(name, comparison, value)
    if value_kind == "dec":
        raise ExpressionError(f"{value} is not a whole number")
    bounds = {
        ">=": {"gte": value},
        ">": {"gte": value + 1},
        "<=": {"lte": value},
        "<": {"lte": value - 1},
        "=": {"gte": value, "lte": value},
        "!=": {"gte": value, "lte": value},
    }[comparison]
    leaf = {"item": name} | bounds
    return {"not": leaf} if comparison == "!=" else leaf


def _decimal_condition(name: str, comparison: str, value) -> dict:
    """Return the gte/lte leaf of a comparison with a decimal question (no > or <)."""
    if comparison in (">", "<"):
        raise ExpressionError(
            f"${{{name}}} is a decimal number: compare it with >= or <=, not {comparison}"
        )
    # The questionnaire file holds the threshold as a number; the loader reads it back exactly.
    number = int(value) if isinstance(value, int) else float(value)
    bounds = {">=": {"gte": number}, "<=": {"lte": number}}
    bounds |= {"=": {"gte": number, "lte": number}, "!=": {"gte": number, "lte": number}}
    leaf = {"item": name} | bounds[comparison]
    return {"not": leaf} if comparison == "!=" else leaf


def _check_code(name: str, code: str, codes) -> None:
    """Refuse a choice the question does not have."""
    if code not in codes:
        raise ExpressionError(f"${{{name}}} has no choice '{code}'")


def _ref_name(node) -> str:
    """Return the question name of a ${name} operand."""
    if node[0] != "ref":
        raise ExpressionError("a condition compares a question (${name}), not '.'")
    return node[1]


def _fold(condition: dict) -> dict:
    """Merge what the export writes as several tests back into one: in lists, not_in, ranges."""
    for key in ("all", "any"):
        if key in condition:
            children = [_fold(c) for c in condition[key]]
            merged = _merge(key, children)
            return merged if merged is not None else {key: children}
    if "not" in condition:
        return {"not": _fold(condition["not"])}
    return condition


def _merge(key: str, children: list[dict]) -> dict | None:
    """Return the one condition equal to these children, or None."""
    items = {c.get("item") for c in children}
    if len(items) != 1 or None in items:
        return None
    if key == "any" and all(set(c) == {"item", "in"} for c in children):
        return {"item": children[0]["item"], "in": [v for c in children for v in c["in"]]}
    if key != "all" or len(children) != 2:
        return None
    first, second = children
    if first.get("answered") is True and set(second) == {"not"}:
        inner = second["not"]
        if set(inner) == {"item", "in"} and inner["item"] == first["item"]:
            return {"item": first["item"], "not_in": inner["in"]}
    if set(first) == {"item", "gte"} and set(second) == {"item", "lte"}:
        return first | second
    return None


def write_condition(condition: dict, kind_of) -> str:
    """Return the XLSForm relevant of a show_if table (the inverse of read_relevant)."""
    for key, joiner in (("all", " and "), ("any", " or ")):
        if key in condition:
            return joiner.join(_wrapped(c, kind_of) for c in condition[key])
    if "not" in condition:
        return f"not({write_condition(condition['not'], kind_of)})"
    ref = "${" + condition["item"] + "}"
    if "answered" in condition:
        return f"{ref} != ''" if condition["answered"] else f"{ref} = ''"
    if "in" in condition or "not_in" in condition:
        codes = condition.get("in") or condition["not_in"]
        multiple = kind_of(condition["item"])[0] == "multiple"
        tests = [f"selected({ref}, '{c}')" if multiple else f"{ref} = '{c}'" for c in codes]
        joined = " or ".join(tests)
        if "in" in condition:
            return joined
        return f"{ref} != '' and not({joined})"
    tests = []
    if "gte" in condition:
        tests.append(f"{ref} >= {condition['gte']}")
    if "lte" in condition:
        tests.append(f"{ref} <= {condition['lte']}")
    return " and ".join(tests)


def _wrapped(condition: dict, kind_of) -> str:
    """Return a child condition, in parentheses when it is more than one test."""
    written = write_condition(condition, kind_of)
    simple = set(condition) <= {"item", "in", "answered", "gte", "lte"} and not (
        len(condition.get("in", [])) > 1 or {"gte", "lte"} <= set(condition)
    )
    return written if simple or "not" in condition else f"({written})"


def read_constraint(text: str, kind: str) -> dict:
    """Return the item fields a constraint sets: min/max, max_length or exclusive codes."""
    tree = parse(text)
    parts = tree[1] if tree[0] == "and" else [tree]
    if kind == "number":
        return _range(parts)
    if kind == "decimal":
        return _decimal_range(parts)
    if kind == "text":
        if len(parts) == 1 and parts[0][0] == "cmp":
            _, left, op, (value_kind, value) = parts[0]
            if left == ("string-length", ("dot",)) and op == "<=" and value_kind == "num":
                return {"max_length": value}
        raise ExpressionError("a text question's constraint can only be string-length(.) <= N")
    if kind == "multiple":
        return {"exclusive": [_exclusive(part) for part in parts]}
    raise ExpressionError("only number, text and select_multiple questions take a constraint")


def _range(parts) -> dict:
    """Return {min, max} from comparisons of '.' with whole numbers."""
    found = {}
    for part in parts:
        if part[0] != "cmp" or part[1] != ("dot",) or part[3][0] != "num":
            raise ExpressionError("a number's constraint compares '.' with whole numbers")
        op, value = part[2], part[3][1]
        bounds = {">=": ("min", value), ">": ("min", value + 1)}
        bounds |= {"<=": ("max", value), "<": ("max", value - 1)}
        key, number = bounds.get(op, (None, None))
        if key is None or key in found:
            raise ExpressionError(f"'. {op} {value}' is not a lower or an upper bound")
        found[key] = number
    if set(found) != {"min", "max"}:
        raise ExpressionError("a number needs both bounds, e.g. '. >= 0 and . <= 100'")
    return found


def _decimal_range(parts) -> dict:
    """Return {min, max, decimals} from comparisons of '.' with numbers, as exact text.

    The places are those of the bound written with the most (``. <= 99.5``: one), or two
    when both are whole numbers; a strict bound moves by one unit of the last place.
    """
    found, literals = {}, []
    for part in parts:
        if part[0] != "cmp" or part[1] != ("dot",) or part[3][0] not in ("num", "dec"):
            raise ExpressionError("a decimal's constraint compares '.' with numbers")
        op, value = part[2], Decimal(part[3][1])
        key = {">=": "min", ">": "min", "<=": "max", "<": "max"}.get(op)
        if key is None or key in found:
            raise ExpressionError(f"'. {op} {value}' is not a lower or an upper bound")
        found[key] = (op, value)
        literals.append(value)
    if set(found) != {"min", "max"}:
        raise ExpressionError("a decimal needs both bounds, e.g. '. >= 0 and . <= 100'")
    exponents = [-v.as_tuple().exponent for v in literals]
    places = max(exponents) if max(exponents) > 0 else DEFAULT_PLACES
    step = Decimal(1).scaleb(-places)
    fields = {}
    for key, (op, value) in found.items():
        if op in (">", "<"):
            value = value + step if op == ">" else value - step
        fields[key] = f"{value.quantize(step):f}"
    return fields | {"decimals": places}


def _exclusive(part) -> str:
    """Return the code of not(selected(., 'x') and count-selected(.) > 1)."""
    if part[0] == "not" and part[1][0] == "and" and len(part[1][1]) == 2:
        chosen, count = part[1][1]
        if (
            chosen[0] == "selected"
            and chosen[1] == ("dot",)
            and count == ("cmp", ("count-selected", ("dot",)), ">", ("num", 1))
        ):
            return chosen[2]
    raise ExpressionError(
        "a select_multiple constraint can only make an option exclusive: "
        "not(selected(., 'none') and count-selected(.) > 1)"
    )


def write_constraint(fields: dict) -> str:
    """Return the XLSForm constraint of an item's range, length or exclusive options."""
    if "min" in fields:
        return f". >= {fields['min']} and . <= {fields['max']}"
    if "max_length" in fields:
        return f"string-length(.) <= {fields['max_length']}"
    return " and ".join(
        f"not(selected(., '{code}') and count-selected(.) > 1)" for code in fields["exclusive"]
    )

"""Write a module table as TOML in the layout of the shipped files (the stdlib only reads TOML)."""

from __future__ import annotations

import json
import math
import re

BARE_KEY = re.compile(r"[A-Za-z0-9_-]+\Z")


def value(obj) -> str:
    """Return a TOML value: strings, numbers, booleans, arrays and inline tables."""
    if isinstance(obj, bool):
        return "true" if obj else "false"
    if isinstance(obj, int):
        return str(obj)
    if isinstance(obj, float) and math.isfinite(obj):
        return repr(obj)  # the shortest text that reads back as the same double
    if isinstance(obj, str):
        # A JSON string without ASCII escaping is a valid TOML basic string.
        return json.dumps(obj, ensure_ascii=False)
    if isinstance(obj, list):
        if obj and all(isinstance(x, dict) for x in obj):
            return "[\n" + "".join(f"  {value(x)},\n" for x in obj) + "]"
        return "[" + ", ".join(value(x) for x in obj) + "]"
    if isinstance(obj, dict):
        return "{ " + ", ".join(f"{key(k)} = {value(v)}" for k, v in obj.items()) + " }"
    raise TypeError(f"cannot write {type(obj).__name__} as TOML")


def key(name: str) -> str:
    """Return a TOML key, quoted when it is not bare."""
    return name if BARE_KEY.match(name) else json.dumps(name, ensure_ascii=False)


def _table(table: dict, skip: str | None = None) -> list[str]:
    """Return the key = value lines of a table's own fields."""
    return [f"{key(k)} = {value(v)}" for k, v in table.items() if k != skip]


def dumps_module(module: dict, comment: str = "") -> str:
    """Return a module table (id, titles, core, pages with items) as TOML text."""
    lines = [f"# {line}" if line else "#" for line in comment.splitlines()]
    lines += _table(module, skip="pages")
    for page in module.get("pages", []):
        lines += ["", "[[pages]]", *_table(page, skip="items")]
        for item in page.get("items", []):
            lines += ["", "[[pages.items]]", *_table(item)]
    return "\n".join(lines) + "\n"

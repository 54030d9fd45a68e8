"""Typed access to raw TOML tables that records every problem instead of stopping."""

from __future__ import annotations

import re
import unicodedata

from .model import LoadError

SNAKE = re.compile(r"[a-z][a-z0-9_]*\Z")
CODE = re.compile(r"[a-z0-9][a-z0-9_]*\Z")
QUESTIONNAIRE_ID = re.compile(r"[a-z][a-z0-9-]*\Z")
_MISSING = object()


class Report:
    """Collect load errors in the order they are found."""

    def __init__(self) -> None:
        self.errors: list[LoadError] = []

    def add(self, item_id: str | None, message: str, where: str = "") -> None:
        """Record one error, prefixed with the item (or other place) it concerns."""
        prefix = f"item {item_id}: " if item_id else (f"{where}: " if where else "")
        self.errors.append(LoadError(item_id, prefix + message))


def is_int(value: object) -> bool:
    """Tell whether value is a TOML integer (bools are not)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: object) -> bool:
    """Tell whether value is a TOML integer or float (bools are not)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


class Table:
    """A raw TOML table read with its context (item id or place) for error messages."""

    def __init__(self, raw: dict, report: Report, item_id: str | None = None, where: str = ""):
        self.raw, self.report, self.item_id, self.where = raw, report, item_id, where

    def error(self, message: str) -> None:
        """Record an error about this table."""
        self.report.add(self.item_id, message, self.where)

    def check_keys(self, allowed: set[str]) -> None:
        """Report keys that the format does not define (usually typos)."""
        for key in self.raw:
            if key not in allowed:
                self.error(f"unknown field '{key}'")

    def get(self, key: str, kind: type | tuple, required: bool, default=None):
        """Return raw[key] if it has the right kind, else report and return default."""
        value = self.raw.get(key, _MISSING)
        if value is _MISSING:
            if required:
                self.error(f"missing field '{key}'")
            return default
        bad_bool = isinstance(value, bool) and kind in (int, float, (int, float))
        if bad_bool or not isinstance(value, kind):
            self.error(f"field '{key}' must be {_kind_name(kind)}, not {type(value).__name__}")
            return default
        return value

    def text(self, key: str, required: bool = True) -> str:
        """Return a non-empty string field ("" when optional and absent)."""
        value = self.get(key, str, required, "")
        if key in self.raw and isinstance(value, str) and not value.strip():
            self.error(f"field '{key}' is empty")
        return value

    def pair(self, name: str, required: bool = True) -> tuple[str, str]:
        """Return the Vietnamese and English texts `name_vi`, `name_en`, both or neither."""
        has_vi, has_en = f"{name}_vi" in self.raw, f"{name}_en" in self.raw
        if not required and not has_vi and not has_en:
            return "", ""
        vi = self.get(f"{name}_vi", str, False, "")
        en = self.get(f"{name}_en", str, False, "")
        if not vi.strip():
            self.error(f"missing Vietnamese translation '{name}_vi'")
        if not en.strip():
            self.error(f"missing English translation '{name}_en'")
        return vi, en

    def ident(self, key: str, pattern: re.Pattern = SNAKE) -> str:
        """Return a required identifier field matching pattern."""
        value = self.get(key, str, True, "")
        if value and not pattern.match(value):
            self.error(f"'{key}' {value!r} is not a valid identifier (lower-case snake_case)")
        return value

    def flag(self, key: str, default: bool | None = None) -> bool:
        """Return a boolean field (required when default is None)."""
        return self.get(key, bool, default is None, default)


def _kind_name(kind: type | tuple) -> str:
    """Name a TOML kind for an error message."""
    names = {str: "a string", int: "an integer", bool: "true or false", list: "a list"}
    names |= {dict: "a table", (int, float): "a number", float: "a number"}
    names[(int, float, str)] = "a number, like 0 or 2.5"
    return names.get(kind, str(kind))


def check_nfc(value: object, report: Report, path: str = "", item_id: str | None = None) -> None:
    """Report every string in a raw TOML document that is not NFC-normalised."""
    if isinstance(value, str):
        if unicodedata.normalize("NFC", value) != value:
            report.add(item_id, f"'{path}' is not NFC-normalised Unicode: save the file as NFC")
    elif isinstance(value, dict):
        for key, child in value.items():
            check_nfc(child, report, f"{path}.{key}" if path else key, item_id)
    elif isinstance(value, list):
        for i, child in enumerate(value):
            child_id = item_id
            if path.endswith("items") and isinstance(child, dict):
                child_id = child.get("id") if isinstance(child.get("id"), str) else None
            check_nfc(child, report, f"{path}[{i}]", child_id)

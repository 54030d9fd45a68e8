"""How a ward, commune or special zone is named in citizen and poster text, in both languages.

Since 1 July 2025 a province is divided into phường (wards), xã (communes) and đặc khu
(special zones); 2,621 of the 3,321 units are xã, so no sentence may say "phường" for all of
them. vietnam-provinces gives each unit its type (stored in ``wards.kind`` by
``units.load_units``) and an official name that starts with it: "Xã An Lục Long".

Names are data (the house style), like questionnaire wording: both languages side by side here, not
gettext. Vietnamese writes the type word in lower case inside a sentence ("Ủy ban nhân dân xã
An Lục Long"); English, as in the Government's English texts, puts the name without diacritics
first and the type after it ("People's Committee of An Luc Long Commune").

Settings that name the organiser or the results office (ORGANISER_*, RESULTS_NOTE_*) may hold
the placeholder ``{unit}``, which ``fill`` replaces by the point's unit named this way.
"""

import re
import unicodedata
from dataclasses import dataclass

WARD, COMMUNE, SPECIAL_ZONE = "phường", "xã", "đặc khu"
# Each type as vietnam-provinces spells it (wards.kind) -> the English word in a name.
ENGLISH_TYPES = {WARD: "Ward", COMMUNE: "Commune", SPECIAL_ZONE: "Special Zone"}
PLACEHOLDER = "{unit}"
_PLACEHOLDERS = re.compile(r"\{[^{}]*\}")


@dataclass(frozen=True)
class Unit:
    """A ward, commune or special zone as text needs it: its official name and its kind."""

    name: str
    kind: str = ""

    @classmethod
    def of_point(cls, point: dict) -> "Unit":
        """Return the unit of a collection point (a row of points.get_point)."""
        return cls(point["ward_name"], point.get("ward_kind") or "")

    @classmethod
    def of_ward(cls, ward: dict) -> "Unit":
        """Return the unit of a wards row."""
        return cls(ward["name"], ward.get("kind") or "")

    @property
    def type(self) -> str | None:
        """Return phường, xã or đặc khu: the stored kind, else the name's first words."""
        kind = unicodedata.normalize("NFC", self.kind).strip().lower()
        if kind in ENGLISH_TYPES:
            return kind
        # Rows not loaded from vietnam-provinces (older imports, tests) still name the type.
        lowered = unicodedata.normalize("NFC", self.name).lower()
        for word in ENGLISH_TYPES:
            if lowered.startswith(word + " "):
                return word
        return None

    @property
    def bare_name(self) -> str:
        """Return the name without its type word: "An Lục Long"."""
        name = unicodedata.normalize("NFC", self.name).strip()
        kind = self.type
        if kind and name.lower().startswith(kind + " "):
            return name[len(kind) + 1 :].strip()
        return name

    def full_name(self, locale: str) -> str:
        """Return the name as written inside a sentence: "xã An Lục Long", "An Luc Long Commune"."""
        kind = self.type
        if kind is None:
            return self.name if locale == "vi" else without_diacritics(self.name)
        if locale == "vi":
            return f"{kind} {self.bare_name}"
        return f"{without_diacritics(self.bare_name)} {ENGLISH_TYPES[kind]}"


def without_diacritics(text: str) -> str:
    """Return text with Vietnamese letters written without marks, case kept (Đ -> D)."""
    text = unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "D")
    return unicodedata.normalize("NFC", "".join(c for c in text if not unicodedata.combining(c)))


def fill(text: str, unit: Unit, locale: str) -> str:
    """Return a setting's text with ``{unit}`` replaced by the unit's name in the locale."""
    return text.replace(PLACEHOLDER, unit.full_name(locale))


def unknown_placeholders(text: str) -> list[str]:
    """Return the ``{...}`` placeholders of a setting other than ``{unit}``."""
    return [found for found in _PLACEHOLDERS.findall(text) if found != PLACEHOLDER]

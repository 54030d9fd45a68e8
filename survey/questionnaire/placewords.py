"""Place words in questionnaire wording: the unit's own type and the province's word for villages.

A v2 text may say ``{xa}`` (the respondent's commune-level unit: "phường", "xã" or "đặc khu",
from ``wards.kind``, see survey/unit_names.py), ``{thon}`` (the place below it: "thôn",
"ấp", "bản", "tổ dân phố" or "khu phố", which differs by province and by unit type, so the
province configures it) and ``{truong}`` (its head's title, which Vietnamese does not build
the same way for each: "trưởng thôn", "trưởng ấp", but "tổ trưởng tổ dân phố").
Pages for a point fill them for its unit; ``fill`` without a unit (timing, the codebook,
paper) gets the neutral default, which names both kinds.
"""

from __future__ import annotations

import re
from dataclasses import replace

from survey import unit_names
from survey.locales import LOCALES

PLACEHOLDERS = ("{xa}", "{thon}", "{truong}")
_FOUND = re.compile(r"\{[a-z_]*\}")
UNIT_WORDS = {
    "vi": {"phường": "phường", "xã": "xã", "đặc khu": "đặc khu", "": "phường, xã"},
    "en": {"phường": "ward", "xã": "commune", "đặc khu": "special zone", "": "ward or commune"},
}
# Default word below a unit of each type; a province's setting (PLACE_WORDS) overrides it.
VILLAGE_WORDS = {
    "vi": {"phường": "tổ dân phố", "xã": "thôn", "đặc khu": "thôn", "": "thôn, tổ dân phố"},
    "en": {
        "phường": "residential group",
        "xã": "village",
        "đặc khu": "village",
        "": "village or residential group",
    },
}
# The head's title for each village word (Vietnamese); English says "the head of the ...".
HEAD_TITLES = {
    "tổ dân phố": "tổ trưởng tổ dân phố",
    "thôn, tổ dân phố": "trưởng thôn, tổ trưởng",
}
# English for the words a province may choose.
ENGLISH_VILLAGE = {
    "thôn": "village",
    "ấp": "hamlet",
    "bản": "village",
    "buôn": "village",
    "tổ dân phố": "residential group",
    "khu phố": "neighbourhood",
    "khóm": "neighbourhood",
}


def unknown(text: str) -> list[str]:
    """Return the placeholders of text other than {xa}, {thon} and {truong}."""
    return [p for p in _FOUND.findall(text) if p not in PLACEHOLDERS]


def fill(text: str, lang: str = "vi", kind: str = "", province_words: dict | None = None) -> str:
    """Return text with {xa} and {thon} for a unit of this kind (phường, xã, đặc khu, or "").

    province_words: the province's setting, {unit kind: village word}, e.g.
    {"phường": "khu phố", "xã": "ấp"} in Ho Chi Minh City.
    """
    if "{" not in text:
        return text
    kind = kind if kind in UNIT_WORDS["vi"] else ""
    village = VILLAGE_WORDS[lang][kind]
    chosen = (province_words or {}).get(kind)
    if chosen:
        village = chosen if lang == "vi" else ENGLISH_VILLAGE.get(chosen, village)
    if lang == "vi":
        head = HEAD_TITLES.get(village, f"trưởng {village}")
    else:
        head = f"head of the {village}"
    text = text.replace("{xa}", UNIT_WORDS[lang][kind]).replace("{truong}", head)
    return text.replace("{thon}", village)


def province_words(config, province: str) -> dict:
    """Return a province's village words from the PLACE_WORDS setting ({} if it sets none).

    PLACE_WORDS = {"79": {"phường": "khu phố", "xã": "ấp"}}: in Ho Chi Minh City a phường is
    divided into khu phố and a xã into ấp; provinces not listed get VILLAGE_WORDS.
    """
    return dict((config.get("PLACE_WORDS") or {}).get(province) or {})


def _texts(obj, kind: str, words: dict | None, *names) -> dict:
    """Return obj's named texts in every locale, place words filled, as replace() arguments."""
    return {
        f"{name}_{lang}": fill(getattr(obj, f"{name}_{lang}"), lang, kind, words)
        for name in names
        for lang in LOCALES
    }


def _item(item, kind: str, words: dict | None):
    """Return a copy of an item with its text's, hint's and options' place words filled."""
    options = tuple(
        replace(o, vi=fill(o.vi, "vi", kind, words), en=fill(o.en, "en", kind, words))
        for o in item.options
    )
    return replace(item, options=options, **_texts(item, kind, words, "text", "hint"))


def localise(questionnaire, kind: str = "", words: dict | None = None):
    """Return a copy of the questionnaire with every text's place words filled for a unit."""

    def both(obj, *names):
        return _texts(obj, kind, words, *names)

    items = {item_id: _item(i, kind, words) for item_id, i in questionnaire.items.items()}

    def reading(condition):
        # A condition names the earlier item it reads: point it at the localised copy, so
        # that a skip printed from it ("if you ticked ...") says the same words.
        if condition is None:
            return None
        return replace(
            condition,
            item=items.get(condition.item_id, condition.item),
            children=tuple(reading(child) for child in condition.children),
        )

    items = {item_id: replace(i, show_if=reading(i.show_if)) for item_id, i in items.items()}
    modules = tuple(
        replace(
            m,
            pages=tuple(
                replace(p, items=tuple(items[i.id] for i in p.items), **both(p, "title"))
                for p in m.pages
            ),
            **both(m, "title"),
        )
        for m in questionnaire.modules
    )
    return replace(
        questionnaire,
        modules=modules,
        items=items,
        **both(questionnaire, "title", "intro", "organiser"),
    )


# Localised copies, kept per questionnaire, unit type and province words: a welcome page or a
# poster sheet would otherwise copy the whole questionnaire each time. A few dozen entries at
# most (three unit types times the provinces that set words).
_LOCALISED: dict = {}


def _cached(questionnaire, kind: str, words: dict | None):
    """Return localise(questionnaire, kind, words), made once per combination."""
    key = (questionnaire.id, questionnaire.version, questionnaire.source, kind,
           tuple(sorted((words or {}).items())))  # fmt: skip
    if _LOCALISED.get(key, (None,))[0] is not questionnaire:
        _LOCALISED[key] = (questionnaire, localise(questionnaire, kind, words))
    return _LOCALISED[key][1]


def neutral(questionnaire):
    """Return the questionnaire with the neutral place words (pages about many units)."""
    return _cached(questionnaire, "", None)


def for_point(questionnaire, point: dict | None, config):
    """Return the questionnaire in a collection point's place words (neutral without one).

    config: the settings (PLACE_WORDS); the point's unit type comes from its ward.
    """
    if point is None:
        return neutral(questionnaire)
    kind = unit_names.Unit.of_point(point).type or ""
    return _cached(questionnaire, kind, province_words(config, point["province_code"]))


def localise_page(page, kind: str = "", words: dict | None = None):
    """Return a copy of one page with its title's and items' place words filled for a unit."""
    items = tuple(_item(i, kind, words) for i in page.items)
    return replace(page, items=items, **_texts(page, kind, words, "title"))

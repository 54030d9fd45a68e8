"""Names in words beside the codes of estimate rows: the unit's name and the estimate's name.

For the CSV export, so that a reader of the file needs no codebook to know that 26743 is
Phường Bến Thành and d4 is "Kiểm soát tham nhũng trong khu vực công". Plain Python, no Flask:
the words around the questionnaire's own wording (the total's name, the whole country) are
passed in already translated. The two columns go after the engine's columns.
"""

from survey import indicators, papi_names
from survey.estimation.report import COLUMNS

NAME_COLUMNS = ("unit_name", "name")
NAMED_COLUMNS = (*COLUMNS, *NAME_COLUMNS)
_UNIT_TYPE, _UNIT, _LEVEL, _KEY, _OPTION, _STATISTIC = (
    COLUMNS.index(c) for c in ("unit_type", "unit_code", "level", "key", "option", "statistic")
)


def unit_names(db) -> dict[tuple[str, str], str]:
    """Return {(unit type, code): name} of every ward, province and collection point."""
    found = {("ward", c): n for c, n in db.execute("SELECT code, name FROM wards")}
    found |= {("province", c): n for c, n in db.execute("SELECT code, name FROM provinces")}
    found |= {("point", str(i)): n for i, n in db.execute("SELECT id, name FROM points")}
    return found


def estimate_name(row, questionnaire, model, lang: str, words: dict) -> str:
    """Return the name in words of one estimate row (its level, key, option and statistic)."""
    level, key = row[_LEVEL], row[_KEY]
    if level == "total":
        return words["total"]
    if level == "dimension":
        return papi_names.dimension_name(key, lang)
    if level == "subdimension":
        return f"{key} {papi_names.subdimension_name(key, lang)}"
    if level == "indicator":
        found = next((i for i in model.indicators if i.id == key), None)
        return questionnaire.items[found.item_ids[0]].text(lang) if found else key
    item = questionnaire.items.get(key)
    if item is None:
        return key
    if row[_OPTION]:
        try:
            return f"{item.text(lang)}: {item.option(row[_OPTION]).label(lang)}"
        except KeyError:
            return f"{item.text(lang)}: {row[_OPTION]}"
    return f"{item.text(lang)} ({words.get(row[_STATISTIC], row[_STATISTIC])})"


def with_names(rows, db, questionnaire, lang: str, words: dict):
    """Yield each row with the unit's name and the estimate's name appended."""
    names = unit_names(db)
    model = indicators.build(questionnaire)
    for row in rows:
        unit = (
            words["all"]
            if row[_UNIT_TYPE] == "all"
            else names.get((row[_UNIT_TYPE], str(row[_UNIT])), "")
        )
        yield (*row, unit, estimate_name(row, questionnaire, model, lang, words))

"""SPSS (.sav) and Stata (.dta) files: variable and value labels in Vietnamese, missing codes.

Written with pyreadstat (Apache-2.0), an optional extra (``pip install 'papi-pulse[stats]'``):
it brings numpy and pandas, about 170 MB, which the web app does not otherwise need, and has
no wheel for musl Linux or 32-bit Windows. ``available()`` says whether it is installed; the
CLI and the downloads page say how to install it when it is not. pyreadstat writes a whole
data frame at once, so the rows are held in memory (see bench/export_formats.py).

Layout of the responses file (one case per response):
- an item with options (single choice, yes/no, scales) is one numeric variable: scale points
  keep their number (``3``), yes/no is 1 = yes and 0 = no, other options are numbered 1, 2, ...
  in questionnaire order; value labels give the option labels;
- a multiple choice is one 0/1 variable per option, empty when the question was not asked,
  named item_code (``basic_infrastructure_tap_water``), or item_1, item_2, ... in option
  order for every option of an item when one such name would be too long;
- numbers are numbers (a decimal answer, stored as exact text, becomes a double shown with its
  declared places); text is a string as wide as its longest value in UTF-8 bytes;
- special codes (don't know, refused) are declared missing values: SPSS user-missing codes
  -1, -2, ... (below every valid value), Stata extended missing values .a, .b, ...; both
  carry value labels. An item not asked is system missing.
Names follow Stata's rules, which also satisfy SPSS: at most 28 characters (Stata's 32 less
room for pyreadstat's label-set names), a letter first,
then letters, digits or underscores, not a reserved word, unique ignoring case. Labels are cut
to what each format holds (SPSS: 255 bytes per variable label and 120 per value label; Stata:
80 characters per variable label), on a character boundary; the codebook has them in full.
Value labels are only put on integer variables (Stata's rule).
"""

from __future__ import annotations

import importlib.util
import keyword
import math
import re
import string
from dataclasses import dataclass, field
from datetime import date

from survey.csvout import NUMBER
from survey.questionnaire import Questionnaire
from survey.variables import Variable

FORMATS = ("sav", "dta")
INSTALL_HINT = "pip install 'papi-pulse[stats]'"
STATA_VERSION = 14  # dta format 118: UTF-8 text, read by Stata 14 and later
# Stata allows 32 characters (SPSS 64 bytes), but pyreadstat names a variable's value-label
# set after it plus a counter ("name12"), which must fit in 32 too: four digits are kept free.
MAX_NAME = 28
SPSS_VARIABLE_LABEL_BYTES = 255
SPSS_VALUE_LABEL_BYTES = 120
STATA_VARIABLE_LABEL_CHARS = 80
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
# Stata's reserved names (Stata manual [U] 11.3) and SPSS's reserved keywords.
RESERVED = frozenset(
    "_all _b byte _coef _cons double float if in int long _n _N _pi _pred _rc _skip str strL"
    " using with all and by eq ge gt le lt ne not or to".lower().split()
)
YES_NO = {"yes": 1, "no": 0}
DUMMY_LABELS = {"vi": {0: "Không chọn", 1: "Có chọn"}, "en": {0: "Not chosen", 1: "Chosen"}}


class StatsUnavailable(RuntimeError):
    """pyreadstat is not installed."""

    def __init__(self):
        super().__init__(f"SPSS and Stata files need pyreadstat: {INSTALL_HINT}")


def available() -> bool:
    """Tell whether pyreadstat (and pandas) can be imported."""
    return all(importlib.util.find_spec(name) for name in ("pyreadstat", "pandas"))


@dataclass
class Column:
    """One variable of the file as it will be written."""

    name: str
    label: str
    kind: str  # text, number, coded (integer codes), datetime, date
    values: dict = field(default_factory=dict)  # value labels {code: label}
    missing: dict = field(default_factory=dict)  # special cell -> declared missing code
    measure: str = "unknown"
    cells: list = field(default_factory=list)
    places: int = 0  # decimal items: shown with their declared places (SPSS F12.2)


class Names:
    """Give each variable a valid, unique name (Stata's rules, SPSS's reserved words too)."""

    def __init__(self):
        self.taken: set[str] = set()

    def __call__(self, wanted: str) -> str:
        """Return a valid name close to wanted, not given before."""
        name = re.sub(r"[^A-Za-z0-9_]", "_", wanted)
        if not name or not name[0].isalpha():
            name = "v" + name
        if name.lower() in RESERVED or keyword.iskeyword(name):
            name += "_"
        name = name[:MAX_NAME]
        candidate, number = name, 1
        while candidate.lower() in self.taken:
            number += 1
            suffix = f"_{number}"
            candidate = name[: MAX_NAME - len(suffix)] + suffix
        self.taken.add(candidate.lower())
        return candidate


def cut_bytes(text: str, limit: int) -> str:
    """Return text cut to at most limit UTF-8 bytes, on a character boundary."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", errors="ignore")


def cut_label(text: str, fmt: str) -> str:
    """Return a variable label cut to what the format holds."""
    text = " ".join((text or "").split())
    if fmt == "dta":
        return cut_bytes(text[:STATA_VARIABLE_LABEL_CHARS], 4 * STATA_VARIABLE_LABEL_CHARS)
    return cut_bytes(text, SPSS_VARIABLE_LABEL_BYTES)


def _value_label(text: str, fmt: str) -> str:
    """Return a value label cut to what the format holds."""
    text = " ".join((text or "").split())
    return cut_bytes(text, SPSS_VALUE_LABEL_BYTES) if fmt == "sav" else text[:32_000]


def special_codes(questionnaire: Questionnaire, fmt: str) -> dict[str, object]:
    """Return the declared missing code of each special answer code in the questionnaire.

    SPSS: -1, -2, ... in order of first appearance, below the smallest valid number of any
    item; Stata: the extended missing values 'a', 'b', ...
    """
    found: list[str] = []
    lowest = 0
    for item in questionnaire.items.values():
        for option in item.special:
            if option.code not in found:
                found.append(option.code)
        if item.min is not None:
            lowest = min(lowest, math.floor(item.min))
        for option in item.options:
            if option.code.lstrip("-").isdigit():
                lowest = min(lowest, int(option.code))
    if fmt == "dta":
        if len(found) > len(string.ascii_lowercase):
            raise ValueError("more special codes than Stata's 26 extended missing values")
        return dict(zip(found, string.ascii_lowercase, strict=False))
    return {code: lowest - number for number, code in enumerate(found, 1)}


def option_values(item) -> dict[str, int]:
    """Return the number each option code of an item is written as."""
    codes = [option.code for option in item.options]
    if item.type == "yes_no" and set(codes) == set(YES_NO):
        return dict(YES_NO)
    if all(code.lstrip("-").isdigit() for code in codes):
        return {code: int(code) for code in codes}
    return {code: number for number, code in enumerate(codes, 1)}


def response_columns(questionnaire: Questionnaire, base: list[Variable], fmt: str, lang: str):
    """Return the columns of a responses file and a function that fills them from one response."""
    names = Names()
    specials = special_codes(questionnaire, fmt)
    columns = [_plain_column(names(v.name), v, fmt, lang) for v in base]
    fillers = []
    for item in questionnaire.items.values():
        label = item.text(lang)
        specials_here = {o.code: specials[o.code] for o in item.special}
        special_labels = {specials[o.code]: _value_label(o.label(lang), fmt) for o in item.special}
        if item.type == "multiple":
            dummies = []
            options = item.options + item.special
            suffixes = [option.code for option in options]
            if any(len(f"{item.id}_{code}") > MAX_NAME for code in suffixes):
                suffixes = [str(number) for number in range(1, len(options) + 1)]
            for option, suffix in zip(options, suffixes, strict=True):
                column = Column(
                    names(f"{item.id}_{suffix}"),
                    _dummy_label(label, option.label(lang), fmt),
                    "coded",
                    dict(DUMMY_LABELS[lang]),
                    measure="nominal",
                )
                columns.append(column)
                dummies.append((option.code, column.cells))
            fillers.append(_multiple_filler(item.id, dummies))
        elif item.options:
            values = option_values(item)
            labels = {values[o.code]: _value_label(o.label(lang), fmt) for o in item.options}
            measure = "ordinal" if item.type in ("likert5", "rating10") else "nominal"
            column = Column(
                names(item.id), cut_label(label, fmt), "coded", labels | special_labels,
                specials_here, measure,
            )  # fmt: skip
            columns.append(column)
            fillers.append(_coded_filler(item.id, values | specials_here, column.cells))
        elif item.type == "text":
            column = Column(names(item.id), cut_label(label, fmt), "text", measure="nominal")
            columns.append(column)
            fillers.append(_text_filler(item.id, column.cells))
        elif item.type != "note":
            column = Column(
                names(item.id), cut_label(label, fmt), "number", special_labels, specials_here,
                "scale", places=item.decimals or 0,
            )  # fmt: skip
            columns.append(column)
            fillers.append(_number_filler(item.id, specials_here, column.cells))
    base_cells = [column.cells for column in columns[: len(base)]]

    def fill(base_row: list, answers: dict) -> None:
        for cells, value in zip(base_cells, base_row, strict=True):
            cells.append(value)
        for filler in fillers:
            filler(answers)

    return columns, fill


def _dummy_label(question: str, option: str, fmt: str) -> str:
    """Return 'question – option', the question shortened so that the option always shows."""
    option = " ".join(option.split())
    tail = f" – {option}"
    room = STATA_VARIABLE_LABEL_CHARS if fmt == "dta" else SPSS_VARIABLE_LABEL_BYTES // 3
    question = " ".join(question.split())
    if len(question) + len(tail) > room:
        question = question[: max(room - len(tail) - 1, 0)].rstrip() + "…"
    return cut_label(question + tail, fmt)


def _plain_column(name: str, variable: Variable, fmt: str, lang: str) -> Column:
    """Return the column of a variable without value labels (base columns, tables)."""
    measure = {"number": "scale"}.get(variable.kind, "nominal")
    return Column(name, cut_label(variable.label(lang), fmt), variable.kind, measure=measure)


def _multiple_filler(item_id: str, dummies: list):
    """Return a filler writing 1 for chosen options, 0 for the others, empty if not asked."""

    def fill(answers: dict) -> None:
        chosen = answers.get(item_id)
        if chosen is None:
            for _code, cells in dummies:
                cells.append(None)
        else:
            for code, cells in dummies:
                cells.append(1 if code in chosen else 0)

    return fill


def _coded_filler(item_id: str, values: dict, cells: list):
    """Return a filler writing the number (or missing code) of an item's answer code."""
    get = values.get

    def fill(answers: dict) -> None:
        code = answers.get(item_id)
        cells.append(None if code is None else get(code))

    return fill


def _text_filler(item_id: str, cells: list):
    """Return a filler writing an item's text answer."""

    def fill(answers: dict) -> None:
        cells.append(answers.get(item_id))

    return fill


def _number_filler(item_id: str, specials: dict, cells: list):
    """Return a filler writing a number, or the missing code of a special answer."""

    def fill(answers: dict) -> None:
        value = answers.get(item_id)
        if isinstance(value, str):
            value = specials.get(value, float(value) if NUMBER.match(value) else None)
        cells.append(value)

    return fill


def table_columns(variables: list[Variable], rows, fmt: str, lang: str) -> list[Column]:
    """Return the columns of a plain table (codebook, estimates) filled from its rows."""
    names = Names()
    columns = [_plain_column(names(v.name), v, fmt, lang) for v in variables]
    cells = [column.cells for column in columns]
    for row in rows:
        for target, value in zip(cells, row, strict=True):
            target.append(None if value == "" else value)
    return columns


def write(path, columns: list[Column], fmt: str, file_label: str = "") -> None:
    """Write the filled columns to a .sav or .dta file at path."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    if not available():
        raise StatsUnavailable()
    import pandas as pd
    import pyreadstat

    frame = pd.DataFrame({c.name: _series(pd, c, fmt) for c in columns}, copy=False)
    labels = {c.name: c.label or None for c in columns}
    value_labels = {c.name: c.values for c in columns if c.values and c.kind == "coded"}
    value_labels |= {c.name: c.values for c in columns if c.values and c.kind == "number"}
    if fmt == "sav":
        pyreadstat.write_sav(
            frame,
            str(path),
            file_label=cut_bytes(file_label, 64),
            row_compress=True,  # SPSS's own default: a third of the size, 10% more time
            column_labels=labels,
            variable_value_labels=value_labels,
            missing_ranges={c.name: _spss_missing(c) for c in columns if c.missing},
            variable_measure={c.name: c.measure for c in columns},
            variable_format=_spss_formats(columns),
        )
    else:
        pyreadstat.write_dta(
            frame,
            str(path),
            file_label=file_label[:80],
            column_labels=labels,
            version=STATA_VERSION,
            variable_value_labels={k: v for k, v in value_labels.items() if _integers(frame[k])},
            missing_user_values={
                c.name: sorted(set(c.missing.values())) for c in columns if c.missing
            },
        )


def _series(pd, column: Column, fmt: str):
    """Return the pandas column of one variable, typed for the format."""
    cells = column.cells
    if column.kind == "text":
        return pd.Series(["" if v is None else str(v) for v in cells], dtype=object)
    if column.kind == "datetime":
        parsed = pd.to_datetime(pd.Series(cells, dtype=object), utc=True, format="ISO8601")
        return parsed.dt.tz_localize(None)
    if column.kind == "date":
        return pd.Series(_dates(cells), dtype=object)
    if fmt == "dta" and column.missing and any(type(v) is str for v in cells):
        # Stata's extended missing values go in as letters beside the numbers; pyreadstat
        # reads the column as integers or doubles only when every number is of one type.
        if any(type(v) is float for v in cells):
            cells = [float(v) if type(v) is int else v for v in cells]
        return pd.Series(cells, dtype=object)
    whole = column.kind == "coded" or all(v is None or type(v) is int for v in cells)
    try:
        if fmt == "dta" and whole and _fits_int32(cells):
            return pd.Series(cells, dtype="Int32")
        return pd.Series(cells, dtype="float64")
    except (TypeError, ValueError):  # a table column that is not numeric after all
        column.kind = "text"
        return _series(pd, column, fmt)


def _fits_int32(cells: list) -> bool:
    """Tell whether every integer fits Stata's long (a 32-bit integer)."""
    numbers = [v for v in cells if v is not None]
    return not numbers or (min(numbers) >= -(2**31) + 1 and max(numbers) <= 2_147_483_620)


def _dates(cells: list) -> list:
    """Return ISO dates as date objects (None stays None)."""
    return [date.fromisoformat(v) if isinstance(v, str) and v else None for v in cells]


def _integers(series) -> bool:
    """Tell whether a column holds only integers (or missing values): Stata's rule for labels."""
    return str(series.dtype) in ("Int32", "object")


def _spss_missing(column: Column) -> list:
    """Return SPSS user-missing declarations: up to three codes, else one range."""
    codes = sorted(set(column.missing.values()))
    if len(codes) <= 3:
        return codes
    return [{"lo": codes[0], "hi": codes[-1]}]


def _spss_formats(columns: list[Column]) -> dict[str, str]:
    """Return print formats: integers without decimals, decimals with theirs, dummies narrow."""
    formats = {}
    for column in columns:
        if column.kind == "coded":
            widest = max((len(str(int(v))) for v in column.values), default=1)
            formats[column.name] = f"F{max(widest, 1) + 1}.0"
        elif column.kind == "number" and column.places:
            formats[column.name] = f"F{14 + column.places}.{column.places}"
        elif column.kind == "number":
            if all(v is None or isinstance(v, int) for v in column.cells):
                formats[column.name] = "F12.0"
    return formats

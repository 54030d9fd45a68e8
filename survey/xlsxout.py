"""Excel workbooks for analysts: typed cells, no formulas, a codebook sheet, memory kept flat.

Written with XlsxWriter in constant-memory mode, chosen over openpyxl's write-only mode by
measurement (bench/export_formats.py: about twice the rows per second at half the memory).
Each row goes to disk as soon as the next one starts, so memory does not grow with the rows.

Cells follow the column's kind (``survey.variables``): text is written with ``write_string``
whatever it looks like, so a ward ``00004`` keeps its zeros and a text starting with ``=``,
``+``, ``-`` or ``@`` is stored as text, never as a formula (no cell of these files is a
formula); numbers with ``write_number``; timestamps and dates with ``write_datetime`` and a
date format. Empty cells stay empty. The header row is frozen and filterable, and each
column is as wide as its header and first rows need, up to a limit.

A sheet holds at most 1,048,576 rows (Excel's specification, header included): a longer export
is refused before anything is written, with ``TooManyRows``.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from itertools import islice

import xlsxwriter

from survey.csvout import NUMBER
from survey.variables import Variable

MAX_ROWS = 1_048_576  # Excel's rows per sheet ("Excel specifications and limits"), header included
MAX_CHARS = 32_767  # Excel's characters per cell: longer text would be cut by the writer
# Rows looked at to size the columns: enough to see typical cells, few enough to keep in memory.
WIDTH_SAMPLE = 200
MAX_WIDTH = 60  # characters: wider columns push the rest of the sheet off screen
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
DATE_FORMAT = "yyyy-mm-dd"


class TooManyRows(ValueError):
    """An export longer than an Excel sheet can hold."""

    def __init__(self, rows: int | None, limit: int):
        self.rows, self.limit = rows, limit
        super().__init__(f"{rows} rows, more than the {limit} an Excel sheet holds")


def data_rows_limit() -> int:
    """Return how many data rows fit in one sheet below its header."""
    return MAX_ROWS - 1


def check_rows(count: int) -> None:
    """Raise TooManyRows when count data rows do not fit in one sheet."""
    if count > data_rows_limit():
        raise TooManyRows(count, data_rows_limit())


def write(
    path,
    variables: list[Variable],
    rows,
    sheet: str = "data",
    codebook: list[list] | None = None,
    count: int | None = None,
    codebook_name: str = "codebook",
) -> int:
    """Write the rows to an xlsx file at path (and a codebook sheet); return the rows written.

    ``count`` (the rows expected) is checked against the sheet limit before anything is
    written; without it the limit is checked as rows come and the file is left incomplete.
    """
    if count is not None:
        check_rows(count)
    options = {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    workbook = xlsxwriter.Workbook(str(path), options)
    # Only allows ZIP64: zipfile uses it for a member over 4 GB alone, which a full sheet of a
    # longer questionnaire could reach (the core one: about 1.5 kB a row, 1.6 GB for a sheet).
    workbook.use_zip64()
    try:
        written = _data_sheet(workbook, sheet, variables, rows)
        if codebook is not None:
            _sheet_of_text(workbook, codebook_name, codebook)
    finally:
        workbook.close()
    return written


def _data_sheet(workbook, name: str, variables: list[Variable], rows) -> int:
    """Write the header and rows of the data sheet; return the rows written."""
    sheet = workbook.add_worksheet(name)
    header_format = workbook.add_format({"bold": True})
    formats = {
        "datetime": workbook.add_format({"num_format": DATETIME_FORMAT}),
        "date": workbook.add_format({"num_format": DATE_FORMAT}),
    }
    rows = iter(rows)
    sample = list(islice(rows, WIDTH_SAMPLE))
    _size_columns(sheet, variables, sample)
    for col, variable in enumerate(variables):
        sheet.write_string(0, col, variable.name, header_format)
    sheet.freeze_panes(1, 0)
    writers = [
        _writer(sheet, variable.kind, formats, _places_format(workbook, variable))
        for variable in variables
    ]
    limit = data_rows_limit()
    number = 0
    for number, row in enumerate(_chain(sample, rows), 1):
        if number > limit:
            raise TooManyRows(None, limit)
        for col, value in enumerate(row):
            if value is not None and value != "":
                writers[col](number, col, value)
    sheet.autofilter(0, 0, max(number, 1), len(variables) - 1)
    return number


def _chain(first: list, rest):
    """Yield the sampled rows, then the others."""
    yield from first
    yield from rest


def _places_format(workbook, variable: Variable):
    """Return the number format of a decimal item's column (its declared places), else None.

    Without it Excel shows an answer of 3.00 kilometres as 3 and 2.50 as 2.5: the places the
    questionnaire asked for are part of the answer.
    """
    item = variable.item
    if item is None or item.type != "decimal" or not item.decimals:
        return None
    return workbook.add_format({"num_format": "0." + "0" * item.decimals})


def _writer(sheet, kind: str, formats: dict, places=None):
    """Return the function that writes one cell of a column of this kind."""
    write_string, write_number = sheet.write_string, sheet.write_number
    if places is not None:

        def write_number(row, col, value):
            sheet.write_number(row, col, value, places)

    def text(row, col, value):
        if type(value) is not str:
            value = _plain(value)
        write_string(row, col, value[:MAX_CHARS])

    def number(row, col, value):
        kind_of = type(value)
        if kind_of is int or kind_of is float:
            if math.isfinite(value):
                write_number(row, col, value)
        elif kind_of is bool:
            write_number(row, col, int(value))
        elif kind_of is str and NUMBER.match(value):
            whole = value.lstrip("+-").isdigit()
            write_number(row, col, int(value) if whole else float(value))
        else:
            text(row, col, value)

    def moment(row, col, value):
        parsed = _moment(value, kind)
        if parsed is None:
            text(row, col, value)
        else:
            sheet.write_datetime(row, col, parsed, formats[kind])

    return {"text": text, "number": number, "datetime": moment, "date": moment}[kind]


def _plain(value) -> str:
    """Return a non-text cell as text (numbers as Python writes them)."""
    return "true" if value is True else "false" if value is False else str(value)


def _moment(value, kind: str):
    """Return a timestamp as a naive UTC datetime, a date as a date; None if not one."""
    if isinstance(value, datetime | date):
        parsed = value
    else:
        try:
            parsed = (datetime if kind == "datetime" else date).fromisoformat(value)
        except (TypeError, ValueError):
            return None
    if isinstance(parsed, datetime) and parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def _size_columns(sheet, variables: list[Variable], sample: list) -> None:
    """Set each column's width from its header and the sampled cells."""
    for col, variable in enumerate(variables):
        widest = len(variable.name)
        if variable.kind == "datetime":
            widest = max(widest, len(DATETIME_FORMAT))
        elif variable.kind == "date":
            widest = max(widest, len(DATE_FORMAT))
        else:
            for row in sample:
                value = row[col]
                if value is not None:
                    widest = max(widest, len(value if type(value) is str else _plain(value)))
        sheet.set_column(col, col, min(widest, MAX_WIDTH) + 2)


def _sheet_of_text(workbook, name: str, rows: list[list]) -> None:
    """Write a small sheet whose first row is a header: text as text, numbers as numbers."""
    sheet = workbook.add_worksheet(name)
    header_format = workbook.add_format({"bold": True})
    widths = [0] * len(rows[0])
    for row_number, row in enumerate(rows):
        for col, value in enumerate(row):
            if value is None or value == "":
                continue
            if type(value) is int or type(value) is float:
                sheet.write_number(row_number, col, value)
            else:
                value = str(value)[:MAX_CHARS]
                style = header_format if row_number == 0 else None
                sheet.write_string(row_number, col, value, style)
            widths[col] = max(widths[col], len(str(value)))
    for col, width in enumerate(widths):
        sheet.set_column(col, col, min(width, MAX_WIDTH) + 2)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, len(rows) - 1, len(rows[0]) - 1)

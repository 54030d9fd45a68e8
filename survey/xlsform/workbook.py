"""Open an XLSForm workbook safely and read its sheets as rows of text keyed by column name.

The file is checked before openpyxl parses it: its size, that it is a zip (an .xlsx file is
one), and how much it would unpack to (a small file can inflate to gigabytes). Sheet and
column names are matched case-insensitively, as pyxform does; cells become NFC text.
"""

from __future__ import annotations

import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

# A province's module is a few dozen rows (a few tens of KB); the whole PAPI questionnaire
# exported as XLSForm is under 60 KB. 2 MB leaves room for long labels and formatting.
MAX_BYTES = 2 * 1024 * 1024
# What the workbook may unpack to; text compresses about tenfold in an .xlsx.
MAX_UNPACKED_BYTES = 40 * 1024 * 1024
# Rows read from one sheet; far above any questionnaire a citizen can answer.
MAX_ROWS = 2000


@dataclass(frozen=True)
class Problem:
    """One reason a form cannot be imported, with where it is (sheet, row, column)."""

    sheet: str | None
    row: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        place = [part for part in (self.sheet, self.row and f"row {self.row}") if part]
        where = " ".join(str(part) for part in place)
        if self.column:
            where = f"{where}, column {self.column}" if where else f"column {self.column}"
        return f"{where}: {self.reason}" if where else self.reason


class FormRefused(Exception):
    """The form cannot be imported; ``problems`` lists every reason found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass
class Sheet:
    """A sheet's column names (as written, lower-cased) and its non-empty rows."""

    name: str
    headers: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)

    def used(self, column: str) -> list[int]:
        """Return the row numbers where a column has a value."""
        return [number for number, row in self.rows if row.get(column)]


def check_file(path: Path) -> None:
    """Refuse a file that is not an .xlsx workbook of a sensible size, before parsing it."""
    name = path.name
    if path.suffix.lower() != ".xlsx":
        old_format = path.suffix.lower() in (".xls", ".ods")
        hint = " (save it as Excel Workbook .xlsx)" if old_format else ""
        raise FormRefused([Problem(None, None, None, f"{name} is not an .xlsx file{hint}")])
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise FormRefused([Problem(None, None, None, f"{name} cannot be read: {exc}")]) from exc
    if size > MAX_BYTES:
        reason = f"{name} is {size:,} bytes; an XLSForm module is at most {MAX_BYTES:,}"
        raise FormRefused([Problem(None, None, None, reason)])
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        reason = f"{name} is not an Excel workbook (an .xlsx file is a zip archive)"
        raise FormRefused([Problem(None, None, None, reason)]) from None
    if unpacked > MAX_UNPACKED_BYTES:
        reason = f"{name} would unpack to {unpacked:,} bytes; at most {MAX_UNPACKED_BYTES:,}"
        raise FormRefused([Problem(None, None, None, reason)])


def read_sheets(path: Path) -> dict[str, Sheet]:
    """Return the workbook's sheets by lower-cased name (check_file first)."""
    check_file(path)
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it ignores; they change no value.
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 (openpyxl raises many kinds on a broken file)
        reason = f"{path.name} cannot be opened as a workbook ({type(exc).__name__})"
        raise FormRefused([Problem(None, None, None, reason)]) from None
    try:
        return {ws.title.strip().lower(): _read(ws) for ws in book.worksheets}
    finally:
        book.close()


def _read(ws) -> Sheet:
    """Read one worksheet: the first row names the columns."""
    name = ws.title.strip().lower()
    rows = ws.iter_rows(values_only=True)
    first = next(rows, None) or ()
    headers = [text(cell).lower() for cell in first]
    sheet = Sheet(name, headers)
    for number, values in enumerate(rows, start=2):
        row = {h: text(v) for h, v in zip(headers, values, strict=False) if h and text(v)}
        if row:
            sheet.rows.append((number, row))
        if len(sheet.rows) > MAX_ROWS:
            reason = f"the sheet has more than {MAX_ROWS} rows"
            raise FormRefused([Problem(name, number, None, reason)])
    return sheet


def text(value) -> str:
    """Return a cell as NFC text: whole numbers without ".0", TRUE/FALSE as true/false."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).strip()

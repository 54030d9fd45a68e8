"""Every CSV the app writes: UTF-8, two dialects, formula cells neutralised, streamed.

Dialects:
- ``plain``: UTF-8 without byte-order mark, LF line ends (R, Stata, pandas, git diffs).
- ``excel``: UTF-8 with a byte-order mark and CRLF line ends, so that Excel on Windows opens
  Vietnamese text correctly by double-click.

CSV injection (OWASP): a text cell that begins with ``=``, ``+``, ``-``, ``@``, tab, carriage
return or line feed is written with a single quote in front, so that no spreadsheet runs it as a
formula. A cell that is a plain decimal number (``-0.05``, ``-3``, ``+7``, ``1e-05``), whether
written by us as a number or as a string, is left as it is. A text cell that itself begins with
a single quote gets one more, so that ``restore_text`` undoes the rule exactly and an import
reads back what was exported. Quotes, commas and line breaks inside cells are quoted by the
``csv`` module. Text is written NFC-normalised.

Memory stays flat however many rows: ``stream`` yields encoded chunks (for Flask's
``Response(stream_with_context(...))``) and ``write`` copies those chunks to a file.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from itertools import islice

BOM = "\ufeff"
DIALECTS = ("plain", "excel")
TRIGGERS = frozenset("=+-@\t\r\n")
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\Z")
# Rows per encoded chunk: about 100-300 kB for a responses export, few enough syscalls and
# HTTP chunks, small enough that memory stays flat.
CHUNK_ROWS = 1000


class _Plain(csv.excel):
    """Comma-separated, minimal quoting, LF line ends."""

    lineterminator = "\n"


class _Excel(csv.excel):
    """Comma-separated, minimal quoting, CRLF line ends."""

    lineterminator = "\r\n"


_CSV_DIALECTS = {"plain": _Plain, "excel": _Excel}


def check_dialect(dialect: str) -> str:
    """Return dialect if known; ValueError otherwise."""
    if dialect not in _CSV_DIALECTS:
        raise ValueError(f"unknown CSV dialect {dialect!r}; expected one of {DIALECTS}")
    return dialect


def safe_text(text: str) -> str:
    """Return a text cell NFC-normalised and neutralised against formula injection."""
    if not text:
        return text
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    first = text[0]
    if first == "'" or (first in TRIGGERS and not NUMBER.match(text)):
        return "'" + text
    return text


def restore_text(cell: str) -> str:
    """Undo safe_text's quote: return the text as it was before export."""
    return cell[1:] if cell.startswith("'") else cell


def safe_cell(value) -> str | int | float:
    """Return a cell ready for the csv writer: None empty, numbers as numbers, text safe."""
    if value is None:
        return ""
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    return safe_text(str(value))


_RISKY_FIRST = TRIGGERS | {"'"}


def safe_row(row: Iterable) -> list:
    """Return a row with every cell made safe by safe_cell."""
    # Same result as [safe_cell(v) for v in row], with the common cells (numbers, None,
    # ASCII text that starts harmlessly) settled inline: exports write millions of cells.
    out = []
    append = out.append
    for value in row:
        kind = type(value)
        if kind is str:
            if value and (value[0] in _RISKY_FIRST or not value.isascii()):
                value = safe_text(value)
        elif kind is not int and kind is not float:
            value = safe_cell(value)
        append(value)
    return out


def stream(
    header: Iterable | None,
    rows: Iterable[Iterable],
    dialect: str = "plain",
    prepared: bool = False,
    chunk_rows: int = CHUNK_ROWS,
) -> Iterator[bytes]:
    """Yield the CSV as UTF-8 chunks; `prepared` rows already went through safe_cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, _CSV_DIALECTS[check_dialect(dialect)])
    careful = _CarefulWriter(dialect)
    if dialect == "excel":
        buffer.write(BOM)
    if header is not None:
        careful.writerow(buffer, safe_row(header))
    rows = iter(rows)
    while True:
        batch = list(islice(rows, chunk_rows))
        if not prepared:
            batch = [safe_row(row) for row in batch]
        start = buffer.tell()
        writer.writerows(batch)
        if careful.needed and "\r" in buffer.getvalue()[start:]:
            buffer.seek(start)
            buffer.truncate()
            for row in batch:
                careful.writerow(buffer, row)
        data = buffer.getvalue()
        if data:
            buffer.seek(0)
            buffer.truncate()
            yield data.encode("utf-8")
        if len(batch) < chunk_rows:
            return


def row_texts(rows: Iterable[list], dialect: str = "plain") -> Iterator[str]:
    """Yield each prepared row's CSV text without its line end, as ``stream`` writes it."""
    end = len(_CSV_DIALECTS[check_dialect(dialect)].lineterminator)
    for row in rows:
        text = b"".join(stream(None, [row], dialect, prepared=True)).decode("utf-8")
        yield text.removeprefix(BOM)[:-end]


def cells_text(cells: list) -> str:
    """Return prepared cells as one CSV text, quoted as ``stream`` quotes them in any dialect."""
    # Both dialects end up quoting a cell with a comma, a quote, CR or LF (see _CarefulWriter).
    # A leading empty cell keeps a lone empty cell from being written as "".
    buffer = io.StringIO()
    csv.writer(buffer, _Excel).writerow(["", *cells])
    return buffer.getvalue()[1:-2]


class _CarefulWriter:
    """Write rows whose cells hold a carriage return, which LF-only csv writers leave unquoted.

    Python's csv module quotes a cell for the characters of its own line terminator only, so
    the plain dialect would leave a bare CR unquoted and readers would split the row there. Such
    rows are written with a CRLF writer (which quotes CR and LF) and given back their LF end.
    """

    def __init__(self, dialect: str):
        self.needed = _CSV_DIALECTS[dialect].lineterminator == "\n"
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, _Excel)

    def writerow(self, out: io.StringIO, row: list) -> None:
        """Append one row to out, quoting CR and LF inside cells."""
        if not self.needed:
            csv.writer(out, _Excel).writerow(row)
            return
        self.writer.writerow(row)
        out.write(self.buffer.getvalue()[:-2] + "\n")
        self.buffer.seek(0)
        self.buffer.truncate()


def write(
    target, header: Iterable | None, rows: Iterable[Iterable], dialect: str = "plain", **options
) -> int:
    """Write the CSV to a path or binary file object; return the number of bytes written."""
    if isinstance(target, str | bytes) or hasattr(target, "__fspath__"):
        with open(target, "wb") as out:
            return write(out, header, rows, dialect, **options)
    size = 0
    for chunk in stream(header, rows, dialect, **options):
        target.write(chunk)
        size += len(chunk)
    return size


def to_bytes(header: Iterable | None, rows: Iterable[Iterable], dialect: str = "plain") -> bytes:
    """Return a small CSV as bytes (tests, short downloads)."""
    return b"".join(stream(header, rows, dialect))


def reader(binary) -> Iterator[list[str]]:
    """Read a UTF-8 CSV (byte-order mark optional, LF or CRLF) from a binary file object.

    Cells are returned as written: call restore_text on text cells to undo neutralisation.
    """
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
    return csv.reader(text, strict=True)

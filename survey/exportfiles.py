"""Write the responses, codebook and estimates exports as xlsx, sav or dta files.

CSV keeps its own streamed path (``survey.exports``, ``survey.csvout``), unchanged and the
default. These formats are written to a file (the writers need to seek or hold the rows),
under the same filters: every function here takes what the CSV export takes. Files are
written beside their destination and moved into place whole, so a refused or failed export
never leaves half a file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from survey import exports, statout, variables, xlsxout
from survey.questionnaire import Questionnaire

FORMATS = ("csv", "xlsx", "sav", "dta")
FILE_FORMATS = ("xlsx", "sav", "dta")
MIMETYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sav": "application/x-spss-sav",
    "dta": "application/x-stata-dta",
}
CODEBOOK_SHEET_HEADER = [
    "variable", "type", "label_vi", "label_en", "value", "value_label_vi", "value_label_en",
    "missing",
]  # fmt: skip


def check_format(fmt: str) -> None:
    """Raise ValueError for an unknown format, StatsUnavailable when pyreadstat is missing."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    if fmt in statout.FORMATS and not statout.available():
        raise statout.StatsUnavailable()


def write_responses(
    db, path, fmt: str, filters: exports.Filters | None = None, labels: str | None = None
) -> int:
    """Write the responses export for the filters to path; return the responses written.

    xlsx: the CSV's columns with typed cells (labels replace codes when asked) and a codebook
    sheet; sav and dta: one numeric variable per coded item, labels in ``labels`` (default vi).
    Raises xlsxout.TooManyRows before writing when the rows do not fit in a sheet.
    """
    check_format(fmt)
    filters = filters or exports.Filters()
    if labels not in exports.LABELS:
        raise exports.ExportError(f"unknown labels {labels!r}: use vi or en")
    questionnaire = exports.export_questionnaire(filters)
    described = variables.response_variables(questionnaire)
    if fmt == "xlsx":
        count = exports.count_responses(db, filters)
        xlsxout.check_rows(count)
        table = exports.export_responses(db, filters, labels, raw=True)
        sheet = codebook_sheet(described)
        return _atomic(path, lambda tmp: xlsxout.write(tmp, described, table.rows, "responses",
                                                       sheet, count))  # fmt: skip
    questionnaire, records = exports.export_answers(db, filters)
    base = described[: len(exports.BASE_COLUMNS)]
    columns, fill = statout.response_columns(questionnaire, base, fmt, labels or "vi")
    count = 0
    for cells, answers in records:
        fill(cells, answers)
        count += 1
    label = f"{questionnaire.id} v{questionnaire.version}"
    _atomic(path, lambda tmp: statout.write(tmp, columns, fmt, label))
    return count


def write_codebook(questionnaire: Questionnaire, path, fmt: str, labels: str | None = None) -> int:
    """Write the codebook of a questionnaire version to path; return its rows."""
    check_format(fmt)
    described = variables.codebook_variables()
    rows = list(exports.export_codebook(questionnaire, raw=True).rows)
    if fmt == "xlsx":
        sheet = codebook_sheet(described)
        _atomic(path, lambda tmp: xlsxout.write(tmp, described, rows, "codebook", sheet,
                                                len(rows), codebook_name="variables"))  # fmt: skip
    else:
        columns = statout.table_columns(described, rows, fmt, labels or "vi")
        label = f"codebook {questionnaire.id} v{questionnaire.version}"
        _atomic(path, lambda tmp: statout.write(tmp, columns, fmt, label))
    return len(rows)


def write_estimates(rows, path, fmt: str, labels: str | None = None) -> int:
    """Write estimate rows (``estimates.COLUMNS`` order) to path; return the rows written."""
    check_format(fmt)
    described = variables.estimate_variables()
    if fmt == "xlsx":
        sheet = codebook_sheet(described)
        return _atomic(path, lambda tmp: xlsxout.write(tmp, described, rows, "estimates", sheet))
    columns = statout.table_columns(described, rows, fmt, labels or "vi")
    _atomic(path, lambda tmp: statout.write(tmp, columns, fmt, "estimates"))
    return len(columns[0].cells) if columns else 0


def codebook_sheet(described: list[variables.Variable]) -> list[list]:
    """Return the rows of a codebook sheet: each variable, then each of its values."""
    rows = [list(CODEBOOK_SHEET_HEADER)]
    for variable in described:
        item = variable.item
        kind = item.type if item is not None else variable.kind
        rows.append([variable.name, kind, variable.label_vi, variable.label_en, None, None, None,
                     None])  # fmt: skip
        if item is None:
            continue
        for option in item.options + item.special:
            missing = "yes" if option.special else None
            rows.append([variable.name, None, None, None, option.code, option.vi, option.en,
                         missing])  # fmt: skip
    return rows


def _atomic(path, write):
    """Call write(temporary path) beside path, then move the file to path; return its result."""
    target = Path(path)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".part", dir=target.parent or "."
    )
    os.close(handle)
    try:
        result = write(temporary)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return result

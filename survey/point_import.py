"""Bulk creation of collection points from a CSV file: check every line, write all or nothing.

The file has a header row with ``ward_code`` and ``name`` and optionally ``kind`` and
``address``; commas or semicolons (Excel's choice in some locales). Problems are returned as
codes with parameters, for the web layer to translate. Storage functions take ``db`` first.
"""

import csv
import io
from dataclasses import dataclass, field

from sqlite_utils import Database

from survey import access, points
from survey.db import immediate
from survey.domain_errors import DomainError, require

REQUIRED_COLUMNS = ("ward_code", "name")
OPTIONAL_COLUMNS = ("kind", "address")
# The largest province has 168 units; a whole-country file has 3,321 wards.
MAX_ROWS = 4000
MAX_BYTES = 1024 * 1024
# The checks of one point's fields live in survey.points (the staff pages and the command line
# use them too); these names stay for the callers that read them from here.
NAME_MAX = points.NAME_MAX
ADDRESS_MAX = points.ADDRESS_MAX
text_problem = points.text_problem
clean = points.clean


@dataclass
class Report:
    """What a check found: a file-level problem, or accepted and rejected lines."""

    problem: tuple[str, dict] | None = None
    accepted: list[dict] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Return True when the whole file can be imported."""
        return self.problem is None and not self.rejected and bool(self.accepted)


class ImportRefused(DomainError):
    """The file cannot be imported; ``report`` says why (file problem or rejected lines)."""

    def __init__(self, report: Report):
        super().__init__(report.problem[0] if report.problem else "rejected_lines")
        self.report = report


def decode(data: bytes) -> str | None:
    """Return the file's text if it is UTF-8 (with or without BOM) and not binary, else None."""
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def import_file(db: Database, actor: dict | None, data: bytes, allowed_wards=None) -> list[dict]:
    """Check a CSV file and create all its points in one transaction, audit-logged; return them.

    ``allowed_wards`` is the set of ward codes the actor manages, for the report to name the
    lines outside them (None: every ward). Each line is created by ``points.create``, which
    refuses a ward outside the actor's area whatever the caller passed. Raises Refused for a
    role that may not import, ImportRefused with the report when any line or the file is wrong.
    """
    require(access.can(actor, "import_points"))
    if len(data) > MAX_BYTES:
        raise ImportRefused(Report(problem=("too_large", {"limit": MAX_BYTES})))
    with immediate(db):
        report = check_file(db, data, allowed_wards)
        if not report.ok:
            raise ImportRefused(report)
        return import_points(db, report, actor)


def check_file(db: Database, data: bytes, allowed_wards: set[str] | None) -> Report:
    """Check a CSV upload line by line against the units, the user's wards and existing points."""
    text = decode(data)
    if text is None:
        return Report(problem=("not_utf8", {}))
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        return Report(problem=("empty", {}))
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [name.strip().lower() for name in next(reader)]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        return Report(problem=("missing_columns", {"columns": ", ".join(missing)}))
    rows = [
        (number, row) for number, row in enumerate(reader, start=2) if any(c.strip() for c in row)
    ]
    if not rows:
        return Report(problem=("empty", {}))
    if len(rows) > MAX_ROWS:
        return Report(problem=("too_many_rows", {"limit": MAX_ROWS}))
    known = _known_wards(db, {_ward_code(row, header) for _, row in rows})
    existing = points.names_by_ward(db, known)
    allowed_wards = known if allowed_wards is None else allowed_wards
    report, seen = Report(), {}
    for number, row in rows:
        line = _check_line(number, row, header, known, allowed_wards, existing, seen)
        (report.rejected if "reason" in line else report.accepted).append(line)
    return report


def _ward_code(row: list[str], header: list[str]) -> str:
    """Return the row's ward code, zero-padded when a spreadsheet dropped the leading zeros."""
    index = header.index("ward_code")
    return points.ward_code(row[index] if index < len(row) else "")


def _known_wards(db: Database, codes: set[str]) -> set[str]:
    """Return the codes that are real wards."""
    codes = [code for code in codes if code]
    if not codes:
        return set()
    marks = ",".join("?" * len(codes))
    return {
        row[0]
        for row in db.execute(f"SELECT code FROM wards WHERE code IN ({marks})", codes).fetchall()
    }


def _check_line(number, row, header, known, allowed, existing, seen) -> dict:
    """Return the line's values, with ``reason`` and ``params`` when it cannot be imported."""
    values = {
        name: clean(row[i]) if i < len(row) else ""
        for i, name in enumerate(header)
        if name in REQUIRED_COLUMNS + OPTIONAL_COLUMNS
    }
    line = {
        "line": number,
        "ward_code": _ward_code(row, header),
        "name": values.get("name", ""),
        "kind": values.get("kind", "").lower() or "one_stop",
        "address": values.get("address", ""),
    }

    def reject(reason, **params):
        return line | {"reason": reason, "params": params}

    if any(cell.strip() for cell in row[len(header) :]):
        return reject("extra_fields")
    if line["ward_code"] not in known:
        return reject("unknown_ward", code=line["ward_code"])
    if line["ward_code"] not in allowed:
        return reject("out_of_scope", code=line["ward_code"])
    try:
        points.checked_fields(line["name"], line["kind"], line["address"])
    except points.PointError as exc:
        return reject(exc.code, **exc.params)
    key = (line["ward_code"], line["name"].casefold())
    if key in seen:
        return reject("duplicate_in_file", first=seen[key])
    seen[key] = number
    if key in existing:
        return reject("already_exists")
    return line


def import_points(db: Database, report: Report, actor: dict | None) -> list[dict]:
    """Create every accepted point of a fully valid report in one transaction, with audit rows.

    Each line goes through ``points.create``, the staff page's and the command line's operation.
    """
    if not report.ok:
        raise ValueError("only a report without rejected lines can be imported")
    with immediate(db):
        return [
            points.create(
                db, actor, line["ward_code"], line["name"], line["kind"], line["address"], via="csv"
            )
            for line in report.accepted
        ]

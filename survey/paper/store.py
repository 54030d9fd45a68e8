"""Form numbers reserved when printing, and paper forms entered against them (storage, no Flask).

Printing N forms for a point reserves N consecutive numbers after the highest one the point
has used, in one write transaction, so two staff printing at once never get the same number.
Each reserved form keeps the modules printed on it: all of them, or the rotating modules drawn
for that form as a respondent online would get them (the draw counts in the rotation balance,
whether or not the form comes back). A form printed without a point (a blank one, numbered by
hand) is recorded when it is entered. Entering a form stores the response, marks the number
as entered by the staff account that typed it, and writes the audit row, in one transaction:
a number already entered is refused.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlite_utils import Database

from survey import audit, points, responses
from survey.db import immediate
from survey.domain_errors import DomainError
from survey.points import now_iso

from . import layout

# One reservation prints at most this many forms: a day's queue at a busy counter is about 100,
# and a mistyped 5000 should not reserve (and draw modules for) thousands of numbers.
MAX_COPIES = 500


class FormTaken(DomainError):
    """The form number was already entered for this point."""

    def __init__(self, number: int, entered_at: str):
        super().__init__("form_taken", number=number, entered_at=entered_at)
        self.number, self.entered_at = number, entered_at
        self.args = (f"form {number} was already entered at {entered_at}",)


@dataclass(frozen=True)
class PaperForm:
    """A reserved or entered form number of a point."""

    point_id: int
    number: int
    questionnaire_id: str
    questionnaire_version: int
    modules: tuple[str, ...]
    drawn: bool
    printed_at: str | None
    response_id: str | None
    entered_at: str | None


def _form(row: dict) -> PaperForm:
    """Return a paper_forms row as a PaperForm."""
    return PaperForm(
        row["point_id"],
        row["form_number"],
        row["questionnaire_id"],
        row["questionnaire_version"],
        tuple(json.loads(row["modules"])),
        bool(row["drawn"]),
        row["printed_at"],
        row["response_id"],
        row["entered_at"],
    )


def reserve(
    db: Database, point_id: int, questionnaire, copies: int, drawn: bool, user: dict | None
) -> list[PaperForm]:
    """Reserve copies consecutive form numbers for a point, drawing modules if asked; audited.

    ``user`` None is the command line; a user must be allowed to change the point
    (points.editable: PointError or Refused).
    """
    if not 1 <= copies <= MAX_COPIES:
        raise DomainError("bad_copies", limit=MAX_COPIES)
    stamp = now_iso()
    with immediate(db):
        points.editable(db, user, point_id)
        first = next_number(db, point_id)
        rows = []
        for number in range(first, first + copies):
            if drawn:
                modules = responses.assign_modules(db, questionnaire)
            else:
                modules = list(layout.all_modules(questionnaire))
            rows.append(
                (point_id, number, questionnaire.id, questionnaire.version, json.dumps(modules),
                 int(drawn), stamp, user["id"] if user else None)
            )  # fmt: skip
        db.conn.executemany(
            "INSERT INTO paper_forms (point_id, form_number, questionnaire_id,"
            " questionnaire_version, modules, drawn, printed_at, printed_by)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        detail = {
            "first": first,
            "last": first + copies - 1,
            "modules": "drawn" if drawn else "all",
            "questionnaire": f"{questionnaire.id}:{questionnaire.version}",
        }
        audit.record(db, user, "print_paper_forms", "point", point_id, detail)
    return forms_between(db, point_id, first, first + copies - 1)


def next_number(db: Database, point_id: int) -> int:
    """Return the number after the highest form number the point has used."""
    row = db.execute(
        "SELECT max(form_number) FROM paper_forms WHERE point_id = ?", [point_id]
    ).fetchone()
    return (row[0] or 0) + 1


def get_form(db: Database, point_id: int, number: int) -> PaperForm | None:
    """Return the point's form with this number, or None if it was never printed nor entered."""
    rows = list(
        db.query(
            "SELECT * FROM paper_forms WHERE point_id = ? AND form_number = ?", [point_id, number]
        )
    )
    return _form(rows[0]) if rows else None


def forms_between(db: Database, point_id: int, first: int, last: int) -> list[PaperForm]:
    """Return the point's forms numbered first to last, in order."""
    rows = db.query(
        "SELECT * FROM paper_forms WHERE point_id = ? AND form_number BETWEEN ? AND ?"
        " ORDER BY form_number",
        [point_id, first, last],
    )
    return [_form(row) for row in rows]


def batches(db: Database, point_id: int) -> list[dict]:
    """Return the point's printings, newest first: first, last, when, modules, how many entered."""
    return list(
        db.query(
            "SELECT min(form_number) AS first, max(form_number) AS last, printed_at,"
            " max(drawn) AS drawn, count(*) AS forms, count(response_id) AS entered"
            " FROM paper_forms WHERE point_id = ? AND printed_at IS NOT NULL"
            " GROUP BY printed_at, printed_by ORDER BY printed_at DESC, first DESC",
            [point_id],
        )
    )


def next_to_enter(db: Database, point_id: int, after: int = 0) -> int | None:
    """Return the lowest printed form number above after that is not entered yet, or None."""
    row = db.execute(
        "SELECT min(form_number) FROM paper_forms WHERE point_id = ? AND form_number > ?"
        " AND response_id IS NULL AND printed_at IS NOT NULL",
        [point_id, after],
    ).fetchone()
    return row[0]


def entered_count(db: Database, point_id: int) -> int:
    """Return how many paper forms of the point have been entered."""
    return db.execute(
        "SELECT count(*) FROM paper_forms WHERE point_id = ? AND response_id IS NOT NULL",
        [point_id],
    ).fetchone()[0]


def enter(db: Database, number: int, record: dict, user: dict | None) -> str:
    """Store one entered paper form as a response (mode paper) with its audit row.

    Raises FormTaken, or PointError / Refused when the user may not enter the point's forms.
    """
    point_id = record["point_id"]
    with immediate(db):
        points.editable(db, user, point_id)
        found = get_form(db, point_id, number)
        if found is not None and found.response_id is not None:
            raise FormTaken(number, found.entered_at)
        if found is None:  # a blank form, numbered by hand: it holds every module
            db.execute(
                "INSERT INTO paper_forms (point_id, form_number, questionnaire_id,"
                " questionnaire_version, modules, drawn) VALUES (?, ?, ?, ?, ?, 0)",
                [point_id, number, record["questionnaire_id"], record["questionnaire_version"],
                 json.dumps(record["modules"])],
            )  # fmt: skip
        responses.store_response(db, dict(record, mode="paper"))
        db.execute(
            "UPDATE paper_forms SET response_id = ?, entered_by = ?, entered_at = ?"
            " WHERE point_id = ? AND form_number = ?",
            [record["id"], user["id"] if user else None, now_iso(), point_id, number],
        )
        detail = {"point_id": point_id, "form_number": number, "flags": record.get("flags", [])}
        audit.record(db, user, "enter_paper_form", "response", record["id"], detail)
    return record["id"]

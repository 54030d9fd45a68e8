""" "We asked, you said, we did": ward staff's notes on what they changed, approved by the province.

Storage and domain code, no Flask. A note is tied to one of PAPI's eight dimensions (the level
the public page shows), says what people said and what the ward did, when and which unit
acted. Its texts are masked like every free text (survey/privacy.py) before they are stored,
so the approver reads the masked text and nothing else ever exists; they are plain text,
escaped wherever they are shown. Only an approved note is public. Every write is audit-logged
in its own transaction.
"""

import unicodedata
from datetime import date, datetime

from sqlite_utils import Database

from survey import access, audit, periods, photos, privacy, units
from survey.domain_errors import DomainError
from survey.points import now_iso
from survey.questionnaire import DIMENSIONS

TEXT_MAX = 400  # characters of "said" and "did": a few sentences, as on a notice board
UNIT_MAX = 120
DECISIONS = ("approved", "rejected")


class NoteError(DomainError):
    """A note that cannot be written or decided; ``code`` says why (the web layer words it)."""


def _clean(text: str, limit: int, code: str) -> str:
    """Return the text NFC-normalised, trimmed and masked; refuse it empty or too long."""
    text = unicodedata.normalize("NFC", (text or "").strip())
    if not text or len(text) > limit:
        raise NoteError(code)
    return privacy.mask(text)[0]


def write(
    db: Database,
    actor: dict | None,
    ward_code: str,
    dimension: str,
    said: str,
    did: str,
    acted_on: date,
    acting_unit: str,
    photo: bytes | None = None,
) -> dict:
    """Store a pending note, masked and audit-logged, with its photo cleaned; return the row."""
    ward = units.get_ward(db, ward_code)
    if ward is None or not access.can_write_note(actor, ward):
        raise NoteError("not_allowed")
    if dimension not in DIMENSIONS:
        raise NoteError("bad_dimension")
    said = _clean(said, TEXT_MAX, "bad_said")
    did = _clean(did, TEXT_MAX, "bad_did")
    acting_unit = _clean(acting_unit, UNIT_MAX, "bad_unit")
    if not isinstance(acted_on, date) or acted_on > datetime.now(periods.LOCAL_TZ).date():
        raise NoteError("bad_date")
    if photo is not None:
        try:
            photo = photos.clean(photo)
        except photos.PhotoError as exc:
            raise NoteError(f"photo_{exc.code}") from None
    with db.atomic():
        cursor = db.execute(
            "INSERT INTO ward_notes (ward_code, dimension, said, did, acted_on, acting_unit,"
            " written_by, written_at, photo) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                ward_code,
                dimension,
                said,
                did,
                acted_on.isoformat(),
                acting_unit,
                actor["username"] if actor else audit.CLI_USER,
                now_iso(),
                photo,
            ],
        )
        audit.record(db, actor, "write_note", "ward_note", cursor.lastrowid, {"ward": ward_code})
    return get_note(db, cursor.lastrowid)


def decide(db: Database, actor: dict | None, note_id: int, decision: str) -> dict:
    """Approve or reject a note, audit-logged; return the fresh row."""
    if decision not in DECISIONS:
        raise NoteError("bad_decision")
    with db.atomic():
        note = get_note(db, note_id)
        if note is None:
            raise NoteError("unknown_note")
        if not access.can_decide_note(actor, note):
            raise NoteError("not_allowed")
        db.execute(
            "UPDATE ward_notes SET status = ?, decided_by = ?, decided_at = ? WHERE id = ?",
            [decision, actor["username"] if actor else audit.CLI_USER, now_iso(), note_id],
        )
        details = {"from": note["status"]}
        if decision == "approved":
            audit.record(db, actor, "approve_note", "ward_note", note_id, details)
        else:
            audit.record(db, actor, "reject_note", "ward_note", note_id, details)
    return get_note(db, note_id)


_SELECT = (
    "SELECT n.id, n.ward_code, n.dimension, n.said, n.did, n.acted_on, n.acting_unit,"
    " n.written_by, n.written_at, n.status, n.decided_by, n.decided_at,"
    " n.photo IS NOT NULL AS has_photo, w.name AS ward_name, w.province_code FROM ward_notes n"
    " JOIN wards w ON w.code = n.ward_code"
)


def get_note(db: Database, note_id: int) -> dict | None:
    """Return one note with its ward's name and province, or None."""
    rows = list(db.query(_SELECT + " WHERE n.id = ?", [note_id]))
    return rows[0] if rows else None


def list_in_scope(db: Database, scope: tuple[str, list], limit: int = 200) -> list[dict]:
    """Return the notes of the wards in scope (``w`` conditions), pending first, newest first."""
    where, params = scope
    return list(
        db.query(
            _SELECT + f" WHERE ({where}) ORDER BY n.status <> 'pending', n.id DESC LIMIT ?",
            [*params, limit],
        )
    )


def approved(db: Database, ward_code: str) -> list[dict]:
    """Return the ward's approved notes, latest action first (what the public may read)."""
    return list(
        db.query(
            _SELECT + " WHERE n.ward_code = ? AND n.status = 'approved'"
            " ORDER BY n.acted_on DESC, n.id DESC",
            [ward_code],
        )
    )


def version(db: Database, ward_code: str) -> tuple:
    """Return a mark that changes whenever the ward's public notes change (for page copies)."""
    return tuple(
        db.execute(
            "SELECT count(*), max(decided_at), max(id) FROM ward_notes"
            " WHERE ward_code = ? AND status = 'approved'",
            [ward_code],
        ).fetchone()
    )


def photo(db: Database, note_id: int) -> bytes | None:
    """Return a note's photo whatever its state (for staff who may read the note), or None."""
    row = db.execute("SELECT photo FROM ward_notes WHERE id = ?", [note_id]).fetchone()
    return row[0] if row else None


def public_photo(db: Database, note_id: int) -> bytes | None:
    """Return the photo of an approved note, or None (pending, rejected or without photo)."""
    row = db.execute(
        "SELECT photo FROM ward_notes WHERE id = ? AND status = 'approved'", [note_id]
    ).fetchone()
    return row[0] if row and row[0] else None

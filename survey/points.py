"""Collection points and their public tokens (storage functions: ``db`` first, no Flask).

A token is 14 characters of Crockford's base32 (70 random bits): unguessable, easy to type
from a poster, and upper-case only, so that the whole survey URL can be written in capitals
and encoded in the QR code's compact alphanumeric mode.
"""

import secrets
import unicodedata
from datetime import UTC, datetime

from sqlite_utils import Database

from survey import access, audit
from survey.collation import sort_key
from survey.db import immediate
from survey.domain_errors import DomainError, require

TOKEN_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # noqa: S105 (not a secret)
TOKEN_LENGTH = 14
KINDS = ("one_stop", "reception", "community_hall", "outreach")
# What fits on a poster line at the smallest type the posters allow.
NAME_MAX = 120
ADDRESS_MAX = 200


class PointError(DomainError):
    """A point cannot be created or changed as asked; ``code`` names the reason."""


def now_iso() -> str:
    """Return the current UTC time as ISO 8601 with seconds."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def new_token() -> str:
    """Return a fresh random token."""
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))


def normalise_token(raw: str) -> str | None:
    """Return the canonical form of a typed token (case, O/0, I/L/1, dashes, spaces), or None."""
    # Posters print the token in dash-separated groups (ABCD-EFGH-JKMN-PQ): accept it as typed.
    token = raw.strip().upper().translate(str.maketrans("OIL", "011", "- \t"))
    if len(token) != TOKEN_LENGTH or any(ch not in TOKEN_ALPHABET for ch in token):
        return None
    return token


def clean(value: str) -> str:
    """Return text NFC-normalised with outer spaces removed."""
    return unicodedata.normalize("NFC", value).strip()


def text_problem(value: str, limit: int) -> str | None:
    """Return "control" for invisible control characters, "too_long" past limit, else None."""
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co") for ch in value):
        return "control"
    if len(value) > limit:
        return "too_long"
    return None


def ward_code(raw: str) -> str:
    """Return a typed ward code, zero-padded when a spreadsheet or a person dropped the zeros."""
    raw = raw.strip()
    return f"{int(raw):05d}" if raw.isascii() and raw.isdigit() and len(raw) <= 5 else raw


def checked_fields(name: str, kind: str, address: str) -> tuple[str, str]:
    """Return the cleaned name and address of a point, or raise PointError saying what is wrong."""
    name, address = clean(name or ""), clean(address or "")
    for column, value, limit in (("name", name, NAME_MAX), ("address", address, ADDRESS_MAX)):
        problem = text_problem(value, limit)
        if problem:
            raise PointError(problem, column=column, limit=limit)
    if not name:
        raise PointError("name_required")
    if kind not in KINDS:
        raise PointError("bad_kind", kind=kind, kinds=", ".join(KINDS))
    return name, address


def may_edit(actor: dict | None, ward: dict) -> bool:
    """Tell whether the actor may change points of the ward (a row with code, province_code).

    None is the command line; otherwise an editing role with the ward in the actor's area.
    """
    return access.can_edit_ward(actor, ward)


def create(
    db: Database,
    actor: dict | None,
    ward: str,
    name: str,
    kind: str = "one_stop",
    address="",
    via: str | None = None,
) -> dict:
    """Create an active point in a ward after checking it, audit-logged; return it.

    ``actor`` is the signed-in user, or None for the command line; ``via`` names the way in
    ("csv" for a file import) in the audit entry. Raises PointError, or Refused.
    """
    name, address = checked_fields(name, kind, address)
    code = ward_code(ward or "")
    with immediate(db):
        row = db.execute("SELECT code, province_code FROM wards WHERE code = ?", [code]).fetchone()
        if row is None:
            raise PointError("unknown_ward", code=code)
        require(may_edit(actor, {"code": row[0], "province_code": row[1]}), code=code)
        point = create_point(db, code, name, kind, address)
        detail = {"name": point["name"], "ward_code": point["ward_code"]}
        if via:
            detail["via"] = via
        audit.record(db, actor, "create", "point", point["id"], detail)
    return point


def update(
    db: Database, actor: dict | None, point_id: int, name: str, kind: str, address=""
) -> dict:
    """Change a point's name, kind and address (ward and token stay), audit-logged; return it."""
    name, address = checked_fields(name, kind, address)
    with immediate(db):
        point = editable(db, actor, point_id)
        changed = update_point(db, point_id, name, kind, address)
        audit.record(
            db,
            actor,
            "update",
            "point",
            point_id,
            {
                key: [point[key], changed[key]]
                for key in ("name", "kind", "address")
                if point[key] != changed[key]
            },
        )
    return get_point(db, point_id)


def rotate(db: Database, actor: dict | None, point_id: int) -> dict:
    """Give an active point a new token, audit-logged; return it (old posters say "replaced")."""
    with immediate(db):
        point = editable(db, actor, point_id)
        if not point["active"]:
            raise PointError("inactive", id=point_id)
        rotate_token(db, point_id)
        audit.record(db, actor, "rotate_token", "point", point_id)
    return get_point(db, point_id)


def set_state(db: Database, actor: dict | None, point_id: int, active: bool) -> dict:
    """Deactivate (retire) or reactivate a point, audit-logged; return it (unchanged: no entry)."""
    with immediate(db):
        point = editable(db, actor, point_id)
        if bool(point["active"]) != active:
            set_active(db, point_id, active)
            audit.record(
                db,
                actor,
                "reactivate" if active else "deactivate",
                "point",
                point_id,
                {"name": point["name"]},
            )
    return get_point(db, point_id)


def editable(db: Database, actor: dict | None, point_id: int) -> dict:
    """Return the point if the actor may change it (or print and enter its forms).

    Raises PointError("unknown_point") or Refused.
    """
    point = _existing(db, point_id)
    require(may_edit(actor, {"code": point["ward_code"], "province_code": point["province_code"]}))
    return point


def _existing(db: Database, point_id: int) -> dict:
    """Return the point, or raise PointError("unknown_point")."""
    point = get_point(db, point_id)
    if point is None:
        raise PointError("unknown_point", id=point_id)
    return point


def create_point(db: Database, ward_code: str, name: str, kind: str, address: str = "") -> dict:
    """Insert an active collection point with a new token and return it."""
    stamp = now_iso()
    with db.atomic():
        cursor = db.execute(
            "INSERT INTO points (ward_code, name, kind, address, active, token, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, 1, ?, ?, ?)",
            [ward_code, name, kind, address, new_token(), stamp, stamp],
        )
    return get_point(db, cursor.lastrowid)


def get_point(db: Database, point_id: int) -> dict | None:
    """Return the point with its ward and province names, or None."""
    rows = list(db.query(_POINT_SELECT + " WHERE p.id = ?", [point_id]))
    return rows[0] if rows else None


def find_by_token(db: Database, token: str) -> tuple[dict | None, str]:
    """Look a token up: (point, "active"), (point, "inactive"), (None, "retired") or "unknown"."""
    canonical = normalise_token(token)
    if canonical is None:
        return None, "unknown"
    rows = list(db.query(_POINT_SELECT + " WHERE p.token = ?", [canonical]))
    if rows:
        return rows[0], "active" if rows[0]["active"] else "inactive"
    retired = list(db.query("SELECT point_id FROM retired_tokens WHERE token = ?", [canonical]))
    return None, "retired" if retired else "unknown"


def rotate_token(db: Database, point_id: int) -> str:
    """Give the point a new token; the old one is kept as retired and collects nothing."""
    token = new_token()
    with immediate(db):
        old = db.execute("SELECT token FROM points WHERE id = ?", [point_id]).fetchone()
        if old is None:
            raise KeyError(point_id)
        db.execute(
            "INSERT INTO retired_tokens (token, point_id, retired_at) VALUES (?, ?, ?)",
            [old[0], point_id, now_iso()],
        )
        db.execute(
            "UPDATE points SET token = ?, updated_at = ? WHERE id = ?", [token, now_iso(), point_id]
        )
    return token


_POINT_SELECT = """
    SELECT p.*, w.name AS ward_name, w.kind AS ward_kind, w.province_code,
    pr.name AS province_name
    FROM points p JOIN wards w ON w.code = p.ward_code
    JOIN provinces pr ON pr.code = w.province_code"""


def update_point(db: Database, point_id: int, name: str, kind: str, address: str) -> dict:
    """Change a point's name, kind and address (its ward and token stay); return it."""
    with db.atomic():
        db.execute(
            "UPDATE points SET name = ?, kind = ?, address = ?, updated_at = ? WHERE id = ?",
            [name, kind, address, now_iso(), point_id],
        )
    return get_point(db, point_id)


def set_active(db: Database, point_id: int, active: bool) -> dict:
    """Deactivate (its survey collects nothing) or reactivate a point; return it."""
    with db.atomic():
        db.execute(
            "UPDATE points SET active = ?, updated_at = ? WHERE id = ?",
            [int(active), now_iso(), point_id],
        )
    return get_point(db, point_id)


def list_points(
    db: Database,
    where: str = "1",
    params=(),
    ward_code: str | None = None,
    province_code: str | None = None,
) -> list[dict]:
    """Return points within an SQL scope condition on ``w``, optionally filtered.

    In Vietnamese order of province and ward, then active first, then by name.
    """
    conditions, args = [f"({where})"], list(params)
    if ward_code:
        conditions.append("p.ward_code = ?")
        args.append(ward_code)
    if province_code:
        conditions.append("w.province_code = ?")
        args.append(province_code)
    sql = _POINT_SELECT + " WHERE " + " AND ".join(conditions)
    return sorted(
        db.query(sql, args),
        key=lambda p: (
            sort_key(p["province_name"]),
            sort_key(p["ward_name"]),
            p["ward_code"],
            -p["active"],
            sort_key(p["name"]),
        ),
    )


def names_by_ward(db: Database, ward_codes) -> set[tuple[str, str]]:
    """Return (ward code, case-folded name) of the existing points in the given wards."""
    codes = list(ward_codes)
    if not codes:
        return set()
    marks = ",".join("?" * len(codes))
    rows = db.execute(f"SELECT ward_code, name FROM points WHERE ward_code IN ({marks})", codes)
    return {(ward, name.casefold()) for ward, name in rows.fetchall()}


def retired_count(db: Database, point_id: int) -> int:
    """Return how many tokens of this point have been retired by rotation."""
    return db.execute(
        "SELECT count(*) FROM retired_tokens WHERE point_id = ?", [point_id]
    ).fetchone()[0]


def response_summary(db: Database, point_ids, since: dict) -> dict[int, dict]:
    """Count responses per point since each named ISO time, with the last submission time.

    ``since`` maps a label ("today", "week", "period") to an ISO UTC time; the result maps
    a point id to {label: count, ..., "last": ISO time or None}.
    """
    ids = list(point_ids)
    if not ids:
        return {}
    labels = list(since)
    sums = ", ".join(f"sum(submitted_at >= ?) AS {label}" for label in labels)
    marks = ",".join("?" * len(ids))
    rows = db.query(
        f"SELECT point_id, {sums}, max(submitted_at) AS last FROM responses"
        f" WHERE point_id IN ({marks}) GROUP BY point_id",
        [since[label] for label in labels] + ids,
    )
    empty = dict.fromkeys(labels, 0) | {"last": None}
    summary = {point_id: dict(empty) for point_id in ids}
    for row in rows:
        summary[row.pop("point_id")] = row
    return summary

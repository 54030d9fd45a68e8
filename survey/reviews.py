"""Review of flagged responses: list them in a scope, include or exclude one with a reason.

Storage functions, no Flask. A decision and its audit entry are written in one transaction.
Excluded responses never count in estimates or exports; included ones (flagged or not) do.
"""

import json
import unicodedata

from sqlite_utils import Database

from survey import access, audit, periods
from survey.db import immediate
from survey.domain_errors import DomainError, require
from survey.responses import decode, now_iso

DECISIONS = ("included", "excluded")
STATUSES = ("pending", "included", "excluded")
PAGE_SIZE = 50
REASON_MAX = 500


class ReviewError(DomainError):
    """A decision that cannot be stored as asked; ``code`` says why."""


def may_decide(actor: dict | None, response: dict) -> bool:
    """Tell whether the actor may include or exclude a response of this ward (None: the CLI)."""
    return access.can_decide_review(actor, response)


def _where(scope: tuple[str, list], filters: dict) -> tuple[str, list]:
    """Return the SQL condition and parameters of the filters within the user's scope."""
    where, params = scope
    conditions, values = ["r.flags <> '[]'", f"({where})"], list(params)
    if filters.get("flag"):
        conditions.append("EXISTS (SELECT 1 FROM json_each(r.flags) WHERE value = ?)")
        values.append(filters["flag"])
    if filters.get("point"):
        conditions.append("r.point_id = ?")
        values.append(filters["point"])
    period = filters.get("period")
    if isinstance(period, periods.Period):
        conditions.append("r.submitted_at >= ? AND r.submitted_at < ?")
        values += list(period.utc_bounds())
    status = filters.get("status")
    if status == "pending":
        conditions.append("r.reviewed_at IS NULL")
    elif status in DECISIONS:
        conditions.append("r.reviewed_at IS NOT NULL AND r.review_status = ?")
        values.append(status)
    return " AND ".join(conditions), values


def list_flagged(
    db: Database, scope: tuple[str, list], filters: dict, page: int = 1
) -> tuple[list[dict], int]:
    """Return one page of flagged responses in scope, newest first, and how many match."""
    where, params = _where(scope, filters)
    base = (
        "FROM responses r JOIN wards w ON w.code = r.ward_code"
        " JOIN points p ON p.id = r.point_id WHERE " + where
    )
    total = db.execute(f"SELECT count(*) {base}", params).fetchone()[0]
    rows = db.query(
        "SELECT r.*, p.name AS point_name, w.name AS ward_name "
        f"{base} ORDER BY r.submitted_at DESC, r.id LIMIT ? OFFSET ?",
        params + [PAGE_SIZE, (max(page, 1) - 1) * PAGE_SIZE],
    )
    return [decode(row) for row in rows], total


def get_for_review(db: Database, response_id: str) -> dict | None:
    """Return a response with its point and ward names (and paper form number), or None."""
    rows = list(
        db.query(
            "SELECT r.*, p.name AS point_name, w.name AS ward_name, f.form_number,"
            " w.province_code AS ward_province"
            " FROM responses r JOIN wards w ON w.code = r.ward_code"
            " JOIN points p ON p.id = r.point_id"
            " LEFT JOIN paper_forms f ON f.response_id = r.id WHERE r.id = ?",
            [response_id],
        )
    )
    if not rows:
        return None
    # Whose answer it is to review follows the ward's province now, as the list does.
    row = decode(rows[0])
    row["province_code"] = row.pop("ward_province")
    return row


def decide(db: Database, user: dict | None, response_id: str, decision: str, reason: str) -> dict:
    """Include or exclude a response with a reason, audit-logged; return the updated row.

    Raises ReviewError (``bad_decision``, ``bad_reason``, ``unknown_response``) or Refused.
    """
    reason = unicodedata.normalize("NFC", (reason or "").strip())
    if decision not in DECISIONS:
        raise ReviewError("bad_decision", decision=decision)
    if not reason or len(reason) > REASON_MAX:
        raise ReviewError("bad_reason", limit=REASON_MAX)
    with immediate(db):
        rows = list(
            db.query(
                "SELECT r.review_status, r.flags, r.ward_code, w.province_code"
                " FROM responses r JOIN wards w ON w.code = r.ward_code WHERE r.id = ?",
                [response_id],
            )
        )
        if not rows:
            raise ReviewError("unknown_response", id=response_id)
        row = rows[0]
        require(may_decide(user, row))
        db.execute(
            "UPDATE responses SET review_status = ?, review_reason = ?, reviewed_by = ?,"
            " reviewed_at = ? WHERE id = ?",
            [
                decision,
                reason,
                user["username"] if user else audit.CLI_USER,
                now_iso(),
                response_id,
            ],
        )
        audit.record(
            db,
            user,
            "exclude" if decision == "excluded" else "include",
            "response",
            response_id,
            {"from": row["review_status"], "reason": reason, "flags": json.loads(row["flags"])},
        )
    return get_for_review(db, response_id)


def flag_counts(db: Database, scope: tuple[str, list]) -> dict[str, int]:
    """Return {flag: number of responses in scope carrying it}."""
    where, params = scope
    return dict(
        db.execute(
            "SELECT f.value, count(*) FROM responses r JOIN wards w ON w.code = r.ward_code,"
            f" json_each(r.flags) f WHERE ({where}) GROUP BY f.value",
            params,
        ).fetchall()
    )

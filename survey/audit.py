"""The audit log: who created, changed, rotated or deactivated what, and when (storage, no Flask).

Call ``record`` inside the same transaction as the change it describes, so that a change
without its audit row (or the reverse) cannot be stored.
"""

import json

from sqlite_utils import Database

from survey.clock import now_iso

PAGE_SIZE = 50
# The username of changes made with the command line on the server.
CLI_USER = "(cli)"


def record(
    db: Database,
    user: dict | None,
    action: str,
    object_type: str,
    object_id,
    detail: dict | None = None,
) -> None:
    """Append one audit entry; ``user`` None means the command line."""
    db.execute(
        "INSERT INTO audit_log (at, user_id, username, action, object_type, object_id, detail)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            now_iso(),
            user["id"] if user else None,
            user["username"] if user else CLI_USER,
            action,
            object_type,
            str(object_id),
            json.dumps(detail or {}, ensure_ascii=False, sort_keys=True),
        ],
    )


def _where(filters: dict) -> tuple[str, list]:
    """Return the SQL condition and parameters for the given filters (empty ones ignored)."""
    conditions, params = [], []
    for column in ("username", "action", "object_type", "object_id"):
        value = (filters.get(column) or "").strip()
        if value:
            conditions.append(f"{column} = ?")
            params.append(value)
    if filters.get("since"):
        conditions.append("at >= ?")
        params.append(filters["since"])
    if filters.get("until"):
        conditions.append("at < ?")
        params.append(filters["until"])
    return " AND ".join(conditions) or "1", params


def list_entries(
    db: Database, filters: dict, page: int = 1, per_page: int = PAGE_SIZE
) -> tuple[list[dict], int]:
    """Return one page of entries matching filters, newest first, and the total count."""
    where, params = _where(filters)
    total = db.execute(f"SELECT count(*) FROM audit_log WHERE {where}", params).fetchone()[0]
    rows = list(
        db.query(
            f"SELECT * FROM audit_log WHERE {where} ORDER BY id DESC LIMIT ? OFFSET ?",
            params + [per_page, (max(page, 1) - 1) * per_page],
        )
    )
    for row in rows:
        row["detail"] = json.loads(row["detail"])
    return rows, total


def distinct_values(db: Database, column: str) -> list[str]:
    """Return the distinct values of an audit column (for filter menus)."""
    if column not in ("username", "action", "object_type"):
        raise ValueError(column)
    return [
        row[0]
        for row in db.execute(
            f"SELECT DISTINCT {column} FROM audit_log ORDER BY {column}"
        ).fetchall()
    ]

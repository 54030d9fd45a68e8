"""Finished responses: store one in one transaction, balance module rotation, read them back.

Storage functions: ``db`` first, no Flask. Nothing that identifies a person is stored: no
network address, no device fingerprint, no cookie value; only the answers, the collection
point, the questionnaire version, the modules shown and server-side times.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlite_utils import Database

from survey import collation, exports, privacy
from survey.clock import now_iso
from survey.db import IntegrityError, immediate
from survey.estimation import stored
from survey.questionnaire import get
from survey.questionnaire.rotation import choose_modules


def assign_modules(db: Database, questionnaire) -> list[str]:
    """Choose the modules for a new respondent, balancing by how often each was shown."""
    with immediate(db):
        counts = {
            row["module_id"]: row["shown"]
            for row in db.query(
                "SELECT module_id, shown FROM module_counts"
                " WHERE questionnaire_id = ? AND questionnaire_version = ?",
                [questionnaire.id, questionnaire.version],
            )
        }
        modules = choose_modules(questionnaire, counts)
        db.conn.executemany(
            "INSERT INTO module_counts (questionnaire_id, questionnaire_version, module_id, shown)"
            " VALUES (?, ?, ?, 1) ON CONFLICT DO UPDATE SET shown = shown + 1",
            [(questionnaire.id, questionnaire.version, module) for module in modules],
        )
    return modules


@dataclass(frozen=True)
class Prepared:
    """A finished response encoded for its INSERT: masked, JSON-encoded, export cells written."""

    row: dict

    def with_flag(self, flag: str) -> "Prepared":
        """Return the same response with one more flag."""
        flags = sorted({*json.loads(self.row["flags"]), flag})
        return Prepared(dict(self.row, flags=json.dumps(flags)))


# The engine's spec per loaded questionnaire version, as exports.cell_writer keeps its writers:
# spec_for's cache hashes the whole questionnaire at each call, 5 % of a final submit's CPU.
_specs: dict[tuple[str, int], tuple[object, object]] = {}


def _spec(questionnaire):
    """Return the engine's spec of a loaded questionnaire, made once per version."""
    key = (questionnaire.id, questionnaire.version)
    kept = _specs.get(key)
    if kept is None or kept[0] is not questionnaire:
        kept = _specs[key] = (questionnaire, stored.spec_of(questionnaire))
    return kept[1]


def prepare(record: dict) -> Prepared:
    """Mask, encode and render a finished response's row, ready to insert.

    Pure work, done before the write transaction: the citizen pages prepare the row first so
    that the write lock is held only for the statements and the commit.
    """
    questionnaire = get(record["questionnaire_id"], record["questionnaire_version"])
    answers, flags = privacy.mask_response(
        questionnaire, record["answers"], record.get("flags", [])
    )
    row = {
        "id": record["id"],
        "point_id": record["point_id"],
        "ward_code": record["ward_code"],
        "province_code": record["province_code"],
        "questionnaire_id": record["questionnaire_id"],
        "questionnaire_version": record["questionnaire_version"],
        "modules": json.dumps(record["modules"]),
        "answers": json.dumps(answers, ensure_ascii=False, sort_keys=True),
        "locale": record["locale"],
        "started_at": record["started_at"],
        "submitted_at": record.get("submitted_at") or now_iso(),
        "duration_seconds": record.get("duration_seconds"),
        "flags": json.dumps(sorted(flags)),
        "source": record.get("source", "web"),
        "mode": record.get("mode", "web"),
    }
    # The export's cells, written once here instead of decoded at every export (#10.7).
    writer = exports.cell_writer(questionnaire)
    row["cells"], row["cells_key"] = writer(row["answers"]), writer.key
    # The engine's decoded form, made once here instead of at every estimate (#10).
    spec = _spec(questionnaire)
    if spec is None:  # a questionnaire the scoring model refuses: estimates decode nothing
        row["decoded"] = row["decoded_key"] = None
    else:
        row["decoded"] = stored.form(spec, row["answers"])
        row["decoded_key"] = stored.decoded_key(spec)
    return Prepared(row)


def store_response(db: Database, record: dict | Prepared) -> bool:
    """Insert one finished response in one transaction; False if its id was already stored.

    The id is made when the citizen starts, so a double-tapped submit button or a retry after
    a lost reply stores the response once. Free text is masked on the way (survey/privacy.py,
    in ``prepare`` when given a plain record), so that no caller can store a phone number.
    """
    row = (record if isinstance(record, Prepared) else prepare(record)).row
    columns = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    try:
        with db.atomic():
            db.execute(f"INSERT INTO responses ({columns}) VALUES ({marks})", list(row.values()))
    except IntegrityError:
        if db.execute("SELECT 1 FROM responses WHERE id = ?", [row["id"]]).fetchone():
            return False
        raise
    return True


def get_response(db: Database, response_id: str) -> dict | None:
    """Return one stored response with its JSON columns decoded, or None."""
    rows = list(db.query("SELECT * FROM responses WHERE id = ?", [response_id]))
    return decode(rows[0]) if rows else None


def exists(db: Database, response_id: str) -> bool:
    """Tell whether a response with this id is stored."""
    return db.execute("SELECT 1 FROM responses WHERE id = ?", [response_id]).fetchone() is not None


def decode(row: dict) -> dict:
    """Decode the JSON columns of a response row."""
    row = dict(row)
    for column in ("modules", "answers", "flags"):
        row[column] = json.loads(row[column])
    return row


def count(db: Database) -> int:
    """Return the number of stored responses."""
    return db.execute("SELECT count(*) FROM responses").fetchone()[0]


def iso_from_epoch(seconds: float) -> str:
    """Return an epoch time as ISO 8601 UTC with seconds."""
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")


def in_scope(period, questionnaire, province=None, wards=None) -> tuple[str, list]:
    """Return (SQL, args) selecting the counted answers of a questionnaire in the period and scope.

    ``wards`` (codes) wins over ``province``; with neither, every answer counts. The SQL starts
    ``SELECT submitted_at, answers FROM responses``: wrap it to count or test for any.
    """
    start, end = period.utc_bounds()
    sql = (
        "SELECT submitted_at, answers FROM responses WHERE submitted_at >= ? AND submitted_at < ?"
        " AND review_status <> 'excluded' AND questionnaire_id = ? AND questionnaire_version = ?"
    )
    place, place_args = _place(province, wards)
    return sql + place, [start, end, questionnaire.id, questionnaire.version, *place_args]


def _place(province=None, wards=None, table: str = "") -> tuple[str, list]:
    """Return (" AND ...", args) limiting answers to the wards (which win) or the province."""
    if wards is not None:
        return f" AND {table}ward_code IN ({', '.join('?' * len(wards))})", sorted(wards)
    if province is not None:
        return f" AND {table}province_code = ?", [province]
    return "", []


def versions_answered(
    db: Database, period, questionnaire_id: str, province=None, wards=None, where="1", params=()
):
    """Return {version: counted answers} of a questionnaire id in the period and scope.

    ``where``/``params`` is a scope condition on ``w``, the answers' wards (access.scope_clause).
    """
    start, end = period.utc_bounds()
    sql = (
        "SELECT questionnaire_version, count(*) FROM responses r JOIN wards w"
        f" ON w.code = r.ward_code WHERE ({where}) AND submitted_at >= ?"
        " AND submitted_at < ? AND review_status <> 'excluded' AND questionnaire_id = ?"
    )
    place, place_args = _place(province, wards, "r.")
    args = [*params, start, end, questionnaire_id, *place_args]
    return dict(db.execute(sql + place + " GROUP BY questionnaire_version", args).fetchall())


def wards_with_responses(
    db: Database, period, questionnaire, where: str = "1", params=(), limit: int | None = None
) -> list[dict]:
    """Return the wards in scope with counted answers in the period: code, names, responses.

    ``where``/``params`` is a scope condition on ``w`` (see ``access.scope_clause``). In
    Vietnamese order of province and ward name; one more than ``limit`` says "more".
    """
    start, end = period.utc_bounds()
    sql = (
        "SELECT w.code, w.name, p.name AS province_name, count(*) AS responses"
        " FROM responses r JOIN wards w ON w.code = r.ward_code"
        " JOIN provinces p ON p.code = w.province_code"
        f" WHERE ({where}) AND r.submitted_at >= ? AND r.submitted_at < ?"
        " AND r.review_status <> 'excluded'"
        " AND r.questionnaire_id = ? AND r.questionnaire_version = ?"
        " GROUP BY w.code"
    )
    args = [*params, start, end, questionnaire[0], questionnaire[1]]
    found = collation.sorted_by(db.query(sql, args), "province_name", "name", "code")
    return found if limit is None else found[: limit + 1]

"""Publishing a province's results of a period: the decision, its snapshot, and reading it back.

Storage and domain code, no Flask. Publishing is a decision taken by a province manager (or an
administrator) after review: ``publish`` runs the estimates engine once, keeps only what the
public may see, and stores it with the decision and its audit row in one transaction. The
public pages read that snapshot and never the engine, so that a shared link cannot load it
and a published page stays the same however the data change later. Publishing a period again
is a correction: the new row names the one it corrects, and the public page says so.

What a snapshot keeps, per ward: the number of people who answered, and the total and the
eight dimensions with their 95% interval and whether each changed since the previous period,
only for estimates the suppression rules let through (survey/stats/suppression.py). A ward
with fewer than ``MIN_WARD_ANSWERS`` answers is listed without any figure at all. Nothing
about collection points, no free text, no item is ever stored.
"""

import json
from datetime import date, datetime

from sqlite_utils import Database

from survey import access, audit, baselines, periods, units
from survey import estimation as estimates
from survey.config import DEFAULTS
from survey.domain_errors import DomainError
from survey.points import now_iso
from survey.questionnaire import DIMENSIONS, catalogue

# Stricter than the n* >= 30 rule each estimate already meets: a ward's page shows nothing
# until 30 people have answered there, because a page of a ward's results read by its own
# neighbours is a disclosure risk of its own (the NHS Friends and Family Test was criticised
# for publishing ward figures from 3 answers). 30 is the NCHS minimum effective sample size.
MIN_WARD_ANSWERS = 30
LINES = ("total", *DIMENSIONS)


class PublishError(DomainError):
    """A publication that cannot be made; ``code`` says why (the web layer words it)."""


def _line(row: dict) -> dict:
    """Return what the public may see of one estimate row: nothing it may not show."""
    if not row["shown"] or row["estimate"] in ("", None):
        return {"shown": False}
    change = row["change"] if row["change"] not in ("", None) else None
    return {
        "shown": True,
        "estimate": row["estimate"],
        "lower": row["ci_lower"] if row["ci_lower"] != "" else None,
        "upper": row["ci_upper"] if row["ci_upper"] != "" else None,
        "change": None if change is None else ("up" if change > 0 else "down"),
        "changed": row["changed"] == 1,
    }


def snapshot(
    db: Database,
    province_code: str,
    period: periods.Period,
    cap=5.0,
    prior_m=20.0,
    questionnaire: str = DEFAULTS["QUESTIONNAIRE"],
):
    """Return the public figures of every ward of the province with answers in the period.

    ``questionnaire`` is the QUESTIONNAIRE setting: its current version is the one published.
    """
    current = catalogue.current_questionnaire(questionnaire)
    rows = estimates.run(
        db,
        current,
        [period],
        ("ward",),
        cap=cap,
        prior_m=prior_m,
        provinces=[province_code],
    )
    by_ward: dict = {}
    answered_in: dict = {}
    for values in rows:
        row = dict(zip(estimates.COLUMNS, values, strict=True))
        code = row["unit_code"]
        answered_in[code] = max(answered_in.get(code, 0), int(row["n"] or 0))
        lines = by_ward.setdefault(code, {})
        if row["level"] in ("total", "dimension") and row["key"] in LINES:
            lines[row["key"]] = row
    wards = {}
    for code, lines in sorted(by_ward.items()):
        answered = answered_in[code]
        if answered < MIN_WARD_ANSWERS:
            wards[code] = {"enough": False}
            continue
        wards[code] = {
            "enough": True,
            "answered": answered,
            "lines": {key: _line(lines[key]) for key in LINES if key in lines},
        }
    baseline = baselines.blend(db, province_code)
    # The version behind the figures, named on the public page (older snapshots lack it).
    named = {"id": current.id, "version": current.version}
    return {"wards": wards, "baseline": baseline, "questionnaire": named}


def publish(
    db: Database, actor: dict | None, province_code: str, period_text: str, **method
) -> dict:
    """Publish the province's results of a period, audit-logged; return the fresh row."""
    if units.get_province(db, province_code) is None:
        raise PublishError("unknown_province")
    if not access.can_publish(actor, province_code):
        raise PublishError("not_allowed")
    try:
        period = periods.parse_period((period_text or "").strip())
    except periods.PeriodError:
        raise PublishError("bad_period") from None
    if period.kind != "quarter":
        raise PublishError("not_a_quarter")
    if period.end > _today():
        raise PublishError("not_over")
    baselines.ensure_shipped(db)  # a write of its own, before the transaction
    figures = snapshot(db, province_code, period, **method)
    if not figures["wards"]:
        raise PublishError("no_answers")
    with db.atomic():
        earlier = latest_of_period(db, province_code, period.label)
        cursor = db.execute(
            "INSERT INTO publications (province_code, period, period_start, period_end,"
            " published_at, published_by, corrects, snapshot) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                province_code,
                period.label,
                period.start.isoformat(),
                period.end.isoformat(),
                now_iso(),
                actor["username"] if actor else audit.CLI_USER,
                earlier["id"] if earlier else None,
                json.dumps(figures, ensure_ascii=False, sort_keys=True),
            ],
        )
        audit.record(
            db,
            actor,
            "correct_publication" if earlier else "publish",
            "publication",
            cursor.lastrowid,
            {
                "province": province_code,
                "period": period.label,
                "wards": len(figures["wards"]),
                "corrects": earlier["id"] if earlier else None,
            },
        )
    return get_publication(db, cursor.lastrowid)


def _today() -> date:
    """Return today's date in Vietnam."""
    return datetime.now(periods.LOCAL_TZ).date()


def _decode(row: dict | None) -> dict | None:
    """Return a publication row with its snapshot decoded."""
    if row is not None:
        row["snapshot"] = json.loads(row["snapshot"])
    return row


def _first(db: Database, where: str, order: str, params: list) -> dict | None:
    """Return the first publication meeting a condition in an order, decoded, or None."""
    sql = f"SELECT * FROM publications WHERE {where} ORDER BY {order} LIMIT 1"
    rows = list(db.query(sql, params))
    return _decode(rows[0]) if rows else None


def get_publication(db: Database, publication_id: int) -> dict | None:
    """Return one publication, or None."""
    return _first(db, "id = ?", "id", [publication_id])


def latest_of_period(db: Database, province_code: str, period_label: str) -> dict | None:
    """Return the publication in force for a province and period (the last correction)."""
    return _first(db, "province_code = ? AND period = ?", "id DESC", [province_code, period_label])


def in_force(db: Database, province_code: str, period_label: str | None = None):
    """Return (id, period) of the publication in force (of the latest period, or of one), or None.

    A light query for every public page view: the snapshot is read only when a page is drawn.
    """
    where, params = "province_code = ?", [province_code]
    if period_label is not None:
        where, params = where + " AND period = ?", params + [period_label]
    return db.execute(
        f"SELECT id, period FROM publications WHERE {where}"
        " ORDER BY period_start DESC, id DESC LIMIT 1",
        params,
    ).fetchone()


def first_after(db: Database, province_code: str, day: str) -> dict | None:
    """Return the publication in force of the first period starting after a day, or None."""
    where = "province_code = ? AND period_start > ?"
    return _first(db, where, "period_start, id DESC", [province_code, day])


def published_provinces(db: Database) -> list[str]:
    """Return the codes of the provinces with at least one publication."""
    return [r[0] for r in db.execute("SELECT DISTINCT province_code FROM publications")]


def last_id(db: Database, province_code: str | None = None) -> int | None:
    """Return the id of the newest publication (of the province, or of any): it changes on each."""
    if province_code is None:
        return db.execute("SELECT max(id) FROM publications").fetchone()[0]
    return db.execute(
        "SELECT max(id) FROM publications WHERE province_code = ?", [province_code]
    ).fetchone()[0]


def latest(db: Database, province_code: str) -> dict | None:
    """Return the publication in force of the province's latest published period, or None."""
    rows = list(
        db.query(
            "SELECT * FROM publications WHERE province_code = ?"
            " ORDER BY period_start DESC, id DESC LIMIT 1",
            [province_code],
        )
    )
    return _decode(rows[0]) if rows else None


def previous(db: Database, publication: dict) -> dict | None:
    """Return the publication in force of the province's period published before this one."""
    rows = list(
        db.query(
            "SELECT * FROM publications WHERE province_code = ? AND period_start < ?"
            " ORDER BY period_start DESC, id DESC LIMIT 1",
            [publication["province_code"], publication["period_start"]],
        )
    )
    return _decode(rows[0]) if rows else None


def list_publications(db: Database, province_codes: list[str] | None = None) -> list[dict]:
    """Return every publication (of the given provinces), newest first, without snapshots."""
    where, params = "1", []
    if province_codes is not None:
        where = "province_code IN (SELECT value FROM json_each(?))"
        params = [json.dumps(list(province_codes))]
    return list(
        db.query(
            "SELECT id, province_code, period, published_at, published_by, corrects"
            f" FROM publications WHERE {where} ORDER BY id DESC",
            params,
        )
    )

"""Delete raw responses older than RETENTION_MONTHS, after adding them to the aggregates.

``aggregates`` keeps, per questionnaire version, ward and quarter (Vietnam time), how many
responses there were (item ``_responses``) and how many gave each answer code to each item
(free text only as ``_text``, never its words), with how many of those were flagged. That is
enough for counts and answer shares over time once the raw answers are gone; weighted
estimates need the raw responses, so publish them before the retention period ends.

Each response is added to the aggregates and deleted in the same transaction, so a response is
counted exactly once however often the command runs (idempotent), and a failure changes
nothing. Excluded responses are deleted without being counted.
"""

import calendar
import json
from collections import Counter
from datetime import UTC, date, datetime

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlite_utils import Database

from survey import audit, periods
from survey.db import immediate
from survey.domain_errors import DomainError
from survey.questionnaire import get as get_questionnaire
from survey.webdb import get_db

RESPONSES_ITEM = "_responses"
TEXT_CODE = "_text"


def cutoff(months: int, today: date | None = None) -> str:
    """Return the UTC ISO time before which responses are older than `months` months."""
    today = today or datetime.now(UTC).astimezone(periods.LOCAL_TZ).date()
    index = today.year * 12 + today.month - 1 - months
    year, month = divmod(index, 12)
    day = min(today.day, calendar.monthrange(year, month + 1)[1])
    return periods.to_utc_iso(date(year, month + 1, day))


def quarter_label(submitted_at: str) -> str:
    """Return the quarter (Vietnam time) of a stored submission time, e.g. ``2026-Q1``."""
    moment = datetime.fromisoformat(submitted_at).astimezone(periods.LOCAL_TZ)
    return f"{moment.year}-Q{(moment.month - 1) // 3 + 1}"


def _codes(item_type: str | None, value) -> list[str]:
    """Return the answer codes counted for one stored answer (free text only as _text)."""
    if isinstance(value, list):
        return [str(code) for code in value]
    if item_type == "text" or (item_type is None and not str(value).isdigit()):
        return [TEXT_CODE] if item_type == "text" or " " in str(value) else [str(value)]
    return [str(value)]


def _item_types(qid: str, version: int) -> dict:
    """Return {item id: type} of a questionnaire version, or {} when it is not installed."""
    try:
        return {
            item_id: item.type for item_id, item in get_questionnaire(qid, version).items.items()
        }
    except KeyError:
        return {}


def count_rows(rows) -> Counter:
    """Return {(qid, version, ward, province, period, item, code): [n, n_flagged]} of rows."""
    counts = Counter()
    for row in rows:
        flagged = row["flags"] != "[]"
        base = (
            row["questionnaire_id"],
            row["questionnaire_version"],
            row["ward_code"],
            row["province_code"],
            quarter_label(row["submitted_at"]),
        )
        types = _item_types(row["questionnaire_id"], row["questionnaire_version"])
        pairs = [(RESPONSES_ITEM, "")]
        for item_id, value in json.loads(row["answers"]).items():
            pairs += [(item_id, code) for code in _codes(types.get(item_id), value)]
        for item_id, code in pairs:
            counts[(*base, item_id, code, "n")] += 1
            counts[(*base, item_id, code, "n_flagged")] += int(flagged)
    return counts


def apply(db: Database, months: int, dry_run: bool = False, today: date | None = None) -> dict:
    """Aggregate then delete responses older than `months` months; return what was done."""
    if months <= 0:
        raise DomainError("bad_months")
    before = cutoff(months, today)
    with immediate(db):
        rows = list(
            db.query(
                "SELECT id, questionnaire_id, questionnaire_version, ward_code, province_code,"
                " submitted_at, answers, flags, review_status FROM responses"
                " WHERE submitted_at < ?",
                [before],
            )
        )
        kept = [row for row in rows if row["review_status"] != "excluded"]
        summary = {"before": before, "aggregated": len(kept), "deleted": len(rows)}
        if dry_run or not rows:
            return summary
        _add(db, count_rows(kept))
        db.execute("DELETE FROM responses WHERE submitted_at < ?", [before])
        audit.record(db, None, "retention_apply", "responses", before, summary)
    return summary


def _add(db: Database, counts: Counter) -> None:
    """Add counts to the aggregates table."""
    merged = {}
    for (*key, column), value in counts.items():
        merged.setdefault(tuple(key), {"n": 0, "n_flagged": 0})[column] += value
    db.conn.executemany(
        "INSERT INTO aggregates (questionnaire_id, questionnaire_version, ward_code,"
        " province_code, period, item_id, code, n, n_flagged) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT DO UPDATE SET n = n + excluded.n, n_flagged = n_flagged + excluded.n_flagged",
        [(*key, value["n"], value["n_flagged"]) for key, value in merged.items()],
    )


@click.group("retention")
def retention_cli():
    """Delete old raw responses after counting them (RETENTION_MONTHS)."""


@retention_cli.command("apply")
@click.option("--dry-run", is_flag=True, help="Only say how many responses would be deleted.")
@click.option("--months", type=int, help="Override RETENTION_MONTHS for this run.")
@with_appcontext
def apply_command(dry_run, months):
    """Add responses older than RETENTION_MONTHS to the aggregates, then delete them."""
    months = current_app.config["RETENTION_MONTHS"] if months is None else months
    if months <= 0:
        raise click.ClickException(
            "Retention is off (RETENTION_MONTHS is 0): no response is deleted."
        )
    done = apply(get_db(), months, dry_run=dry_run)
    verb = "Would delete" if dry_run else "Deleted"
    click.echo(
        f"{verb} {done['deleted']} response(s) submitted before {done['before']}"
        f" ({done['aggregated']} counted in the aggregates first)."
    )


def init_app(app) -> None:
    """Register the retention command group."""
    app.cli.add_command(retention_cli)

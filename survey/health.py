"""``/healthz``: is the database reachable and sound, and is SQLite a safe version."""

from flask import Blueprint, current_app, jsonify

from survey import db as storage
from survey.webdb import get_db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Report database reachability, pending migrations and the SQLite version check."""
    from survey import migrations

    report = {"status": "ok", "sqlite": storage.sqlite3.sqlite_version}
    try:
        db = get_db()
        db.execute("SELECT 1").fetchone()
        pending = migrations.pending(db)
    except storage.OperationalError:
        return jsonify(status="error", problem="database unavailable"), 503
    if pending:
        report.update(status="error", problem="migrations pending")
    warning = current_app.config.get("SQLITE_WARNING")
    if warning:
        report.update(status="warning", warning=warning)
    return jsonify(report), 503 if report["status"] == "error" else 200

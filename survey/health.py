"""``/healthz``: is the database reachable and sound, and is SQLite a safe version.

For a monitor (or nginx, or systemd) to poll: 200 with ``"status": "ok"`` or ``"warning"``,
503 with ``"status": "error"`` and the problem. ``/healthz?full=1`` also runs
``PRAGMA quick_check``; its result is cached per worker for a minute so that the check, which
reads the whole file, cannot be used to load the server.
"""

import time

from flask import Blueprint, current_app, jsonify, request

from survey import db as storage
from survey import migrations
from survey.webdb import get_db

bp = Blueprint("health", __name__)

# Seconds a quick_check result is reused: a monitor polls about once a minute.
QUICK_CHECK_CACHE_SECONDS = 60
_quick_check_cache: dict[str, tuple[float, bool]] = {}


@bp.get("/healthz")
def healthz():
    """Report database reachability, pending migrations and the SQLite version check."""
    report = {"status": "ok", "sqlite": storage.sqlite3.sqlite_version}
    try:
        db = get_db()
        db.execute("SELECT 1").fetchone()
        pending = migrations.pending(db)
        sound = quick_check(db) if request.args.get("full") == "1" else None
    except storage.sqlite3.DatabaseError:
        return jsonify(status="error", problem="database unavailable"), 503
    warning = current_app.config.get("SQLITE_WARNING")
    if warning:
        report.update(status="warning", warning=warning)
    if sound is not None:
        report["quick_check"] = "ok" if sound else "failed"
    if pending:
        report.update(status="error", problem="migrations pending", pending=len(pending))
    elif sound is False:
        report.update(status="error", problem="database damaged: run papi-pulse check")
    return jsonify(report), 503 if report["status"] == "error" else 200


def quick_check(db) -> bool:
    """Return whether PRAGMA quick_check passes, reusing a recent result."""
    path = current_app.config["DATABASE"]
    cached = _quick_check_cache.get(path)
    if cached and time.monotonic() - cached[0] < QUICK_CHECK_CACHE_SECONDS:
        return cached[1]
    rows = [row[0] for row in db.execute("PRAGMA quick_check").fetchall()]
    _quick_check_cache[path] = (time.monotonic(), rows == ["ok"])
    return rows == ["ok"]


def init_app(app) -> None:
    """Register the health check."""
    app.register_blueprint(bp)

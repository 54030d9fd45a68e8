"""Shared piece of the analysts' page benchmarks: the app on an instance, signed in as staff.

The generated data sets (bench/generate.py) hold v1 answers while v2 is current: the app is
pinned to the questionnaire version most of the instance's answers are in, or every page would
measure an empty report.
"""

import os
import sqlite3
import time
from pathlib import Path

from survey import accounts, create_app, margins
from survey.webdb import open_db

SECRET = "bench-secret-key-0123456789abcdef0123"
PASSWORD = "bench-password-0123"


def answered_questionnaire(instance: Path) -> str | None:
    """Return "ID:VERSION" of the questionnaire most answers of the instance are in."""
    path = instance / "papi-pulse.sqlite3"
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        row = conn.execute(
            "SELECT questionnaire_id, questionnaire_version FROM responses"
            " GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
    return f"{row[0]}:{row[1]}" if row else None


def signed_in(app, db, username: str, role: str, scopes=()):
    """Return a test client signed in as a user of that role and scopes (made if missing)."""
    user = accounts.find_user(db, username)
    if user is None:
        user = accounts.create_user(db, username, PASSWORD, role, scopes=scopes)
    elif sorted(user["scopes"]) != sorted(scopes):
        user = accounts.update_user(db, user["id"], role, username, True, scopes=scopes)
    client = app.test_client()
    with client.session_transaction() as session:
        session.update(
            user_id=user["id"], version=accounts.session_version(user), login_at=time.time()
        )
    return client


def analyst_client(instance: Path):
    """Return (app, db, client): margins loaded if shipped, a signed-in analyst's test client.

    An analyst sees the whole country, so the ward page shows the wards like it too. The
    caller closes ``db``.
    """
    os.environ["PAPI_PULSE_INSTANCE"] = str(instance)
    config = {
        "SECRET_KEY": SECRET,
        "REQUEST_LOG": False,
    }  # one line per page would drown the figures
    if found := answered_questionnaire(instance):
        config["QUESTIONNAIRE"] = found
    app = create_app(config)
    db = open_db(app)
    if margins.current_set(db) is None and (instance / "margins.csv").exists():
        margins.load(db, (instance / "margins.csv").read_bytes(), "margins.csv", "bench")
    return app, db, signed_in(app, db, "bench.analyst", accounts.ANALYST)

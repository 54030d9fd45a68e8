"""Shared piece of the analysts' page benchmarks: the app on an instance, signed in as an analyst.

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


def answered_questionnaire(instance: Path) -> str | None:
    """Return "ID:VERSION" of the questionnaire most answers of the instance are in."""
    path = instance / "papi-pulse.sqlite3"
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        row = conn.execute(
            "SELECT questionnaire_id, questionnaire_version FROM responses"
            " GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
    return f"{row[0]}:{row[1]}" if row else None


def analyst_client(instance: Path):
    """Return (app, db, client): margins loaded if shipped, a signed-in analyst's test client.

    The caller closes ``db``.
    """
    os.environ["PAPI_PULSE_INSTANCE"] = str(instance)
    config = {"SECRET_KEY": SECRET}
    if found := answered_questionnaire(instance):
        config["QUESTIONNAIRE"] = found
    app = create_app(config)
    db = open_db(app)
    if margins.current_set(db) is None and (instance / "margins.csv").exists():
        margins.load(db, (instance / "margins.csv").read_bytes(), "margins.csv", "bench")
    user = accounts.find_user(db, "bench.analyst") or accounts.create_user(
        db, "bench.analyst", "bench-password-0123", accounts.ANALYST
    )
    client = app.test_client()
    with client.session_transaction() as session:
        session.update(
            user_id=user["id"], version=accounts.session_version(user), login_at=time.time()
        )
    return app, db, client

"""Every staff and analysis page that shows a time shows Vietnam time, in the reader's language.

Times are stored as UTC ISO text. 17:30:05 UTC on 15 January is 00:30:05 on 16 January in
Vietnam (UTC+7, no daylight saving): the date changes too, so a page still showing UTC fails.
"""

from datetime import datetime

import pytest
from bs4 import BeautifulSoup

from survey.templating import local_time
from tests.factories import MATRIX_RESPONSE_ID, make_flagged_response
from tests.staff_helpers import client_as

STORED = "2026-01-15T17:30:05+00:00"
# How Babel (CLDR) writes 00:30:05 on 16 January 2026 in each language.
SHOWN = {
    ("vi", "short"): "00:30 16/1/26",
    ("en", "short"): "1/16/26, 12:30 AM",
    ("vi", "medium"): "00:30:05 16 thg 1, 2026",
    ("en", "medium"): "Jan 16, 2026, 12:30:05 AM",
}


def _response(db, world):
    make_flagged_response(db, world["point"], submitted_at=STORED, started_at=STORED)


def _audit(db, world):
    with db.atomic():
        db.execute(
            "INSERT INTO audit_log (at, user_id, username, action, object_type, object_id, detail)"
            " VALUES (?, NULL, '(cli)', 'create', 'point', '1', '{}')",
            [STORED],
        )


def _login(db, world):
    with db.atomic():
        db.execute("UPDATE users SET last_login_at = ?", [STORED])


def _margins(db, world):
    with db.atomic():
        for loaded, superseded in ((STORED, STORED), (STORED, None)):
            db.execute(
                "INSERT INTO margin_sets (loaded_at, loaded_by, filename, sha256, row_count,"
                " superseded_at) VALUES (?, 'analyst', 'margins.csv', 'x', 1, ?)",
                [loaded, superseded],
            )


# (page, what stores the time, role that may read it, where the time is shown, format)
PAGES = [
    ("/staff/", _response, "administrator", "table td", "short"),
    ("/staff/review/", _response, "administrator", "table td", "short"),
    (f"/staff/review/{MATRIX_RESPONSE_ID}", _response, "administrator", "dl dd", "medium"),
    ("/staff/audit/", _audit, "administrator", "table td", "short"),
    ("/staff/users/", _login, "administrator", "table td", "short"),
    ("/staff/analysis/margins", _margins, "analyst", "table td", "short"),
]


@pytest.mark.parametrize("locale", ["vi", "en"])
@pytest.mark.parametrize(("url", "store", "role", "where", "format"), PAGES)
def test_page_shows_local_time(app, db, world, url, store, role, where, format, locale):
    store(db, world)
    client = client_as(app, world, role)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = locale
    response = client.get(url)
    assert response.status_code == 200
    cells = [
        cell.get_text(" ", strip=True).replace("\u202f", " ")
        for cell in BeautifulSoup(response.data, "html.parser").select(where)
    ]
    expected = SHOWN[locale, format]
    assert any(expected in cell for cell in cells), cells
    body = response.get_data(as_text=True)
    assert "17:30" not in body and "2026-01-15" not in body
    assert "UTC" not in body


@pytest.mark.parametrize(
    "value",
    [STORED, "2026-01-15T17:30:05", datetime.fromisoformat(STORED)],
    ids=["iso with offset", "naive iso means UTC", "datetime"],
)
def test_local_time_reads_every_stored_shape(app, value):
    with app.test_request_context(headers={"Accept-Language": "vi"}):
        assert local_time(value) == SHOWN["vi", "short"]
        assert local_time(None) == "" and local_time("") == ""

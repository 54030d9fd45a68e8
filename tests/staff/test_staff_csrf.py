"""With CSRF protection on, every state-changing staff form refuses a request without its token."""

import pytest

from survey import create_app
from tests.factories import (
    MATRIX_RESPONSE_ID,
    PASSWORD,
    make_flagged_response,
    make_point,
    make_units,
    make_user,
)
from tests.staff_matrix import ROUTES


@pytest.fixture
def csrf_app(tmp_path, monkeypatch):
    monkeypatch.setenv("PAPI_PULSE_INSTANCE", str(tmp_path / "instance"))
    return create_app(
        {
            "TESTING": True,
            "WTF_CSRF_ENABLED": True,
            "SECRET_KEY": "csrf-test-secret-key-long-enough-0123456789",
            "BASE_URL": "http://localhost",
        }
    )


def test_every_state_changing_form_needs_the_token(csrf_app):
    from survey import points
    from survey.webdb import open_db

    db = open_db(csrf_app)
    make_units(db)
    admin = make_user(db, "admin", "administrator")
    point = make_point(db, "26743", "Điểm", "one_stop")
    make_flagged_response(db, point)
    client = csrf_app.test_client()
    page = client.get("/staff/login?lang=en").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    assert (
        client.post("/staff/login", data={"username": "admin", "password": PASSWORD}).status_code
        == 400
    )
    assert (
        client.post(
            "/staff/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token}
        ).status_code
        == 302
    )
    posts = [route for route in ROUTES if route.method == "POST"]
    assert len(posts) >= 10
    before = db.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    for route in posts:
        url = route.url.format(
            point_id=point["id"], user_id=admin["id"], response_id=MATRIX_RESPONSE_ID, note_id=1
        )
        response = client.post(url, data=route.data)
        assert response.status_code == 400, url
        assert "Your session has expired" in response.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM audit_log").fetchone()[0] == before
    assert points.get_point(db, point["id"]) == point
    assert client.get("/staff/").status_code == 200
    db.close()


def test_confirmation_forms_carry_their_token(csrf_app):
    """Replacing the code and deactivating work from their confirmation page, token included."""
    from bs4 import BeautifulSoup

    from survey import points
    from survey.webdb import open_db

    db = open_db(csrf_app)
    make_units(db)
    make_user(db, "admin", "administrator")
    point = make_point(db, "26743", "Điểm", "one_stop")
    client = csrf_app.test_client()
    page = client.get("/staff/login?lang=en").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post(
        "/staff/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token}
    )
    for action in ("rotate", "deactivate"):
        url = f"/staff/points/{point['id']}/{action}"
        form = BeautifulSoup(client.get(url).data, "html.parser").select_one("main form")
        fields = {i["name"]: i["value"] for i in form.select("input[name]")}
        assert set(fields) == {"csrf_token", "confirm"}
        assert client.post(url, data={"confirm": "yes"}).status_code == 400
        assert client.post(form["action"], data=fields).status_code == 302
    changed = points.get_point(db, point["id"])
    assert changed["token"] != point["token"] and not changed["active"]
    actions = [
        row[0] for row in db.execute("SELECT action FROM audit_log WHERE object_type = 'point'")
    ]
    assert actions == ["rotate_token", "deactivate"]
    db.close()

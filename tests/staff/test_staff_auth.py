"""Sign-in, throttling, sessions, sign-out and password change, as a browser sees them."""

import threading
import time

import pytest

from survey import accounts
from tests.factories import PASSWORD, SECRET_POINT, make_point, make_units, make_user
from tests.staff_helpers import english


@pytest.fixture(autouse=True)
def english_client(client):
    """Assertions quote the English messages."""
    english(client)


@pytest.fixture
def staff(db):
    make_units(db)
    return make_user(db, "lan", "ward_staff", ["26743"])


def login(client, username="lan", password=PASSWORD, **kw):
    return client.post("/staff/login", data={"username": username, "password": password}, **kw)


def test_root_and_pages_send_anonymous_to_login(client):
    assert client.get("/").location == "/staff/"
    response = client.get("/staff/points/")
    assert response.status_code == 302
    assert response.location == "/staff/login?next=/staff/points/"


def test_login_sets_a_fresh_hardened_cookie_and_follows_next(client, staff):
    with client.session_transaction() as session:
        session["planted"] = "attacker"
        session["lang"] = "en"
    response = login(client, query_string={"next": "/staff/points/"})
    assert response.status_code == 302 and response.location == "/staff/points/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    with client.session_transaction() as session:
        assert "planted" not in session and session["lang"] == "en"


@pytest.mark.parametrize(
    ("raw_next", "location"),
    [
        ("/staff/points/", "/staff/points/"),
        ("/staff/points/?ward=26743", "/staff/points/?ward=26743"),
        ("/staff/points/%3Fq%3DB%E1%BA%BFn", "/staff/points/?q=B%E1%BA%BFn"),
        ("//evil.example/", "/staff/"),
        ("/\\evil.example/", "/staff/"),
        ("\\/evil.example/", "/staff/"),
        ("/%09/evil.example/", "/staff/"),
        ("/%0a/evil.example/", "/staff/"),
        ("/%0d/evil.example/", "/staff/"),
        ("/staff/%0d%0aSet-Cookie:%20x=1", "/staff/"),
        ("%09//evil.example/", "/staff/"),
        ("%20//evil.example/", "/staff/"),
        ("/%5Cevil.example/", "/staff/"),
        ("/%00/evil.example/", "/staff/"),
        ("/%7f/evil.example/", "/staff/"),
        ("https:evil.example", "/staff/"),
        ("https://evil.example/", "/staff/"),
        ("https:/evil.example", "/staff/"),
        ("http://[", "/staff/"),
        ("javascript:alert(1)", "/staff/"),
        ("evil.example", "/staff/"),
        ("", "/staff/"),
    ],
)
def test_next_never_leaves_the_site_nor_fails(client, staff, raw_next, location):
    response = login(client, query_string=f"next={raw_next}")
    assert response.status_code == 302
    assert response.location == location


def test_logout_ends_the_session_on_the_server_so_a_copied_cookie_dies(app, client, staff):
    login(client)
    thief = english(app.test_client())
    thief.set_cookie("session", client.get_cookie("session").value)
    assert thief.get("/staff/").status_code == 200
    response = client.post("/staff/logout", follow_redirects=True)
    assert "You are signed out, on this device and on every other one." in response.text
    assert thief.get("/staff/").location.startswith("/staff/login")
    assert login(client).location == "/staff/"
    assert client.get("/staff/").status_code == 200
    assert thief.get("/staff/").status_code == 302


def test_concurrent_guesses_cannot_race_past_the_throttle(app, staff, monkeypatch):
    guesses = accounts.MAX_FAILURES_PER_USERNAME + 7
    checked, answered, lock = [], [], threading.Lock()
    release = threading.Event()
    real = accounts.authenticate

    def held_authenticate(db, username, password):
        """Count the guess that got through the throttle, and hold it until all have tried."""
        with lock:
            checked.append(username)
        assert release.wait(60), "the test never released the guesses"
        return real(db, username, password)

    def guess():
        response = login(english(app.test_client()), password="wrong password")
        with lock:
            answered.append(response.status_code)

    monkeypatch.setattr(accounts, "authenticate", held_authenticate)
    threads = [threading.Thread(target=guess) for _ in range(guesses)]
    for thread in threads:
        thread.start()
    # Every guess is either held at the password check or already answered: then release.
    deadline = time.monotonic() + 60
    while len(checked) + len(answered) < guesses and time.monotonic() < deadline:
        time.sleep(0.01)
    release.set()
    for thread in threads:
        thread.join(60)
    assert len(checked) == accounts.MAX_FAILURES_PER_USERNAME
    assert sorted(answered) == [401] * len(checked) + [429] * (guesses - len(checked))


@pytest.mark.parametrize(
    ("username", "password"), [("lan", "wrong password"), ("nobody", PASSWORD)]
)
def test_failure_message_is_generic(client, staff, username, password):
    response = login(client, username, password)
    assert response.status_code == 401
    body = response.get_data(as_text=True)
    assert "The username or password is not correct, or the account is disabled." in body


def test_inactive_account_cannot_sign_in(client, db, staff):
    accounts.update_user(db, staff["id"], "ward_staff", "", False, ["26743"])
    assert login(client).status_code == 401


def test_throttled_after_five_failures_even_with_the_right_password(client, staff, db):
    for _ in range(accounts.MAX_FAILURES_PER_USERNAME):
        assert login(client, password="wrong password").status_code == 401
    response = login(client)
    assert response.status_code == 429
    assert "Too many failed attempts" in response.get_data(as_text=True)
    keys = [row[0] for row in db.execute("SELECT key FROM login_attempts")]
    assert keys and not any("127.0.0.1" in key for key in keys)


def test_client_is_throttled_across_usernames(client, staff):
    for number in range(accounts.MAX_FAILURES_PER_CLIENT):
        login(client, f"guess{number}", "wrong password")
    assert login(client).status_code == 429


def test_logout_needs_post_and_ends_the_session(client, staff):
    login(client)
    assert client.get("/staff/logout").status_code == 405
    assert client.post("/staff/logout").location == "/staff/login"
    assert client.get("/staff/").status_code == 302


def test_logout_ends_the_account_s_other_sessions_too(app, staff):
    first, second = english(app.test_client()), english(app.test_client())
    login(first)
    login(second)
    first.post("/staff/logout")
    assert second.get("/staff/").status_code == 302


def test_password_change_ends_other_sessions(app, staff, db):
    first, second = english(app.test_client()), english(app.test_client())
    login(first)
    login(second)
    response = first.post(
        "/staff/password",
        data={
            "current": PASSWORD,
            "new": "a brand new password",
            "confirm": "a brand new password",
        },
    )
    assert response.status_code == 302
    assert first.get("/staff/").status_code == 200
    assert second.get("/staff/").status_code == 302
    assert accounts.authenticate(db, "lan", "a brand new password") is not None
    actions = [row[0] for row in db.execute("SELECT action FROM audit_log ORDER BY id")]
    assert actions[-1] == "change_password"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"current": "wrong one!!", "new": "new password 1", "confirm": "new password 1"},
            "The current password is not correct.",
        ),
        ({"current": PASSWORD, "new": "short", "confirm": "short"}, "between 10 and 256"),
        (
            {"current": PASSWORD, "new": "new password 1", "confirm": "new password 2"},
            "The two new passwords are not the same.",
        ),
    ],
)
def test_password_change_errors(client, staff, data, message):
    login(client)
    response = client.post("/staff/password", data=data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)


def test_deactivated_user_is_signed_out_on_next_request(client, staff, db):
    login(client)
    accounts.update_user(db, staff["id"], "ward_staff", "", False, ["26743"])
    assert client.get("/staff/").status_code == 302


def test_dashboard_shows_only_scope(client, db, staff):

    make_point(db, "26743", "Một cửa Bến Thành", "one_stop")
    make_point(db, "26734", SECRET_POINT, "one_stop")
    login(client)
    body = client.get("/staff/").get_data(as_text=True)
    assert "Một cửa Bến Thành" in body and SECRET_POINT not in body

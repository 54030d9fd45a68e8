"""Form posts are checked for their origin (Origin, else Referer), not for a Referer alone.

Flask-WTF's strict Referer check refused every HTTPS sign-in whose browser sent no Referer;
the app's own Referrer-Policy made browsers drop it. These posts carry a valid CSRF token,
so the origin check alone decides.
"""

import re

import pytest

from survey import create_app
from survey.webdb import open_db
from tests.factories import PASSWORD, make_point, make_units, make_user

SITE = "https://khaosat.example.vn"
FOREIGN = "This form was sent from another website, so nothing was saved."
HIDDEN = "Your browser did not say which page sent this form, so nothing was saved."


def csrf_app(tmp_path, monkeypatch, **config):
    """Return an app with CSRF protection on, as in production."""
    monkeypatch.setenv("PAPI_PULSE_INSTANCE", str(tmp_path / "instance"))
    return create_app(
        {
            "TESTING": True,
            "WTF_CSRF_ENABLED": True,
            "SECRET_KEY": "origin-test-secret-key-long-enough-0123456789",
            "BASE_URL": SITE,
            **config,
        }
    )


@pytest.fixture
def app(tmp_path, monkeypatch):
    app = csrf_app(tmp_path, monkeypatch)
    db = open_db(app)
    make_units(db)
    make_user(db, "lan", "ward_staff", ["26743"])
    db.close()
    return app


def form_token(client, path: str, **kw) -> str:
    """GET a page and return the CSRF token of its form."""
    page = client.get(path, **kw).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]* value="([^"]+)"', page).group(1)


def sign_in_post(app, base_url: str, headers: dict, lang: str = "en"):
    """Post a correct sign-in with a valid token from base_url, with these headers only."""
    client = app.test_client()
    token = form_token(client, f"/staff/login?lang={lang}", base_url=base_url)
    data = {"username": "lan", "password": PASSWORD, "csrf_token": token}
    return client.post("/staff/login", data=data, base_url=base_url, headers=headers)


@pytest.mark.parametrize(
    ("base_url", "headers", "status", "message"),
    [
        (SITE, {"Origin": SITE}, 302, None),
        (SITE, {"Origin": SITE + ":443"}, 302, None),
        (SITE, {"Referer": SITE + "/staff/login?lang=en"}, 302, None),
        ("https://10.0.0.5", {"Origin": "https://10.0.0.5"}, 302, None),
        ("http://khaosat.example.vn", {}, 302, None),
        # PROXY_COUNT left at 0 behind HTTPS: the app sees http, the page was BASE_URL's.
        ("http://khaosat.example.vn", {"Origin": SITE}, 302, None),
        (SITE, {"Origin": "https://evil.example"}, 400, FOREIGN),
        (SITE, {"Origin": "null"}, 400, FOREIGN),
        (SITE, {"Origin": "https://khaosat.example.vn.evil.example"}, 400, FOREIGN),
        (SITE, {"Origin": "http://khaosat.example.vn"}, 400, FOREIGN),
        (SITE, {"Origin": SITE + ":8443"}, 400, FOREIGN),
        (SITE, {"Origin": "https://evil.example", "Referer": SITE + "/"}, 400, FOREIGN),
        (SITE, {"Referer": "https://evil.example/staff/login"}, 400, FOREIGN),
        (SITE, {"Referer": "not a url"}, 400, FOREIGN),
        ("http://khaosat.example.vn", {"Origin": "http://evil.example"}, 400, FOREIGN),
        (SITE, {}, 400, HIDDEN),
    ],
)
def test_a_sign_in_post_is_judged_by_its_origin(app, base_url, headers, status, message):
    response = sign_in_post(app, base_url, headers)
    assert response.status_code == status
    if message:
        body = response.get_data(as_text=True)
        assert message in body and "<h1>Invalid request</h1>" in body
    else:
        assert response.location == "/staff/"


def test_https_through_the_proxy_signs_in_without_a_referer(tmp_path, monkeypatch):
    app = csrf_app(tmp_path, monkeypatch, PROXY_COUNT=1)
    db = open_db(app)
    make_units(db)
    make_user(db, "lan", "ward_staff", ["26743"])
    db.close()
    # What nginx sends gunicorn on 127.0.0.1 (docs/DEPLOY.md), and what Chromium sends nginx.
    proxy = {
        "X-Forwarded-For": "203.0.113.5",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "khaosat.example.vn",
    }
    local = "http://127.0.0.1:8000"
    kw = {"headers": proxy}
    client = app.test_client()
    token = form_token(client, "/staff/login?lang=en", base_url=local, **kw)
    data = {"username": "lan", "password": PASSWORD, "csrf_token": token}
    refused = client.post(
        "/staff/login",
        data=data,
        base_url=local,
        headers={**proxy, "Origin": "https://evil.example"},
    )
    assert refused.status_code == 400 and FOREIGN in refused.get_data(as_text=True)
    signed_in = client.post(
        "/staff/login", data=data, base_url=local, headers={**proxy, "Origin": SITE}
    )
    assert signed_in.status_code == 302 and signed_in.location == "/staff/"
    assert client.get("/staff/", base_url=local, **kw).status_code == 200


@pytest.mark.parametrize(("origin", "status"), [(SITE, 303), ("https://evil.example", 400)])
def test_a_citizen_start_is_judged_by_its_origin(app, origin, status):
    db = open_db(app)
    point = make_point(db)
    db.close()
    client = app.test_client()
    welcome = f"/s/{point['token']}?lang=en"
    token = form_token(client, welcome, base_url=SITE)
    response = client.post(
        f"/s/{point['token']}/start",
        data={"csrf_token": token},
        base_url=SITE,
        headers={"Origin": origin},
    )
    assert response.status_code == status
    if status == 303:
        assert f"/s/{point['token']}/p/" in response.location
    else:
        assert FOREIGN in response.get_data(as_text=True)


def test_the_refusal_is_in_vietnamese_for_a_vietnamese_browser(app):
    response = sign_in_post(app, SITE, {"Origin": "https://evil.example"}, lang="vi")
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and 'lang="vi"' in body
    assert "Biểu mẫu này được gửi từ một trang web khác" in body

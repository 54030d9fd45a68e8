"""Every setting `papi-pulse config show` lists changes what the app does when it is set.

One case per setting: a value other than the default and a probe of what an operator would
notice (a page, a cookie, a file, a command's output). The probe's result with the default
and with the other value must differ. A setting added to survey/config.py without a case
fails ``test_every_listed_setting_has_a_case``: a setting read by nothing misleads whoever
sets it (#9.3).
"""

import logging
import re
import time

import pytest
from click.testing import CliRunner
from flask import Flask, render_template_string
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import ValidationError, generate_csrf, validate_csrf

from survey import config, create_app, demo, ops
from survey import estimation as estimates
from survey.citizen import guard
from survey.webdb import open_db
from tests.citizen.citizen_helpers import walk_to
from tests.factories import BEN_THANH, make_point, make_world
from tests.staff_helpers import client_as

BASE = {
    "TESTING": True,
    "WTF_CSRF_ENABLED": False,
    "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
}


def _point(app) -> dict:
    """Return a collection point in a phường of Ho Chi Minh City."""
    db = open_db(app)
    try:
        return make_point(db)
    finally:
        db.close()


def _text(response) -> str:
    """Return a page's text without tags."""
    return re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))


def _cookie(response, name: str) -> str:
    """Return the Set-Cookie header of the named cookie ("" if none)."""
    found = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(name)]
    return found[0] if found else ""


def _welcome(lang):
    def probe(app, _monkeypatch):
        point = _point(app)
        return _text(app.test_client().get(f"/s/{point['token']}?lang={lang}"))

    return probe


def _thanks(lang):
    def probe(app, _monkeypatch):
        point = _point(app)
        return _text(app.test_client().get(f"/s/{point['token']}/thanks?lang={lang}"))

    return probe


def _started(app, headers=None):
    """Return the response to pressing Start at a new point."""
    point = _point(app)
    return app.test_client().post(f"/s/{point['token']}/start", headers=headers or {})


def _session_cookie(app, _monkeypatch):
    """Return the session cookie an explicit language choice sets."""
    return _cookie(app.test_client().get("/privacy?lang=en"), "session=")


def _html_lang(query=""):
    def probe(app, _monkeypatch):
        page = app.test_client().get(f"/privacy{query}")
        return re.search(r'<html lang="([a-z]+)"', page.get_data(as_text=True)).group(1)

    return probe


def _pragma(name):
    def probe(app, _monkeypatch):
        db = open_db(app)
        try:
            return db.execute(f"PRAGMA {name}").fetchone()[0]
        finally:
            db.close()

    return probe


def _database_files(app, _monkeypatch):
    return sorted(p.name for p in app.instance_path_obj.glob("*.sqlite3"))


def _survey_url(app, _monkeypatch):
    with app.app_context():
        return demo.survey_url({"token": "ABC"})


def _current_questionnaire(app, _monkeypatch):
    output = app.test_cli_runner().invoke(args=["questionnaire", "list"]).output
    return [line for line in output.splitlines() if line.startswith("*")]


def _village_page(app, monkeypatch):
    """Return the text of v2's page about the place below the ward, as a citizen reads it."""
    monkeypatch.setattr(
        "survey.responses.choose_modules",
        lambda questionnaire, counts: [m.id for m in questionnaire.modules],
    )
    point = _point(app)  # a phường of Ho Chi Minh City (79)
    return _text(walk_to(app.test_client(), point["token"], "village_life"))


def _draft_lifetime(app, _monkeypatch):
    return re.search(r"Max-Age=(\d+)", _cookie(_started(app), "draft_")).group(1)


def _large_body(app, _monkeypatch):
    """Return the status of a sign-in form sent with 50 KB in it."""
    data = {"username": "a" * 50_000, "password": "x"}
    return app.test_client().post("/staff/login", data=data).status_code


def _behind_proxy(app, _monkeypatch):
    """Return whether the draft cookie is Secure when the proxy says the page was HTTPS."""
    headers = {"X-Forwarded-Proto": "https", "Origin": "https://khaosat.example.vn"}
    return "Secure" in _cookie(_started(app, headers), "draft_")


def _csrf_after_two_hours(app, monkeypatch):
    """Return whether a form token made two hours ago is still accepted."""
    app.config["WTF_CSRF_ENABLED"] = True
    with app.test_request_context("/"):
        token = generate_csrf()
        now = time.time()
        monkeypatch.setattr(time, "time", lambda: now + 2 * 3600)
        try:
            validate_csrf(token)
        except ValidationError:
            return False
        finally:
            monkeypatch.undo()
        return True


def _local_time(app, _monkeypatch):
    with app.test_request_context("/?lang=en"):
        return render_template_string("{{ '2026-02-01T01:00:00+00:00'|local_time }}")


def _engine_arguments(app, monkeypatch):
    """Return the method arguments the estimates page hands the engine."""
    seen = []
    real = estimates.run

    def run(*args, **kwargs):
        seen.append((kwargs["cap"], kwargs["prior_m"]))
        return real(*args, **kwargs)

    monkeypatch.setattr(estimates, "run", run)
    db = open_db(app)
    world = make_world(db)
    db.close()
    client_as(app, world, "analyst").get(
        f"/staff/analysis/?unit=ward&code={BEN_THANH}&period=2026-Q1"
    )
    return seen


def _retention(app, _monkeypatch):
    return app.test_cli_runner().invoke(args=["retention", "apply", "--dry-run"]).output


def _second_start(app, _monkeypatch):
    point = _point(app)
    client = app.test_client()
    client.post(f"/s/{point['token']}/start")
    return client.post(f"/s/{point['token']}/start", data={"someone_else": "1"}).status_code


def _second_finish(app, _monkeypatch):
    """Return whether a second final submit from one address in the hour is let through."""
    point = _point(app)
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "203.0.113.9"}):
        guard.allowed("finish", point)
        return guard.allowed("finish", point).allowed


def _request_log(app, _monkeypatch):
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("papi_pulse.requests")
    logger.addHandler(handler)
    try:
        app.test_client().get("/privacy")
    finally:
        logger.removeHandler(handler)
    return len(records)


def _backups(app, _monkeypatch):
    """Return where three backups went and how many were kept."""
    for _ in range(3):  # the operator's command, which reads the instance's config.py
        result = CliRunner().invoke(ops.backup_command)
        assert result.exit_code == 0, result.output
    return sorted(
        (p.parent.name, len(list(p.parent.iterdir())))
        for p in app.instance_path_obj.rglob("*.sqlite3")
        if p.parent != app.instance_path_obj
    )


def _accepts_old_session(app, _monkeypatch):
    """Return the language of a page sent with a session cookie signed by the default key."""
    signer = Flask("other")
    signer.secret_key = BASE["SECRET_KEY"]
    serializer = SecureCookieSessionInterface().get_signing_serializer(signer)
    client = app.test_client()
    client.set_cookie("session", serializer.dumps({"lang": "en"}))
    page = client.get("/privacy").get_data(as_text=True)
    return re.search(r'<html lang="([a-z]+)"', page).group(1)


# setting -> (a value other than the default, probe(app, monkeypatch) -> what one notices)
CASES = {
    "DATABASE": ("other.sqlite3", _database_files),
    "BASE_URL": ("https://khaosat.tayninh.gov.vn", _survey_url),
    "QUESTIONNAIRE": ("papi-pulse-core:1", _current_questionnaire),
    "PLACE_WORDS": ({"79": {"phường": "khu phố"}}, _village_page),
    "ORGANISER_VI": ("Sở Nội vụ tỉnh Tây Ninh", _welcome("vi")),
    "ORGANISER_EN": ("the Tay Ninh Department of Home Affairs", _welcome("en")),
    "RESULTS_NOTE_VI": ("Kết quả dán ở bảng tin {unit}.", _thanks("vi")),
    "RESULTS_NOTE_EN": ("Results are posted on the notice board of {unit}.", _thanks("en")),
    "DB_BUSY_TIMEOUT_MS": (1234, _pragma("busy_timeout")),
    "DB_SYNCHRONOUS": ("NORMAL", _pragma("synchronous")),
    "DRAFT_MAX_AGE_SECONDS": (3600, _draft_lifetime),
    "MAX_CONTENT_LENGTH": (10_000, _large_body),
    "PROXY_COUNT": (1, _behind_proxy),
    "SESSION_COOKIE_HTTPONLY": (False, lambda app, m: "HttpOnly" in _session_cookie(app, m)),
    "SESSION_COOKIE_SAMESITE": ("Strict", _session_cookie),
    "SESSION_COOKIE_SECURE": (True, lambda app, m: "Secure" in _session_cookie(app, m)),
    "WTF_CSRF_TIME_LIMIT": (3600, _csrf_after_two_hours),
    "BABEL_DEFAULT_LOCALE": ("en", _html_lang()),
    "BABEL_DEFAULT_TIMEZONE": ("UTC", _local_time),
    "LANGUAGES": (["vi"], _html_lang("?lang=en")),
    "WEIGHT_TRIM_CAP": (3.0, _engine_arguments),
    "SMOOTHING_PRIOR_N": (45, _engine_arguments),
    "RETENTION_MONTHS": (24, _retention),
    "RATE_LIMIT_STARTS_PER_HOUR": (1, _second_start),
    "RATE_LIMIT_SUBMISSIONS_PER_HOUR": (1, _second_finish),
    "REQUEST_LOG": (False, _request_log),
    "BACKUP_DIR": ("copies", _backups),
    "BACKUP_KEEP": (1, _backups),
    "SECRET_KEY": ("another-secret-key-that-is-long-enough-987654", _accepts_old_session),
}


def _listed() -> set[str]:
    """Return the settings `config show` lists."""
    return {name for name, _shown, _source in config.describe({}, "/nonexistent", environ={})}


def test_every_listed_setting_has_a_case():
    """A new setting needs a case here, and a case no setting any more."""
    assert set(CASES) == _listed()


def _app(tmp_path, monkeypatch, name, overrides):
    """Return an app on its own instance folder with the overrides, also in its config.py."""
    folder = tmp_path / name
    folder.mkdir()
    lines = [f"{key} = {value!r}\n" for key, value in overrides.items()]
    (folder / "config.py").write_text("".join(lines), encoding="utf-8")
    monkeypatch.setenv("PAPI_PULSE_INSTANCE", str(folder))
    app = create_app(BASE | overrides)
    app.instance_path_obj = folder
    return app


@pytest.mark.parametrize("name", sorted(CASES))
def test_setting_changes_behaviour(name, tmp_path, monkeypatch):
    """The probe sees something else with the setting changed than with its default."""
    value, probe = CASES[name]
    default = config.DEFAULTS.get(name, BASE.get(name))
    assert value != default
    overrides = {name: value}
    if name == "BABEL_DEFAULT_LOCALE":
        overrides["LANGUAGES"] = ["en", "vi"]
    with monkeypatch.context() as patch:
        before = probe(_app(tmp_path, patch, "default", {}), patch)
    with monkeypatch.context() as patch:
        after = probe(_app(tmp_path, patch, "changed", overrides), patch)
    assert before != after, (before, after)


def test_a_single_language_offers_no_switch(tmp_path, monkeypatch):
    """With LANGUAGES = ["vi"] no page offers English, and ?lang=en keeps Vietnamese."""
    app = _app(tmp_path, monkeypatch, "vi-only", {"LANGUAGES": ["vi"]})
    point = _point(app)
    for url in (f"/s/{point['token']}?lang=en", "/privacy?lang=en", "/staff/login?lang=en"):
        page = app.test_client().get(url).get_data(as_text=True)
        assert '<html lang="vi">' in page and 'hreflang="en"' not in page, url

"""Serving: settings checked at start, config show, serve, the WSGI module, request logs,
/healthz, and no stack trace or raw 413 ever reaching a visitor."""

import importlib
import json
import logging

import pytest

from survey import config as settings
from survey import create_app, health, migrations, ops, requestlog
from tests.factories import make_point

SECRET = "s" * 40


def good_config(tmp_path) -> dict:
    """Return a complete, valid configuration."""
    config = dict(settings.DEFAULTS, SECRET_KEY=SECRET)
    config["DATABASE"] = str(tmp_path / "db.sqlite3")
    return config


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("DB_BUSY_TIMEOUT_MS", -1, "DB_BUSY_TIMEOUT_MS must be a whole number"),
        ("DB_BUSY_TIMEOUT_MS", True, "DB_BUSY_TIMEOUT_MS must be a whole number"),
        ("MAX_CONTENT_LENGTH", 0, "MAX_CONTENT_LENGTH must be above 0"),
        ("BACKUP_KEEP", 0, "BACKUP_KEEP must be above 0"),
        ("REQUEST_LOG", "yes", "REQUEST_LOG must be True or False"),
        ("SESSION_COOKIE_SECURE", 1, "SESSION_COOKIE_SECURE must be True or False"),
        ("DB_SYNCHRONOUS", "OFF", "DB_SYNCHRONOUS must be NORMAL, FULL or EXTRA"),
        ("BASE_URL", "khaosat.gov.vn", "BASE_URL must start with http"),
        ("BASE_URL", "https://khaosat.gov.vn/", "BASE_URL must start with http"),
        ("SESSION_COOKIE_SAMESITE", "None", "SESSION_COOKIE_SAMESITE must be Lax or Strict"),
        ("WEIGHT_TRIM_CAP", 1, "WEIGHT_TRIM_CAP must be a number above 1"),
        ("SECRET_KEY", "short", "SECRET_KEY must be at least 32 characters"),
        ("PROXY_COUNT", 7, "PROXY_COUNT must be the number of proxies"),
        ("LANGUAGES", ["vi", "fr"], "LANGUAGES must be a list drawn from"),
        ("LANGUAGES", [], "LANGUAGES must be a list drawn from"),
        ("BABEL_DEFAULT_LOCALE", "fr", "BABEL_DEFAULT_LOCALE must be one of LANGUAGES"),
        ("BABEL_DEFAULT_TIMEZONE", "Asia/Hanoi_City", "BABEL_DEFAULT_TIMEZONE must be a time"),
        ("DATABASE", "/no/such/folder/db.sqlite3", "DATABASE is in a folder that does not exist"),
    ],
)
def test_every_check_names_the_wrong_setting(tmp_path, name, value, message):
    config = good_config(tmp_path)
    settings.check(config)
    config[name] = value
    with pytest.raises(settings.ConfigError, match=message):
        settings.check(config)


def test_a_wrong_environment_value_stops_start_up(tmp_path, monkeypatch):
    monkeypatch.setenv("PAPI_PULSE_INSTANCE", str(tmp_path))
    monkeypatch.setenv("PAPI_PULSE_PROXY_COUNT", "one")
    with pytest.raises(settings.ConfigError, match="PAPI_PULSE_PROXY_COUNT='one'"):
        create_app()


def test_a_mistyped_environment_variable_stops_start_up_with_a_suggestion(tmp_path, monkeypatch):
    monkeypatch.setenv("PAPI_PULSE_INSTANCE", str(tmp_path))
    monkeypatch.setenv("PAPI_PULSE_PROXYCOUNT", "1")
    with pytest.raises(settings.ConfigError, match="did you mean PAPI_PULSE_PROXY_COUNT"):
        create_app()


def test_a_wrong_instance_config_stops_start_up(tmp_path, monkeypatch):
    monkeypatch.setenv("PAPI_PULSE_INSTANCE", str(tmp_path))
    (tmp_path / "config.py").write_text("DB_SYNCHRONOUS = 'OFF'\n")
    with pytest.raises(settings.ConfigError, match="DB_SYNCHRONOUS"):
        create_app()


def test_config_show_lists_every_setting_with_its_source_and_hides_secrets(tmp_path, monkeypatch):
    monkeypatch.setenv("PAPI_PULSE_INSTANCE", str(tmp_path))
    monkeypatch.setenv("PAPI_PULSE_BASE_URL", "https://khaosat.example.vn")
    monkeypatch.setenv("PAPI_PULSE_SECRET_KEY", "k" * 48)
    (tmp_path / "config.py").write_text("ORGANISER_VI = 'UBND tỉnh'\n")
    app = create_app()
    result = app.test_cli_runner().invoke(ops.config_show_command)
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines()[1:]}
    assert set(lines) == set(settings.DEFAULTS) | {"SECRET_KEY"}
    assert lines["BASE_URL"].endswith("[environment]")
    assert "'UBND tỉnh'" in lines["ORGANISER_VI"]
    assert lines["ORGANISER_VI"].endswith("[instance config.py]")
    assert lines["DB_SYNCHRONOUS"].endswith("[default]")
    assert "k" * 8 not in result.output
    assert "(hidden, 48 characters)" in lines["SECRET_KEY"]


def test_config_show_explains_a_wrong_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("PAPI_PULSE_INSTANCE", str(tmp_path))
    monkeypatch.setenv("PAPI_PULSE_BASE_URL", "khaosat")
    from click.testing import CliRunner

    result = CliRunner().invoke(ops.config_show_command)
    assert result.exit_code == 1
    assert "Wrong setting: BASE_URL must start with http" in result.output


def test_serve_runs_gunicorn_with_the_package_settings(app, monkeypatch):
    calls = []
    monkeypatch.setattr(ops.os, "execv", lambda path, argv: calls.append(argv))
    monkeypatch.setattr(ops.platform, "system", lambda: "Linux")
    result = app.test_cli_runner().invoke(ops.serve_command, ["--port", "8123", "--workers", "3"])
    assert result.exit_code == 0, result.output
    argv = calls[0]
    assert argv[1:3] == ["-m", "gunicorn"]
    assert "python:survey.gunicorn_conf" in argv and argv[-1] == "survey.wsgi:app"
    assert argv[argv.index("--bind") + 1] == "127.0.0.1:8123"
    assert argv[argv.index("--workers") + 1] == "3"


@pytest.mark.parametrize(
    "arguments,option",
    [(["--workers", "0"], "--workers"), (["--workers", "-3"], "--workers")]
    + [(["--port", "99999"], "--port"), (["--port", "0"], "--port")],
)
def test_serve_refuses_a_worker_count_or_port_out_of_range_in_one_line(
    app, monkeypatch, arguments, option
):
    monkeypatch.setattr(ops.os, "execv", lambda path, argv: pytest.fail(f"started {argv}"))
    monkeypatch.setattr(ops.platform, "system", lambda: "Linux")
    result = app.test_cli_runner().invoke(ops.serve_command, arguments)
    assert result.exit_code == 2, result.output
    assert f"Error: Invalid value for '{option}'" in result.output.splitlines()[-1]


def test_serve_uses_waitress_on_windows(app, monkeypatch):
    import waitress

    served = {}
    monkeypatch.setattr(ops.platform, "system", lambda: "Windows")
    monkeypatch.setattr(waitress, "serve", lambda app, **kw: served.update(kw, app=app))
    result = app.test_cli_runner().invoke(ops.serve_command, ["--port", "8124"])
    assert result.exit_code == 0, result.output
    assert served["port"] == 8124 and served["threads"] == 8
    assert served["app"].name == "survey"


def test_serve_refuses_debug_mode(app, monkeypatch, tmp_path):
    (tmp_path / "instance" / "config.py").write_text("DEBUG = True\n")
    monkeypatch.setattr(ops.os, "execv", lambda path, argv: pytest.fail("started"))
    result = app.test_cli_runner().invoke(ops.serve_command, [])
    assert result.exit_code == 1 and "DEBUG must be off" in result.output


def test_gunicorn_settings_open_the_database_in_each_worker():
    conf = importlib.import_module("survey.gunicorn_conf")
    assert conf.preload_app is False
    assert conf.worker_class == "sync" and 2 <= conf.workers <= 8
    assert conf.accesslog is None and conf.bind.startswith("127.0.0.1:")


def test_wsgi_module_builds_the_app(app, monkeypatch):
    monkeypatch.delitem(__import__("sys").modules, "survey.wsgi", raising=False)
    wsgi = importlib.import_module("survey.wsgi")
    assert wsgi.app.name == "survey" and not wsgi.app.debug
    assert wsgi.app.test_client().get("/healthz").status_code == 200


def test_request_log_has_the_rule_not_the_path_and_nothing_personal(app, client, db):
    point = make_point(db)
    lines = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(record.getMessage())
    requestlog.log.addHandler(handler)
    try:
        client.get(
            f"/s/{point['token']}?lang=en",
            headers={"User-Agent": "SecretPhone/1.0", "X-Forwarded-For": "203.0.113.9"},
            environ_base={"REMOTE_ADDR": "198.51.100.7"},
        )
        client.get("/no/such/page")
    finally:
        requestlog.log.removeHandler(handler)
    first, missing = (json.loads(line) for line in lines)
    assert set(first) == {"time", "method", "endpoint", "status", "duration_ms", "size"}
    assert first["endpoint"] == "/s/<token>" and first["method"] == "GET"
    assert first["status"] == 200 and first["size"] > 1000 and first["duration_ms"] >= 0
    assert missing["endpoint"] is None and missing["status"] == 404
    for text in (point["token"], "lang", "SecretPhone", "203.0.113", "198.51.100"):
        assert text not in "".join(lines)


def test_healthz_reports_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json["status"] == "ok"
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_full_runs_quick_check(client):
    health._quick_check_cache.clear()
    response = client.get("/healthz?full=1")
    assert response.status_code == 200 and response.json["quick_check"] == "ok"


def test_healthz_fails_with_pending_migrations(app, client, monkeypatch):
    extra = migrations.migrations._Migration("m999_pending", lambda db: None)
    monkeypatch.setattr(
        migrations.migrations, "_migrations", [*migrations.migrations._migrations, extra]
    )
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["problem"] == "migrations pending" and response.json["pending"] == 1


def test_healthz_warns_about_an_affected_sqlite(app, client):
    app.config["SQLITE_WARNING"] = "SQLite 3.45.1 has the WAL-reset corruption bug"
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json["status"] == "warning"
    assert "WAL-reset" in response.json["warning"]


def test_healthz_fails_when_the_database_cannot_be_opened(app, client, tmp_path):
    app.config["DATABASE"] = str(tmp_path / "missing-folder" / "db.sqlite3")
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json["problem"] == "database unavailable"


@pytest.fixture
def production_app(tmp_path, monkeypatch):
    """Return an app configured like production (not testing, not debug) with a failing view."""
    monkeypatch.setenv("PAPI_PULSE_INSTANCE", str(tmp_path / "prod"))
    app = create_app({"SECRET_KEY": SECRET})

    def boom():
        raise RuntimeError("secret internals: /etc/papi/config.py line 3")

    app.add_url_rule("/boom", "boom", boom)
    return app


def test_an_exception_in_a_view_shows_the_generic_page_without_traceback(production_app):
    lines = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(record.getMessage())
    logging.getLogger("survey.errors").addHandler(handler)
    try:
        response = production_app.test_client().get("/boom?token=SECRETTOKEN")
    finally:
        logging.getLogger("survey.errors").removeHandler(handler)
    assert response.status_code == 500
    assert "Traceback" not in response.text and "secret internals" not in response.text
    assert "RuntimeError" not in response.text and "<h1>" in response.text
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert lines == ["unhandled error on GET /boom"]


def test_an_oversized_body_gets_the_friendly_413_page(production_app):
    from survey.webdb import open_db

    db = open_db(production_app)
    point = make_point(db)
    db.close()
    response = production_app.test_client().post(
        f"/s/{point['token']}/start", data={"csrf_token": "x" * (3 * 1024 * 1024)}
    )
    assert response.status_code == 413
    assert "<h1>" in response.text and "Traceback" not in response.text

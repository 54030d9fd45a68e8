"""Shared fixtures: an app on a temporary instance folder, its client, CLI runner, db, world."""

import pytest

from survey import create_app
from tests.factories import make_world


@pytest.fixture
def app(tmp_path, monkeypatch):
    """Return an app with a fresh instance folder and database, migrations applied, CSRF off."""
    monkeypatch.setenv("PAPI_PULSE_INSTANCE", str(tmp_path / "instance"))
    app = create_app(
        {
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
            "BASE_URL": "https://khaosat.example.vn",
        }
    )
    yield app


@pytest.fixture
def client(app):
    """Return a test client of the app."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """Return a CLI runner of the app."""
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    """Return a database connection of the app, closed after the test."""
    from survey.webdb import open_db

    handle = open_db(app)
    yield handle
    handle.close()


@pytest.fixture
def world(db):
    """Return the small world of factories.make_world: points, one account per role."""
    return make_world(db)


@pytest.fixture
def pin_v1(app):
    """Pin the app to questionnaire v1, for tests whose stored answers are v1's."""
    app.config["QUESTIONNAIRE"] = "papi-pulse-core:1"
    return app

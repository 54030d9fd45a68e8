"""The storage foundation: pragmas, the SQLite version check, migrations under a lock, secrets."""

import multiprocessing
import os
import stat

import pytest

from survey import create_app, migrations
from survey import db as storage


def test_connections_use_wal_busy_timeout_full_sync_and_foreign_keys(db):
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    # mmap_size turns the WAL-reset race into lasting corruption: it must stay off.
    assert db.execute("PRAGMA mmap_size").fetchone()[0] == 0


def test_the_installed_sqlite_is_not_affected_by_the_wal_reset_bug():
    assert storage.sqlite_version() >= storage.FIXED_SQLITE
    assert storage.sqlite_warning() is None


@pytest.mark.parametrize(
    "version,affected",
    [
        ("3.40.1", True),
        ("3.7.0", True),
        ("3.51.2", True),
        ("3.51.3", False),
        ("3.53.4", False),
        ("3.6.23", False),
    ],
)
def test_affected_sqlite_versions_are_warned_about(monkeypatch, version, affected):
    monkeypatch.setattr(storage.sqlite3, "sqlite_version", version)
    warning = storage.sqlite_warning()
    assert (warning is not None) == affected
    if affected:
        assert version in warning and "3.51.3" in warning


def test_start_up_logs_the_warning_on_an_affected_sqlite(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(storage.sqlite3, "sqlite_version", "3.40.1")
    monkeypatch.setenv("PAPI_PULSE_INSTANCE", str(tmp_path / "instance"))
    app = create_app({"SECRET_KEY": "s" * 40})
    assert "3.40.1" in app.config["SQLITE_WARNING"]
    assert any("WAL-reset" in record.getMessage() for record in caplog.records)


def test_migrations_are_applied_once_and_recorded(db):
    assert migrations.pending(db) == []
    assert migrations.apply(db) == []
    names = [row["name"] for row in db.query("SELECT name FROM _sqlite_migrations")]
    assert names[:5] == [
        "m001_places",
        "m002_points",
        "m003_responses",
        "m004_staff",
        "m005_analysis",
    ]
    assert len(names) == len(set(names))


def test_a_failing_migration_leaves_the_schema_and_rows_as_they_were(db, monkeypatch):
    db.execute("INSERT INTO provinces (code, name, name_ascii, kind) VALUES ('79', 'X', 'x', 'c')")
    tables_before = set(db.table_names())

    @migrations.migrations(name="m999_broken")
    def broken(database):
        database.execute("CREATE TABLE half_done (id INTEGER)")
        raise RuntimeError("disk on fire")

    try:
        with pytest.raises(RuntimeError):
            migrations.apply(db)
        assert set(db.table_names()) == tables_before
        assert "m999_broken" in migrations.pending(db)
        assert db.execute("SELECT count(*) FROM provinces").fetchone()[0] == 1
    finally:
        migrations.migrations._migrations.pop()


def _start(instance: str, queue) -> None:
    """Create the app in a fresh process (as a server worker does) and report the outcome."""
    os.environ["PAPI_PULSE_INSTANCE"] = instance
    try:
        app = create_app()
        queue.put(("ok", app.config["SECRET_KEY"]))
    except Exception as exc:  # noqa: BLE001 - the test reports whatever went wrong
        queue.put(("error", repr(exc)))


def test_several_workers_starting_at_once_on_an_empty_instance_all_start(tmp_path):
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    workers = [
        context.Process(target=_start, args=(str(tmp_path / "instance"), queue)) for _ in range(4)
    ]
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(30)
    assert [status for status, _ in results] == ["ok"] * 4, results
    assert len({key for _, key in results}) == 1  # one secret key, shared by every worker
    from survey.db import connect

    db = connect(str(tmp_path / "instance" / "papi-pulse.sqlite3"))
    assert migrations.pending(db) == []
    names = [row["name"] for row in db.query("SELECT name FROM _sqlite_migrations")]
    assert len(names) == len(set(names))


def test_secret_key_is_generated_once_private_and_different_per_install(tmp_path, monkeypatch):
    keys = []
    for install in ("one", "two"):
        monkeypatch.setenv("PAPI_PULSE_INSTANCE", str(tmp_path / install))
        first = create_app().config["SECRET_KEY"]
        again = create_app().config["SECRET_KEY"]
        assert first == again and len(first) >= 32
        path = tmp_path / install / "secret_key"
        assert path.read_text().strip() == first
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        keys.append(first)
    assert keys[0] != keys[1]


def test_the_command_line_explains_a_locked_database_in_one_line(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from survey import cli

    monkeypatch.setenv("PAPI_PULSE_INSTANCE", str(tmp_path / "instance"))

    def locked(*args, **kwargs):
        raise storage.OperationalError("database is locked")

    monkeypatch.setattr(cli, "create_app", locked)
    result = CliRunner().invoke(cli.main, ["migrate"])
    assert result.exit_code != 0
    assert "database cannot be opened (database is locked)" in result.output
    assert "Traceback" not in result.output


# One more digit than SQLite's largest INTEGER (2**63 - 1 has 19): binding it overflows.
TOO_BIG = "9" * 20


@pytest.mark.parametrize(
    "url,status",
    [
        (f"/ket-qua/anh/{TOO_BIG}.jpg", 404),
        (f"/staff/points/{TOO_BIG}", 404),
        (f"/staff/points/{TOO_BIG}/paper/print?first=1&last=1", 404),
        (f"/staff/notes/{TOO_BIG}/photo.jpg", 404),
        (f"/staff/users/{TOO_BIG}/edit", 404),
        (f"/staff/review/?point={TOO_BIG}", 200),
        (f"/staff/review/?page={TOO_BIG}", 200),
        (f"/staff/audit/?page={TOO_BIG}", 200),
        (f"/staff/points/{{point_id}}/paper/print?first={TOO_BIG}&last={TOO_BIG}", 400),
    ],
)
def test_a_number_too_large_for_sqlite_in_a_url_is_a_4xx_not_a_500(app, db, url, status):
    """A mistyped or hostile id names no row: answered like any unknown one, never a 500."""
    from tests.factories import make_world
    from tests.staff_helpers import client_as

    world = make_world(db)
    client = client_as(app, world, "administrator")
    response = client.get(url.format(point_id=world["point"]["id"]))
    assert response.status_code == status

"""Backups, restores, integrity checks, pre-migration backups, and the polite "try again"."""

# The app's own SQLite library (pysqlite3) throughout: two SQLite copies in one process do not
# see each other's POSIX locks.

from datetime import UTC, datetime, timedelta

import pytest
from citizen.citizen_helpers import answer_page, page_path

from survey import backup, create_app, migrations, responses
from survey.db import OperationalError, sqlite3
from survey.ops import backup_command, check_command, restore_command
from tests.factories import make_point


@pytest.fixture
def instance(app):
    """Return the test app's instance folder, with the database created."""
    return app.instance_path


def cli(app, command, *args, input=None):
    """Invoke an operator command against the test app's instance."""
    return app.test_cli_runner().invoke(command, list(args), input=input)


def add_point(app) -> dict:
    """Create a collection point in the app's database."""
    from survey.webdb import open_db

    db = open_db(app)
    try:
        return make_point(db)
    finally:
        db.close()


def count_points(path) -> int:
    """Count the points in the database file at path."""
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT count(*) FROM points").fetchone()[0]


def test_backup_writes_a_checked_single_file_copy(app, instance):
    add_point(app)
    result = cli(app, backup_command)
    assert result.exit_code == 0, result.output
    written = backup.list_backups(f"{instance}/backups")
    assert len(written) == 1 and f"Backup written: {written[0]}" in result.output
    assert count_points(written[0]) == 1
    with sqlite3.connect(written[0]) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert backup.verify(written[0]) == []


def test_backup_keeps_only_the_newest_scheduled_copies(app, tmp_path, monkeypatch):
    monkeypatch.setenv("PAPI_PULSE_BACKUP_KEEP", "2")
    folder = tmp_path / "elsewhere"
    marker = backup.write_backup(sqlite3.connect(app.config["DATABASE"]), folder, "before-restore")
    written = []
    for _ in range(4):
        result = cli(app, backup_command, "--to", str(folder))
        assert result.exit_code == 0, result.output
        written.append(result.output.strip().removeprefix("Backup written: "))
    assert len(set(written)) == 4
    assert [str(p) for p in backup.list_backups(folder) if p != marker] == written[-2:]
    assert marker.exists()


UTC_NOON = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
CLOCKS = {
    "one instant": [UTC_NOON] * 12,
    "across a second": [
        UTC_NOON - timedelta(microseconds=1),
        UTC_NOON - timedelta(microseconds=1),
        UTC_NOON,
        UTC_NOON,
        UTC_NOON + timedelta(seconds=1),
    ],
    "microseconds apart": [UTC_NOON + timedelta(microseconds=n) for n in (1, 9, 10, 99, 100)],
}


@pytest.mark.parametrize("clock", CLOCKS.values(), ids=CLOCKS.keys())
def test_backups_sort_in_the_order_they_were_written(app, tmp_path, clock):
    conn = sqlite3.connect(app.config["DATABASE"])
    written = [backup.write_backup(conn, tmp_path, keep=3, now=moment) for moment in clock]
    assert len(set(written)) == len(clock)
    assert backup.list_backups(tmp_path) == written[-3:]


def test_backups_named_before_microseconds_sort_among_the_new_ones(app, tmp_path):
    for name in ("20260301T120000Z-2", "20260301T120000Z", "20260301T115959Z"):
        (tmp_path / f"papi-pulse-{name}.sqlite3").touch()
    conn = sqlite3.connect(app.config["DATABASE"])
    new = backup.write_backup(conn, tmp_path, now=UTC_NOON + timedelta(microseconds=1))
    assert [p.name for p in backup.list_backups(tmp_path)] == [
        "papi-pulse-20260301T115959Z.sqlite3",
        "papi-pulse-20260301T120000Z.sqlite3",
        "papi-pulse-20260301T120000Z-2.sqlite3",
        new.name,
    ]
    backup.prune(tmp_path, 1)
    assert backup.list_backups(tmp_path) == [new]


def test_backup_is_consistent_while_another_connection_writes(app, tmp_path):
    point = add_point(app)
    writer = sqlite3.connect(app.config["DATABASE"], isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE points SET name = 'half-done' WHERE id = ?", [point["id"]])
    path = backup.write_backup(sqlite3.connect(app.config["DATABASE"]), tmp_path)
    writer.execute("COMMIT")
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT name FROM points").fetchone()[0] == "Bộ phận Một cửa"


def test_restore_puts_a_backup_in_place_and_keeps_the_replaced_database(app, instance):
    add_point(app)
    cli(app, backup_command)
    saved = backup.list_backups(f"{instance}/backups")[0]
    add_point_later = add_point(app)
    assert count_points(app.config["DATABASE"]) == 2
    result = cli(app, restore_command, str(saved), "--yes")
    assert result.exit_code == 0, result.output
    assert count_points(app.config["DATABASE"]) == 1
    before = [p for p in backup.list_backups(f"{instance}/backups") if "before-restore" in p.name]
    assert len(before) == 1 and count_points(before[0]) == 2 and add_point_later
    assert cli(app, check_command).exit_code == 0


@pytest.mark.parametrize(
    "content, message",
    [
        (b"not a database at all" * 100, "is not a readable SQLite database"),
        (None, "is not a PAPI Pulse database"),
    ],
)
def test_restore_refuses_files_that_are_not_papi_pulse_databases(app, tmp_path, content, message):
    add_point(app)
    bad = tmp_path / "bad.sqlite3"
    if content is None:
        sqlite3.connect(bad).execute("CREATE TABLE x (y)")
    else:
        bad.write_bytes(content)
    result = cli(app, restore_command, str(bad), "--yes")
    assert result.exit_code == 1 and message in result.output
    assert count_points(app.config["DATABASE"]) == 1


def test_restore_refuses_a_backup_from_a_newer_version(app, tmp_path):
    cli(app, backup_command, "--to", str(tmp_path))
    newer = backup.list_backups(tmp_path)[0]
    with sqlite3.connect(newer) as conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
            " VALUES ('papi_pulse', 'm999_future', '2030-01-01')"
        )
    result = cli(app, restore_command, str(newer), "--yes")
    assert result.exit_code == 1 and "m999_future" in result.output


def test_restore_asks_for_confirmation(app, tmp_path):
    cli(app, backup_command, "--to", str(tmp_path))
    result = cli(app, restore_command, str(backup.list_backups(tmp_path)[0]), input="n\n")
    assert result.exit_code == 1 and "The server must be stopped" in result.output


def test_check_reports_foreign_key_problems_and_exits_non_zero(app):
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute(
            "INSERT INTO points (ward_code, name, kind, token, created_at, updated_at)"
            " VALUES ('00000', 'ghost', 'one_stop', 'TOKEN', '', '')"
        )
    result = cli(app, check_command)
    assert result.exit_code == 1
    assert "points to a missing row of wards" in result.output


def test_check_passes_on_a_sound_database(app):
    add_point(app)
    result = cli(app, check_command)
    assert result.exit_code == 0 and "Database is sound" in result.output


def test_check_fails_on_a_corrupt_file(app):
    add_point(app)
    path = app.config["DATABASE"]
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    with open(path, "r+b") as handle:
        handle.seek(4096 * 2)
        handle.write(b"\xff" * 4096 * 3)
    result = cli(app, check_command)
    assert result.exit_code == 1


def test_pending_migrations_are_applied_after_a_backup(app, monkeypatch, tmp_path):
    add_point(app)

    def m999_test(db):
        db.execute("CREATE TABLE upgraded (x)")

    extra = migrations.migrations._Migration("m999_test", m999_test)
    monkeypatch.setattr(
        migrations.migrations, "_migrations", [*migrations.migrations._migrations, extra]
    )
    upgraded = create_app({"SECRET_KEY": app.config["SECRET_KEY"], "TESTING": True})
    folder = f"{upgraded.instance_path}/backups"
    before = [p for p in backup.list_backups(folder) if "before-migration" in p.name]
    assert len(before) == 1
    with sqlite3.connect(before[0]) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        assert "upgraded" not in tables and "points" in tables
    with sqlite3.connect(upgraded.config["DATABASE"]) as conn:
        assert conn.execute("SELECT count(*) FROM upgraded").fetchone()[0] == 0


def test_a_fresh_database_is_not_backed_up(tmp_path, monkeypatch):
    monkeypatch.setenv("PAPI_PULSE_INSTANCE", str(tmp_path / "fresh"))
    create_app({"SECRET_KEY": "x" * 40, "TESTING": True})
    assert backup.list_backups(tmp_path / "fresh" / "backups") == []


def walk_to_the_end(client, point) -> tuple[str, dict, object]:
    """Answer pages until a POST does not redirect to another page; return the last POST."""
    location = client.post(f"/s/{point['token']}/start").headers["Location"]
    for _ in range(40):
        path = page_path(location)
        data = answer_page(client.get(location).text)
        response = client.post(path, data=data)
        if response.status_code != 303 or "/thanks" in response.headers["Location"]:
            return path, data, response
        location = response.headers["Location"]
    raise AssertionError("the questionnaire did not end")


def test_full_disk_shows_try_again_and_pressing_again_stores_once(app, client, monkeypatch):
    point = add_point(app)

    def full(db, record):
        raise OperationalError("database or disk is full")

    monkeypatch.setattr(responses, "store_response", full)
    path, data, response = walk_to_the_end(client, point)
    assert response.status_code == 503
    assert "Vui lòng bấm nút gửi lại sau giây lát" in response.text
    assert "Traceback" not in response.text and "disk is full" not in response.text
    monkeypatch.undo()
    again = client.post(path, data=data)
    assert again.status_code == 303 and "/thanks" in again.headers["Location"]
    assert client.post(path, data=data).status_code in (303, 400)
    from survey.webdb import open_db

    db = open_db(app)
    assert responses.count(db) == 1
    db.close()


def test_locked_database_shows_try_again_and_nothing_is_lost(app, client):
    point = add_point(app)
    client_two = app.test_client()
    _path, _data, done = walk_to_the_end(client_two, point)
    assert done.status_code == 303
    app.config["DB_BUSY_TIMEOUT_MS"] = 50
    holder = sqlite3.connect(app.config["DATABASE"], isolation_level=None)
    location = client.post(f"/s/{point['token']}/start").headers["Location"]
    holder.execute("BEGIN IMMEDIATE")
    try:
        for _ in range(40):
            path = page_path(location)
            data = answer_page(client.get(location).text)
            response = client.post(path, data=data)
            if response.status_code != 303:
                break
            location = response.headers["Location"]
        assert response.status_code == 503
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    again = client.post(path, data=data)
    assert again.status_code == 303 and "/thanks" in again.headers["Location"]
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        assert conn.execute("SELECT count(*) FROM responses").fetchone()[0] == 2

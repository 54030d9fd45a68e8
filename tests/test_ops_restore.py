"""Restore: only a sound PAPI Pulse database of a known version, never under a running server."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from survey import backup, create_app, migrations, serverlock
from survey.db import sqlite3
from survey.ops import backup_command, restore_command
from tests.factories import make_point

BENCH = Path(__file__).resolve().parent.parent / "bench"


def cli(app, command, *args):
    """Invoke an operator command against the test app's instance."""
    return app.test_cli_runner().invoke(command, list(args))


@pytest.fixture
def live(app):
    """Return the path of the test app's database, holding one point, fully checkpointed."""
    from survey.webdb import open_db

    db = open_db(app)
    make_point(db)
    db.close()
    return Path(app.config["DATABASE"])


@pytest.fixture
def sound(app, live, tmp_path) -> Path:
    """Return a sound backup of the live database."""
    result = cli(app, backup_command, "--to", str(tmp_path / "backups"))
    assert result.exit_code == 0, result.output
    return backup.list_backups(tmp_path / "backups")[-1]


def state(path: Path) -> tuple[bytes, bool]:
    """Return the bytes of a database file and whether it has a write-ahead log beside it."""
    return path.read_bytes(), Path(f"{path}-wal").exists()


def edit(path: Path, *statements: str) -> None:
    """Run statements on the database file at path."""
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in statements:
        conn.execute(statement)
    conn.close()


def claim_every_migration(target: Path) -> None:
    """Give the file at target our application id and a history of every migration."""
    edit(target, f"PRAGMA application_id = {migrations.APPLICATION_ID}")
    edit(target, "CREATE TABLE _sqlite_migrations (migration_set TEXT, name TEXT, applied_at TEXT)")
    for m in migrations.migrations._migrations:
        edit(target, f"INSERT INTO _sqlite_migrations VALUES ('papi_pulse', '{m.name}', '')")


def look_alike(sound: Path, target: Path) -> None:
    """Make a file with our table names, id and migration history but one column per table."""
    with sqlite3.connect(sound) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    edit(target, *(f"CREATE TABLE {t} (x)" for t in tables if t != "_sqlite_migrations"))
    claim_every_migration(target)


def empty_look_alike(sound: Path, target: Path) -> None:
    """Make a file holding only our id and a migration history that claims every migration."""
    claim_every_migration(target)


def copy_then(*statements: str):
    """Return a maker that copies the sound backup and runs statements on the copy."""

    def make(sound: Path, target: Path) -> None:
        target.write_bytes(sound.read_bytes())
        edit(target, *statements)

    return make


def corrupt(sound: Path, target: Path) -> None:
    """Copy the sound backup and overwrite pages in its middle."""
    data = bytearray(sound.read_bytes())
    page = 4096
    data[page * 2 : page * 5] = b"\xff" * page * 3
    target.write_bytes(bytes(data))


def foreign(sound: Path, target: Path) -> None:
    """Make another application's SQLite database."""
    edit(
        target,
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)",
        "INSERT INTO notes VALUES (1, 'x')",
    )


BAD_FILES = {
    "look-alike, wrong columns": (
        look_alike,
        "of a known version: table aggregates has other columns",
    ),
    "look-alike, empty schema": (empty_look_alike, "of a known version: no table aggregates"),
    "a column dropped": (
        copy_then("ALTER TABLE responses DROP COLUMN source"),
        "table responses has other columns",
    ),
    "an extra table": (copy_then("CREATE TABLE extra (x)"), "an unknown table extra"),
    "an index dropped": (
        copy_then("DROP INDEX responses_ward_time"),
        "no index responses_ward_time",
    ),
    "foreign database": (foreign, "it has no migration history"),
    "foreign application id": (
        copy_then("PRAGMA application_id = 1598903374"),
        "it belongs to another application",
    ),
    "newer database": (
        copy_then(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
            " VALUES ('papi_pulse', 'm999_future', '2030-01-01')"
        ),
        "comes from a newer PAPI Pulse (unknown migrations: m999_future)",
    ),
    "a gap in the migration history": (
        copy_then("DELETE FROM _sqlite_migrations WHERE name = 'm003_responses'"),
        "its migration history is empty or out of order",
    ),
    "corrupt file": (corrupt, "is not a readable SQLite database"),
    "not an SQLite file": (
        lambda sound, target: target.write_bytes(b"papi-pulse backup? no.\n" * 300),
        "is not a readable SQLite database (not an SQLite file)",
    ),
    "an empty file": (lambda sound, target: target.write_bytes(b""), "not an SQLite file"),
}


@pytest.mark.parametrize("make, message", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_restore_refuses_what_is_not_a_sound_known_database(
    app, live, sound, tmp_path, make, message
):
    bad = tmp_path / "bad.sqlite3"
    make(sound, bad)
    before = state(live)
    result = cli(app, restore_command, str(bad), "--yes")
    assert result.exit_code == 1
    assert result.output.startswith("Error: Not restored: ") and message in result.output
    assert result.output.count("\n") == 1, result.output
    assert state(live) == before
    assert not list((Path(app.instance_path) / "backups").glob("*before-restore*"))


def test_a_backup_from_before_the_last_migrations_restores_and_is_upgraded(app, live, tmp_path):
    # Made by the migrations themselves, up to the one before the application id, so that it
    # stays a true older database whatever migrations come later.
    names = [m.name for m in migrations.migrations._migrations]
    count = names.index("m008_application_id")
    older = tmp_path / "older.sqlite3"
    source, target = migrations.reference(count), sqlite3.connect(older)
    source.conn.backup(target)
    target.close()
    source.close()
    assert backup.verify(older) == []
    result = cli(app, restore_command, str(older), "--yes")
    assert result.exit_code == 0, result.output
    assert migrations.pending(backup_db(live)) == names[count:]
    create_app({"SECRET_KEY": app.config["SECRET_KEY"], "TESTING": True})
    assert migrations.pending(backup_db(live)) == []


def backup_db(path: Path):
    """Open the database at path as the app does."""
    from survey.db import connect

    return connect(str(path))


def test_a_sound_backup_restores_and_the_app_starts_on_it(app, live, sound):
    edit(live, "DELETE FROM points")
    result = cli(app, restore_command, str(sound), "--yes")
    assert result.exit_code == 0, result.output
    restarted = create_app({"SECRET_KEY": app.config["SECRET_KEY"], "TESTING": True})
    assert restarted.test_client().get("/healthz").status_code == 200
    with sqlite3.connect(live) as conn:
        assert conn.execute("SELECT count(*) FROM points").fetchone()[0] == 1
        assert conn.execute("PRAGMA application_id").fetchone()[0] == migrations.APPLICATION_ID


def test_restore_is_refused_while_a_server_holds_the_lock(app, live, sound):
    before = state(live)
    serverlock.hold(app.instance_path)
    try:
        result = cli(app, restore_command, str(sound), "--yes")
    finally:
        serverlock.release(app.instance_path)
    assert result.exit_code == 1 and result.output.count("\n") == 1
    assert "the server is running" in result.output and "Stop it first" in result.output
    assert state(live) == before
    assert cli(app, restore_command, str(sound), "--yes").exit_code == 0


def test_waitress_and_the_development_server_hold_the_lock(app, monkeypatch):
    import waitress
    from flask.cli import run_command

    from survey import cli as app_cli
    from survey import ops

    seen = []

    def locked(*_args, **_kwargs):
        try:
            with serverlock.exclusive(app.instance_path):
                seen.append("free")
        except serverlock.ServerRunning:
            seen.append("held")

    monkeypatch.setattr(ops.platform, "system", lambda: "Windows")
    monkeypatch.setattr(waitress, "serve", locked)
    monkeypatch.setattr(run_command, "callback", locked)
    try:
        assert app.test_cli_runner().invoke(ops.serve_command, []).exit_code == 0
        serverlock.release(app.instance_path)
        result = CliRunner().invoke(app_cli.main, ["run"])
        assert result.exit_code == 0, result.output
    finally:
        serverlock.release(app.instance_path)
    assert seen == ["held", "held"]


def papi_pulse(env: dict, *args: str) -> subprocess.CompletedProcess:
    """Run the papi-pulse command in a child process."""
    script = str(Path(sys.executable).parent / "papi-pulse")
    return subprocess.run([script, *args], env=env, capture_output=True, text=True, timeout=120)  # noqa: S603


def lock_is_free(instance) -> bool:
    """Return whether no process holds the server lock of instance."""
    try:
        with serverlock.exclusive(instance):
            return True
    except serverlock.ServerRunning:
        return False


@pytest.mark.slow
def test_restore_is_refused_while_gunicorn_runs_and_allowed_after_kill_9(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    loadlib = __import__("loadlib")
    instance = tmp_path / "instance"
    env, _token, _secret = loadlib.make_instance(instance)
    assert papi_pulse(env, "backup", "--to", str(tmp_path / "saved")).returncode == 0
    saved = backup.list_backups(tmp_path / "saved")[-1]
    server = loadlib.start_server(env, loadlib.free_port(), workers=2)
    try:
        workers = loadlib.worker_pids(server.pid)
        assert workers
        refused = papi_pulse(env, "restore", str(saved), "--yes")
        assert refused.returncode == 1 and "the server is running" in refused.stderr
        assert refused.stderr.count("\n") == 1, refused.stderr
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=30)
        # The workers share the master's lock until they notice it is gone and exit.
        deadline = time.monotonic() + 60
        while not lock_is_free(instance):
            assert time.monotonic() < deadline, "the lock outlived gunicorn's workers"
            time.sleep(0.1)
        allowed = papi_pulse(env, "restore", str(saved), "--yes")
        assert allowed.returncode == 0, allowed.stderr
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        sys.modules.pop("loadlib", None)

"""A full disk: operator commands say so in one line; staff can read, writes answer 503."""

import errno
import html
import re
from datetime import date

import pytest

from survey import backup, i18n, notes
from survey import db as storage
from survey.db import sqlite3
from survey.ops import backup_command, check_command
from survey.paper import store
from survey.questionnaire import latest
from tests.factories import BEN_THANH, MATRIX_RESPONSE_ID, make_flagged_response
from tests.staff_helpers import client_as
from tests.staff_matrix import ROUTES

NO_SPACE = OSError(errno.ENOSPC, "No space left on device")
WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


class FullDiskConnection(sqlite3.Connection):
    """A connection on a full disk: every statement that writes fails as SQLite's does."""

    def execute(self, sql, *args):
        """Refuse a write with SQLITE_FULL's message; run anything else."""
        if WRITE.match(sql):
            raise sqlite3.OperationalError("database or disk is full")
        return super().execute(sql, *args)

    def executemany(self, sql, *args):
        """Refuse a write with SQLITE_FULL's message; run anything else."""
        if WRITE.match(sql):
            raise sqlite3.OperationalError("database or disk is full")
        return super().executemany(sql, *args)


class _FullDiskSqlite:
    """The sqlite3 module as survey.db sees it, with every new connection on a full disk."""

    def __getattr__(self, name):
        return getattr(sqlite3, name)

    def connect(self, *args, **kwargs):
        """Open a connection whose writes fail."""
        return sqlite3.connect(*args, factory=FullDiskConnection, **kwargs)


@pytest.fixture
def full_disk(monkeypatch):
    """Make every database connection opened from now on fail its writes, as on a full disk."""
    monkeypatch.setattr(storage, "sqlite3", _FullDiskSqlite())


def cli(app, command, *args):
    """Invoke an operator command against the test app's instance."""
    return app.test_cli_runner().invoke(command, list(args))


def one_line(result) -> str:
    """Return the command's only line of output; fail if it wrote more or a traceback."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and result.output.count("\n") == 1, result.output
    return result.output


def test_a_real_sqlite_full_error_is_recognised(tmp_path):
    conn = sqlite3.connect(tmp_path / "tiny.sqlite3", isolation_level=None)
    conn.execute("CREATE TABLE t (x)")
    conn.execute("PRAGMA max_page_count = 2")
    with pytest.raises(sqlite3.OperationalError) as caught:
        conn.execute("INSERT INTO t VALUES (?)", ["x" * 20000])
    assert storage.is_disk_full(caught.value) and storage.is_disk_full(NO_SPACE)
    assert not storage.is_disk_full(sqlite3.OperationalError("database is locked"))
    assert not storage.is_disk_full(OSError(errno.EACCES, "Permission denied"))


def test_backup_on_a_full_disk_says_so_in_one_line(app, tmp_path, monkeypatch):
    connect = sqlite3.connect

    def tiny_copy(path, *args, **kwargs):
        """Open the backup's copy on a disk with room for two pages, as SQLite sees it."""
        conn = connect(path, *args, **kwargs)
        if str(path).endswith(".partial"):
            conn.execute("PRAGMA max_page_count = 2")
        return conn

    monkeypatch.setattr(backup.sqlite3, "connect", tiny_copy)
    output = one_line(cli(app, backup_command, "--to", str(tmp_path / "b")))
    assert output.startswith("Error: Backup failed: the disk is full")
    assert "database or disk is full" in output and "Free some space" in output
    assert list((tmp_path / "b").iterdir()) == []


@pytest.mark.parametrize("seam", ["_reserve_name", "os.replace"])
def test_backup_when_the_file_system_refuses_says_so_in_one_line(app, tmp_path, monkeypatch, seam):
    def refuse(*_args, **_kwargs):
        raise NO_SPACE

    if seam == "_reserve_name":  # creating the partial file
        monkeypatch.setattr(backup, "_reserve_name", refuse)
    else:  # giving the checked copy its name
        monkeypatch.setattr(backup.os, "replace", refuse)
    folder = tmp_path / "b"
    output = one_line(cli(app, backup_command, "--to", str(folder)))
    assert output.startswith("Error: Backup failed: the disk is full")
    assert "No space left on device" in output
    assert not folder.exists() or list(folder.iterdir()) == []


def test_check_on_a_full_disk_says_so_in_one_line(app, monkeypatch):
    def full(conn):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(backup, "integrity_problems", full)
    output = one_line(cli(app, check_command))
    assert output.startswith("Error: The database cannot be checked: the disk is full")


def test_check_when_the_database_cannot_be_opened_on_a_full_disk(app, monkeypatch):
    def no_shared_memory(*_args, **_kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(storage, "connect", no_shared_memory)
    output = one_line(cli(app, check_command))
    assert "the disk is full" in output and "Free some space" in output


def test_commands_on_a_full_disk_at_start_up_say_so_in_one_line(app, monkeypatch):
    def no_room(*_args, **_kwargs):
        raise NO_SPACE

    monkeypatch.setattr(i18n, "compile_catalogues", no_room)
    for command in (backup_command, check_command):
        output = one_line(cli(app, command))
        assert output.startswith("Error: PAPI Pulse could not start: the disk is full")


def _url(route, world):
    """Fill a matrix route's placeholders from the world."""
    return route.url.format(
        point_id=world["point"]["id"],
        other_point_id=world["other_point"]["id"],
        user_id=world["users"]["ward_staff"]["id"],
        ward_code=world["point"]["ward_code"],
        province_code="79",
        response_id=MATRIX_RESPONSE_ID,
        note_id=world["note"]["id"],
    )


READS = [r for r in ROUTES if r.method == "GET"]
# Writes an administrator may make, with the data that succeeds on a healthy disk. Signing
# out is one: it ends the account's sessions on the server.
WRITES = [
    r
    for r in ROUTES
    if r.changes_state
    and r.expected["administrator"] in (200, 302)
    # Reactivating the world's active point writes nothing (ffdd8f2): nothing to refuse.
    and not r.url.endswith("/reactivate")
]


@pytest.fixture
def staff_world(app, db, world):
    """Return the staff world with what the role matrix adds: an answer, a form, a note."""
    make_flagged_response(db, world["point"], questionnaire_version=2)  # the current version
    store.reserve(db, world["point"]["id"], latest("papi-pulse-core"), 1, False, None)
    world["note"] = notes.write(
        db, None, BEN_THANH, "d5", "Không có ghế", "Thêm ghế", date(2026, 3, 3), "Một cửa"
    )
    return world


@pytest.mark.parametrize("route", READS, ids=[r.url for r in READS])
def test_staff_read_pages_stay_up_on_a_full_disk(app, staff_world, full_disk, route):
    client = client_as(app, staff_world, "administrator")
    response = client.get(_url(route, staff_world))
    try:
        assert response.status_code == route.expected["administrator"], response.text[:300]
    finally:
        response.close()  # a file download streams from an open file


@pytest.mark.parametrize("route", WRITES, ids=[f"{r.method} {r.url}" for r in WRITES])
def test_staff_writes_answer_503_with_the_reason_on_a_full_disk(app, staff_world, full_disk, route):
    client = client_as(app, staff_world, "administrator")
    response = client.open(_url(route, staff_world), method=route.method, data=route.data)
    assert response.status_code == 503
    text = html.unescape(response.text)
    assert "<h1>Nothing was saved</h1>" in text
    assert "The server's disk is full, so this change was not saved." in text
    assert "database or disk is full" not in text


def test_signing_out_on_a_full_disk_changes_nothing_and_says_so(app, staff_world, full_disk):
    client = client_as(app, staff_world, "administrator")
    assert client.post("/staff/logout").status_code == 503
    assert client.get("/staff/").status_code == 200


def test_the_full_disk_page_is_in_vietnamese(app, staff_world, full_disk):
    client = client_as(app, staff_world, "administrator")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "vi"
    point = staff_world["point"]["id"]
    response = client.post(f"/staff/points/{point}/edit", data={"name": "Tên", "kind": "outreach"})
    assert response.status_code == 503
    text = html.unescape(response.text)
    assert "<h1>Chưa lưu được</h1>" in text
    assert "Ổ đĩa của máy chủ đã đầy" in text

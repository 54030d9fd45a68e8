"""A final submit is one durable transaction on a connection the worker keeps."""

import fcntl
import os
import shutil
import subprocess
import sys
import threading

from survey import backup, exports, responses, webdb
from survey import db as db_module
from survey.citizen import draft as drafts
from survey.db import OperationalError
from survey.estimation import stored
from tests.citizen.citizen_helpers import answer_page, page_path
from tests.test_ops_durability import add_point, walk_to_the_end


def traced_final_submit(app, client, point, statements):
    """Walk to the last page, then trace the connection while the last page is sent."""
    location = client.post(f"/s/{point['token']}/start").headers["Location"]
    client.get(location)  # the request thread's connection now exists
    db = webdb._kept.entry[1]
    db.conn.set_trace_callback(statements.append)
    try:
        return walk_to_the_end(client, point)
    finally:
        db.conn.set_trace_callback(None)


def test_a_final_submit_commits_once(app, client):
    point = add_point(app)
    statements = []
    path, data, response = traced_final_submit(app, client, point, statements)
    assert "/thanks" in response.headers["Location"]
    start = max(i for i, s in enumerate(statements) if s.startswith("BEGIN IMMEDIATE"))
    last = statements[start:]
    assert sum(s.startswith(("BEGIN", "COMMIT")) for s in last) == 2
    assert any(s.startswith("INSERT INTO rate_limits") for s in last)
    assert any(s.startswith("INSERT INTO responses") for s in last)
    assert last[-1] == "COMMIT"
    commits = [s for s in statements if s == "COMMIT"]
    pages = sum(s.startswith("BEGIN IMMEDIATE") for s in statements)
    assert len(commits) == pages  # no page commits twice


def test_a_refused_submit_writes_nothing(app, client):
    app.config["RATE_LIMIT_SUBMISSIONS_PER_HOUR"] = 1
    point = add_point(app)
    walk_to_the_end(client, point)
    other = app.test_client()
    path, data, response = walk_to_the_end(other, point)
    assert response.status_code == 429
    db = webdb.open_db(app)
    try:
        assert responses.count(db) == 1
        hits = db.execute("SELECT sum(hits) FROM rate_limits WHERE action = 'finish'").fetchone()
        assert hits[0] == 1
    finally:
        db.close()


def test_the_connection_is_kept_and_reopened_when_the_file_is_replaced(app, client, tmp_path):
    """A file put in place of the database (a new inode) is read, not the deleted one."""
    point = add_point(app)
    client.get(f"/s/{point['token']}")
    first = webdb._kept.entry[1]
    client.get(f"/s/{point['token']}")
    assert webdb._kept.entry[1] is first
    walk_to_the_end(client, point)
    # Replace the file as a restore does (a new inode): the next request reads the new file.
    path = app.config["DATABASE"]
    copy = tmp_path / "copy.sqlite3"
    source = webdb.open_db(app)
    source.execute("VACUUM INTO ?", [str(copy)])
    source.close()
    walk_to_the_end(app.test_client(), point)
    first.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # nothing of the old file left in its WAL
    shutil.move(copy, path)
    assert client.get(f"/s/{point['token']}").status_code == 200
    assert webdb._kept.entry[1] is not first
    assert responses.count(webdb._kept.entry[1]) == 1


def test_a_restore_under_a_kept_connection_is_seen_by_the_next_request(app, client, tmp_path):
    """restore copies into the live file: the kept connection reads the restored data."""
    point = add_point(app)
    walk_to_the_end(client, point)
    db = webdb._kept.entry[1]
    saved = backup.write_backup(db.conn, tmp_path / "backups")
    walk_to_the_end(app.test_client(), point)
    assert responses.count(db) == 2
    backup.restore(saved, app.config["DATABASE"], tmp_path / "backups")
    assert client.get(f"/s/{point['token']}").status_code == 200
    assert webdb._kept.entry[1] is db
    assert responses.count(db) == 1


def test_a_final_submit_reads_and_writes_only_what_it_needs(app, client):
    """Point, one id probe, the limiter's read and upsert, the burst count, the insert (#10.6)."""
    point = add_point(app)
    walk_to_the_end(app.test_client(), point)  # the first answer of the hour opens its window
    statements = []
    traced_final_submit(app, client, point, statements)
    start = max(i for i, s in enumerate(statements) if s.startswith("BEGIN IMMEDIATE"))
    before, inside = statements[:start], statements[start:]
    probes = [s for s in before if "FROM responses" in s]
    assert probes and all(s.startswith("SELECT 1 FROM responses WHERE id = ") for s in probes)
    kinds = []
    for statement in inside:
        kind = " ".join(statement.split()[:4])
        # The triggers' programs are traced with their statement's text: count it once.
        if not kind.startswith(("SAVEPOINT", "RELEASE")) and kinds[-1:] != [kind]:
            kinds.append(kind)
    assert kinds == [
        "BEGIN IMMEDIATE",
        "SELECT window_start, hits FROM",
        "INSERT INTO rate_limits (key,",
        "SELECT count(*) FROM (SELECT",
        "INSERT INTO responses (id,",
        "COMMIT",
    ]


def test_a_failed_insert_rolls_back_the_count_and_a_retry_counts_once(app, client, monkeypatch):
    point = add_point(app)
    original = responses.store_response

    def full(db, record):
        original(db, record)
        raise OperationalError("database or disk is full")

    monkeypatch.setattr(responses, "store_response", full)
    path, data, response = walk_to_the_end(client, point)
    assert response.status_code == 503
    db = webdb.open_db(app)
    try:
        assert responses.count(db) == 0  # the insert was made, then rolled back with the count
        assert (
            db.execute("SELECT count(*) FROM rate_limits WHERE action = 'finish'").fetchone()[0]
            == 0
        )
        monkeypatch.undo()
        assert "/thanks" in client.post(path, data=data).headers["Location"]
        assert responses.count(db) == 1
        hits = db.execute("SELECT sum(hits) FROM rate_limits WHERE action = 'finish'").fetchone()
        assert hits[0] == 1
    finally:
        db.close()


def lock_is_free(path) -> bool:
    """Tell whether the writers' lock file can be locked exclusively right now."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def test_a_final_submit_waits_its_turn_on_the_writers_lock(app, client):
    """Web writers queue in the kernel, woken at once, instead of SQLite's sleeping retries."""
    point = add_point(app)
    path = db_module.writers_lock_path(app.config["DATABASE"])
    seen = []

    def during(statement):
        if statement.startswith(("INSERT INTO responses", "COMMIT")):
            seen.append((statement.split()[0], lock_is_free(path)))

    location = client.post(f"/s/{point['token']}/start").headers["Location"]
    client.get(location)
    db = webdb._kept.entry[1]
    db.conn.set_trace_callback(during)
    try:
        _path, _data, response = walk_to_the_end(client, point)
    finally:
        db.conn.set_trace_callback(None)
    assert "/thanks" in response.headers["Location"]
    assert ("INSERT", False) in seen and ("COMMIT", False) in seen
    assert lock_is_free(path)  # given back with the commit


def test_the_row_is_prepared_before_the_write_transaction(app, client, monkeypatch):
    """Masking, JSON and export cells are done before BEGIN: the lock covers only SQL."""
    point = add_point(app)
    in_transaction = []
    original = exports.cell_writer

    def writer(questionnaire):
        in_transaction.append(webdb.get_db().conn.in_transaction)
        return original(questionnaire)

    monkeypatch.setattr(exports, "cell_writer", writer)
    _path, _data, response = walk_to_the_end(client, point)
    assert "/thanks" in response.headers["Location"]
    assert in_transaction == [False]


def test_commands_do_not_queue_and_a_thread_never_waits_for_itself(app):
    """A command keeps the busy timeout; a second connection of one thread fails, not hangs."""
    assert webdb.open_db(app).writers_lock is None
    first = webdb.open_db(app, queue_writers=True)
    second = db_module.connect(app.config["DATABASE"], 50, queue_writers=True)
    outcome = []

    def nested():
        with db_module.immediate(first):
            try:
                with db_module.immediate(second):
                    outcome.append("entered")
            except OperationalError as exc:
                outcome.append(str(exc))

    thread = threading.Thread(target=nested, daemon=True)
    thread.start()
    thread.join(timeout=30)
    first.close()
    second.close()
    assert not thread.is_alive() and outcome == ["database is locked"]


def test_a_killed_holder_of_the_writers_lock_blocks_no_one(app, client):
    """The kernel drops the lock of a process killed with SIGKILL: the next submit goes on."""
    point = add_point(app)
    path = db_module.writers_lock_path(app.config["DATABASE"])
    with subprocess.Popen(  # noqa: S603 - fixed command
        [sys.executable, "-c", HOLD_LOCK, path], stdout=subprocess.PIPE, text=True
    ) as holder:
        try:
            assert holder.stdout.readline().strip() == "held"
            assert not lock_is_free(path)
        finally:
            holder.kill()
    _path, _data, response = walk_to_the_end(client, point)
    assert "/thanks" in response.headers["Location"]


HOLD_LOCK = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(600)
"""


def test_a_page_post_checks_its_draft_signature_once(app, client, monkeypatch):
    """The draft cookie and the hidden field carry the same string: it is verified once."""
    point = add_point(app)
    location = client.post(f"/s/{point['token']}/start").headers["Location"]
    data = answer_page(client.get(location).text)
    assert client.get_cookie(drafts.cookie_name(point["token"])).value == data["state"]
    loaded = []
    original = drafts.load

    def counting(signed, *args):
        if signed:
            loaded.append(signed)
        return original(signed, *args)

    monkeypatch.setattr(drafts, "load", counting)
    response = client.post(page_path(location), data=data)
    assert response.status_code == 303 and "/p/" in response.headers["Location"]
    assert loaded == [data["state"]]


def test_final_submits_do_not_rebuild_or_rehash_the_engine_spec(app, monkeypatch):
    """The spec is kept per loaded questionnaire version: spec_of (spec_for hashes it) runs once."""
    point = add_point(app)
    responses._specs.clear()
    calls = []
    original = stored.spec_of

    def counting(questionnaire):
        calls.append(questionnaire.version)
        return original(questionnaire)

    monkeypatch.setattr(stored, "spec_of", counting)
    for _ in range(2):
        _path, _data, response = walk_to_the_end(app.test_client(), point)
        assert "/thanks" in response.headers["Location"]
    assert len(calls) == 1
    db = webdb.open_db(app)
    try:
        assert (
            db.execute("SELECT count(*) FROM responses WHERE decoded IS NOT NULL").fetchone()[0]
            == 2
        )
    finally:
        db.close()

"""A final submit is one durable transaction on a connection the worker keeps."""

import shutil

from survey import backup, responses, webdb
from survey.db import OperationalError
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

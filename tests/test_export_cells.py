"""Stored export cells (#10.7): written with each response, kept by the migration, never stale."""

import dataclasses
import json

import pytest

import survey.db
from survey import exports, migrations
from survey.db import connect
from survey.questionnaire import get
from tests.factories import make_export_places, make_response, make_varied_responses

V1 = ("papi-pulse-core", 1)  # the version these tests' answers are stored in


def decoded_bytes(db, dialect="plain", **filters) -> bytes:
    """Return the codes export written by decoding every row's answers (no stored cells)."""
    table = exports.export_responses(db, exports.Filters(questionnaire=V1, **filters))
    return b"".join(exports.stream(dataclasses.replace(table, csv=None), dialect))


def exported_bytes(db, dialect="plain", **filters) -> bytes:
    """Return the codes export as the CLI and the web write it."""
    return b"".join(
        exports.stream(
            exports.export_responses(db, exports.Filters(questionnaire=V1, **filters)), dialect
        )
    )


def item_cells(db, response_id: str) -> str:
    """Return the item part of a response's decoded export line."""
    table = exports.export_responses(db, exports.Filters(questionnaire=V1, include_excluded=True))
    base = len(exports.BASE_COLUMNS)
    row = next(r for r in table.rows if r[0] == response_id)
    return exports.csvout.cells_text(row[base:])


def test_a_stored_response_carries_its_export_cells(db):
    places = make_export_places(db)
    made = make_varied_responses(db, places)
    stored = db.execute("SELECT id, cells, cells_key FROM responses ORDER BY id").fetchall()
    assert len(stored) == len(made)
    key = exports.cells_key(get("papi-pulse-core", 1))
    for response_id, cells, cells_key in stored:
        assert cells_key == key
        assert cells == item_cells(db, response_id)
    first = dict((r[0], r[1]) for r in stored)[made[0]["id"]]
    assert "certification;land_certificate" in first  # option order, not stored order
    assert '"\'=1+1 Đường ngập nước, “rất” khó đi"' in first  # neutralised and quoted


def test_the_export_reads_the_stored_cells_and_gives_the_decoded_bytes(db):
    places = make_export_places(db)
    make_varied_responses(db, places)
    for dialect in ("plain", "excel"):
        for filters in ({}, {"include_excluded": True}, {"include_flagged": False}):
            assert exported_bytes(db, dialect, **filters) == decoded_bytes(db, dialect, **filters)
    # The stored text is what is written: a row's cells are copied, not decoded again.
    db.execute("UPDATE responses SET cells = replace(cells, 'nu,', 'nam,')")
    assert exported_bytes(db) != decoded_bytes(db)


def test_changed_answers_clear_the_cells_and_the_export_shows_the_new_answers(db):
    places = make_export_places(db)
    record = make_response(db, places["a"], 1)
    answers = dict(record["answers"], sex="nam", pressing_issue='a "b"\r\nc')
    db.execute(
        "UPDATE responses SET answers = ? WHERE id = ?",
        [json.dumps(answers, ensure_ascii=False), record["id"]],
    )
    assert db.execute("SELECT cells, cells_key FROM responses").fetchone() == (None, None)
    data = exported_bytes(db)
    assert data == decoded_bytes(db)
    assert b",nam," in data and b'"a ""b""\r\nc"' in data


def test_rows_whose_base_cells_need_quoting_or_another_layout_are_decoded(db):
    places = make_export_places(db)
    for number in range(1, 5):
        make_response(db, places["a"], number)
    ids = [r[0] for r in db.execute("SELECT id FROM responses ORDER BY rowid")]
    db.execute("UPDATE responses SET locale = 'vi,\"x\"' WHERE id = ?", [ids[0]])
    db.execute("UPDATE responses SET flags = '[\"a\\\\\\\\b\"]' WHERE id = ?", [ids[1]])
    db.execute("UPDATE responses SET duration_seconds = 2.5 WHERE id = ?", [ids[2]])
    db.execute("UPDATE responses SET cells_key = 'another layout' WHERE id = ?", [ids[3]])
    for dialect in ("plain", "excel"):
        assert exported_bytes(db, dialect) == decoded_bytes(db, dialect)
    assert b'"vi,""x"""' in exported_bytes(db) and b",2.5," in exported_bytes(db)


def test_the_migration_keeps_every_row_and_stores_cells_equal_to_the_answers(
    db, tmp_path, monkeypatch
):
    monkeypatch.setattr(survey.db, "FILL_ROWIDS", 2)  # several rowid ranges, the last one partial
    old = connect(str(tmp_path / "old.sqlite3"))
    migrations.migrations.apply(old, stop_before="m017_response_cells")
    assert "cells" not in {c.name for c in old["responses"].columns}
    make_export_places(old)
    make_varied_responses(db, make_export_places(db))
    columns = [c.name for c in old["responses"].columns]
    listed = ", ".join(columns)
    rows = db.execute(f"SELECT {listed} FROM responses ORDER BY rowid").fetchall()
    marks = ", ".join("?" for _ in columns)
    old.conn.executemany(f"INSERT INTO responses ({listed}) VALUES ({marks})", rows)
    before = decoded_bytes(db, include_excluded=True)
    old.conn.execute("BEGIN IMMEDIATE")
    migrations.migrations.apply(old)
    old.conn.execute("COMMIT")
    assert old.execute(f"SELECT {listed} FROM responses ORDER BY rowid").fetchall() == rows
    key = exports.cells_key(get("papi-pulse-core", 1))
    for response_id, cells, cells_key in old.execute("SELECT id, cells, cells_key FROM responses"):
        assert cells_key == key and cells == item_cells(old, response_id)
    assert exported_bytes(old, include_excluded=True) == before
    old.close()


def test_a_failed_cells_migration_leaves_the_schema_and_rows_as_they_were(tmp_path, monkeypatch):
    """m017 runs in apply()'s one transaction (no savepoint of its own): a failure undoes it."""
    old = connect(str(tmp_path / "old.sqlite3"))
    migrations.migrations.apply(old, stop_before="m017_response_cells")

    def broken(db):
        raise RuntimeError("disk trouble")

    monkeypatch.setattr(exports, "fill_cells", broken)
    with pytest.raises(RuntimeError):
        migrations.apply(old)
    assert "cells" not in {c.name for c in old["responses"].columns}
    assert "m017_response_cells" in migrations.pending(old)
    monkeypatch.undo()
    assert migrations.apply(old)[0] == "m017_response_cells"  # then the later ones
    assert "cells" in {c.name for c in old["responses"].columns}
    old.close()

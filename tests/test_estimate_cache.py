"""Estimates kept per worker until the data they were made from change."""

import pytest
from estimates_helpers import tiny

from survey import baselines, reviews
from survey import estimation as estimates
from survey.estimation import cache as estimate_cache
from survey.estimation import parse_periods
from survey.webdb import open_db
from tests.factories import BEN_THANH, SAI_GON, make_margins, make_response, make_wards

Q1 = parse_periods("2026-Q1")


@pytest.fixture
def counted(db, monkeypatch):
    """Count the engine's runs; start from an empty cache."""
    estimate_cache.clear()
    calls = []
    real = estimates.run

    def run(*args, **kwargs):
        calls.append(args[3])
        return real(*args, **kwargs)

    monkeypatch.setattr(estimates, "run", run)
    make_wards(db)
    for i in range(12):
        make_response(
            db,
            "26734",
            answers={"sex": "mf"[i % 2], "age_band": "a18_34", "q1": "yes"},
            questionnaire_id="tiny",
        )
    yield calls
    estimate_cache.clear()


def ward(db, cap=5.0, prior_m=20.0):
    """Return the ward's rows through the cache."""
    return estimate_cache.unit_rows(
        db, tiny(), Q1, "ward", "26734", ["26734"], ["79"], cap, prior_m
    )


def n_of(rows):
    """Return the ward's n on its q1 'yes' row."""
    return next(r["n"] for r in rows if r["key"] == "q1" and r["option"] == "yes")


def test_the_same_page_twice_runs_the_engine_once(db, counted):
    first = ward(db)
    assert ward(db) is first
    assert len(counted) == 1 and n_of(first) == 12


def test_a_new_answer_makes_the_next_page_fresh(db, counted):
    ward(db)
    make_response(
        db, "26734", answers={"sex": "m", "age_band": "a18_34", "q1": "no"}, questionnaire_id="tiny"
    )
    assert n_of(ward(db)) == 13
    assert len(counted) == 2


def test_a_review_decision_makes_the_next_page_fresh(db, counted):
    ward(db)
    response_id = db.execute("SELECT id FROM responses LIMIT 1").fetchone()[0]
    reviews.decide(db, None, response_id, "excluded", "same person twice")
    assert n_of(ward(db)) == 11


def test_margins_make_the_next_page_fresh(db, counted):
    ward(db)
    make_margins(
        db, {"26734": {"sex": {"m": 50, "f": 50}, "age_band": dict.fromkeys(AGES, 100 / 3)}}
    )
    assert ward(db)[0]["weighted"] == 1
    assert len(counted) == 2


def test_an_official_score_or_a_population_makes_the_next_page_fresh(db, counted):
    baselines.ensure_shipped(db)
    ward(db)
    with db.atomic():
        db.execute(
            "UPDATE baselines SET value = value WHERE rowid = (SELECT min(rowid) FROM baselines)"
        )
    ward(db)
    with db.atomic():
        db.execute("UPDATE wards SET population = 20000 WHERE code = '26734'")
    ward(db)
    ward(db)
    assert len(counted) == 3


def test_options_are_part_of_the_key(db, counted):
    ward(db, cap=5.0)
    ward(db, cap=2.0)
    ward(db, prior_m=5.0)
    ward(db, cap=2.0)
    assert len(counted) == 3


def test_the_mark_names_the_database_file_and_changes_with_the_data(db, counted):
    path, mark = estimate_cache.data_version(db)
    assert path == db.execute("PRAGMA database_list").fetchone()[2]
    make_response(
        db, "26734", answers={"sex": "m", "age_band": "a18_34", "q1": "no"}, questionnaire_id="tiny"
    )
    assert estimate_cache.data_version(db) != (path, mark)


def answer(db, ward="26734"):
    """Store one more tiny answer at the ward; return its id."""
    return make_response(
        db, ward, answers={"sex": "m", "age_band": "a18_34", "q1": "no"}, questionnaire_id="tiny"
    )["id"]


def marks(db):
    """Return (input mark, Sài Gòn's mark, Bến Thành's mark)."""
    _path, inputs, wards = estimate_cache.ward_marks(db, [SAI_GON, BEN_THANH])
    return inputs, dict(wards)[SAI_GON], dict(wards)[BEN_THANH]


def test_a_ward_mark_moves_with_its_own_answers_only(db, counted):
    """An answer, a review, a move and a deletion mark their wards; inputs mark the rest."""
    make_wards(db, wards=(BEN_THANH,))
    inputs, saigon, benthanh = marks(db)
    response_id = answer(db)
    moved = marks(db)
    assert moved[0] == inputs and moved[1] != saigon and moved[2] == benthanh
    with db.atomic():
        db.execute("UPDATE responses SET ward_code = ? WHERE id = ?", [BEN_THANH, response_id])
    after = marks(db)
    assert after[0] == inputs and after[1] != moved[1] and after[2] != benthanh
    with db.atomic():
        db.execute("DELETE FROM responses WHERE id = ?", [response_id])
    assert marks(db)[:2] == after[:2] and marks(db)[2] != after[2]
    before = marks(db)
    make_margins(db, {SAI_GON: {"sex": {"m": 50, "f": 50}}})
    assert marks(db)[0] != before[0] and marks(db)[1:] == before[1:]


def test_an_answer_in_another_ward_keeps_the_page(db, counted):
    """A ward's page is made of its own answers: another ward's answer leaves it cached."""
    make_wards(db, wards=(BEN_THANH,))
    first = ward(db)
    answer(db, BEN_THANH)
    assert ward(db) is first and len(counted) == 1
    answer(db)
    assert n_of(ward(db)) == 13 and len(counted) == 2


def test_another_workers_answer_makes_the_page_fresh(app, db, counted):
    """The marks are in the database: an answer through another connection is seen."""
    ward(db)
    other = open_db(app)
    try:
        answer(other)
    finally:
        other.close()
    assert n_of(ward(db)) == 13 and len(counted) == 2


AGES = ("a18_34", "a35_54", "a55_plus")


def test_a_page_about_one_ward_reads_its_answers_by_the_ward_index(db, counted):
    """SQLite took the province index and read every answer of the province in the period."""
    statements = []
    db.conn.set_trace_callback(statements.append)
    try:
        ward(db)
    finally:
        db.conn.set_trace_callback(None)
    read = next(s for s in statements if "FROM responses" in s and "json_each" in s)
    plan = " ".join(row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {read}"))
    assert "responses_ward_time" in plan and "responses_province_time" not in plan

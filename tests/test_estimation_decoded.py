"""Decoding for the engine (#10): remembered answers and stored forms equal a fresh decoding."""

import dataclasses
import json
import random

import pytest

import survey.db
from survey import estimation, migrations, responses
from survey.db import connect
from survey.demo_data import synthetic_answers
from survey.estimation import stored
from survey.estimation.decoding import decode, decode_slow
from survey.estimation.spec import build_spec, spec_for
from survey.indicators import build
from survey.questionnaire import catalogue, get
from survey.questionnaire.logic import prune
from tests.factories import make_export_places, make_response, make_varied_responses

VERSIONS = (1, 2)
Q1 = [estimation.parse_periods("2026-Q1")]
TAMPER = "UPDATE responses SET decoded = json_set(decoded, '$[2]', json('[]'))"  # no scores


def odd_answers(q, rng):
    """Return answers with what real data holds besides clean codes: skips, specials, junk."""
    answers = synthetic_answers(q, [m.id for m in q.modules], rng)
    for item in q.items.values():
        roll = rng.random()
        if roll < 0.08:
            answers.pop(item.id, None)
        elif roll < 0.14 and item.special:
            special = rng.choice(item.special).code
            answers[item.id] = [special] if item.type == "multiple" else special
        elif roll < 0.17:
            answers[item.id] = rng.choice(["", [], None, "not a code", 7, True, 2.5, ["x", "y"]])
        elif roll < 0.19 and item.type == "integer":
            answers[item.id] = rng.choice([rng.randint(0, 10**6), str(rng.randint(-5, 900))])
    answers["pressing_issue"] = rng.choice(["Đường ngập nước", "", '"; drop', "a\nb"])
    if rng.random() < 0.1:
        answers["not_an_item"] = "yes"
    return answers


def answer_sets(count=300):
    """Yield (questionnaire version, answers JSON) for a generated set of both versions."""
    rng = random.Random(10)
    for version in VERSIONS:
        q = get("papi-pulse-core", version)
        for _ in range(count):
            yield version, json.dumps(odd_answers(q, rng), ensure_ascii=False, sort_keys=True)


def test_remembered_answers_decode_as_a_fresh_interpretation_of_every_item():
    """Each answer is worked out once: the result is what per-item interpretation gives."""
    seen_scores = seen_numbers = 0
    for version, text in answer_sets():
        spec = spec_for(get("papi-pulse-core", version))
        for hidden in (False, True):
            for items in (True, False):
                fast = decode(spec, 3, "t", text, hidden, items)
                cats, keys, scored = decode_slow(spec, 3, "t", text, hidden, items)
                assert fast.categories == cats
                assert [spec.key_list[i] for i in fast.keys] == list(keys)
                assert list(fast.scored) == list(scored)
                assert [spec.key_list[i] for i in fast.score_ids] == list(scored)
                seen_scores += len(scored)
                seen_numbers += any(type(k) is tuple and k[1].isdigit() for k in keys)
    assert seen_scores > 1000 and seen_numbers > 10  # the set exercises scores and numbers


def test_a_questionnaire_with_indicators_fed_by_several_items_averages_them_alike():
    q = get("papi-pulse-core", 1)
    first, second = next(
        (a, b)
        for a in q.scored_items()
        for b in q.scored_items()
        if a.type == b.type == "yes_no"
        and a.scoring.subdimension == b.scoring.subdimension
        and a.scoring.indicator != b.scoring.indicator
    )
    same = {f: getattr(first.scoring, f) for f in ("indicator", "dimension", "subdimension")}
    scoring = dataclasses.replace(second.scoring, direction=first.scoring.direction, **same)
    items = dict(q.items, **{second.id: dataclasses.replace(second, scoring=scoring)})
    spec = build_spec(build(dataclasses.replace(q, items=items)))
    assert spec.scorer.multi
    for answers in ({first.id: "yes", second.id: "no"}, {first.id: "no"}, {second.id: "yes"}):
        text = json.dumps(answers)
        fast = decode(spec, 1, "t", text)
        assert fast.scored == decode_slow(spec, 1, "t", text)[2]
        assert [spec.key_list[i] for i in fast.score_ids] == list(fast.scored)
    both = decode(spec, 1, "t", json.dumps({first.id: "yes", second.id: "no"}))
    assert len(both.scored) == 1 and both.scored[0][1] == 0.5  # one indicator, averaged


@pytest.mark.parametrize("version", VERSIONS)
def test_a_stored_form_reads_back_as_the_decoded_answers(version):
    spec = spec_for(get("papi-pulse-core", version))
    stored_count = 0
    for v, text in answer_sets(150):
        if v != version:
            continue
        form = stored.form(spec, text)
        if form is None:
            continue
        stored_count += 1
        for items in (True, False):
            assert stored.respondent(spec, 3, "t", form, items) == decode(
                spec, 3, "t", text, False, items
            )
    assert stored_count > 100


def test_a_form_is_not_stored_for_answers_the_engine_cannot_read_back():
    spec = spec_for(get("papi-pulse-core", 1))
    assert stored.form(spec, "[1, 2]") is None
    assert stored.form(spec, '{"sex": ["nam"], "age_band": "18_29"}') is None
    assert stored.form(spec, '{"sex": "nam"}') is not None


def test_a_submitted_response_carries_its_current_form(db):
    places = make_export_places(db)
    record = {
        "id": "a" * 32,
        "point_id": places["a"]["id"],
        "ward_code": places["a"]["ward_code"],
        "province_code": places["a"]["province_code"],
        "questionnaire_id": "papi-pulse-core",
        "questionnaire_version": 1,
        "modules": ["core"],
        "answers": {"sex": "nam", "age_band": "18_29", "lives_here": "yes", "feels_safe": "4"},
        "locale": "vi",
        "started_at": "2026-02-01T01:00:00+00:00",
        "submitted_at": "2026-02-01T01:05:00+00:00",
    }
    assert responses.store_response(db, record)
    text, form, key = db.execute("SELECT answers, decoded, decoded_key FROM responses").fetchone()
    spec = spec_for(get("papi-pulse-core", 1))
    assert key == stored.decoded_key(spec)
    assert form == stored.form(spec, text)
    assert stored.respondent(spec, 1, "t", form) == decode(spec, 1, "t", text)


def rows_of(db):
    """Return every estimate row of 2026-Q1 (points too), suppressed values revealed."""
    q = get("papi-pulse-core", 1)
    return list(
        estimation.run(db, q, Q1, estimation.UNIT_TYPES, reveal_suppressed=True, changes=False)
    )


def fill_forms(db):
    """Store every response's current form, as the migration does."""
    db.execute("UPDATE responses SET decoded = NULL, decoded_key = NULL")
    stored.fill(db)


def test_estimates_from_stored_forms_equal_estimates_from_the_answers(db):
    places = make_export_places(db)
    make_varied_responses(db, places)
    odd = {"sex": ["nam"], "age_band": "18_29", "feels_safe": "4"}  # no form: decoded instead
    make_response(db, places["a"], 9, answers=odd)
    from_answers = rows_of(db)
    fill_forms(db)
    assert db.execute("SELECT count(*) FROM responses WHERE decoded IS NULL").fetchone() == (1,)
    assert rows_of(db) == from_answers and from_answers
    # The stored form is what is read: tampering with it shows (so the test above can fail).
    db.execute(TAMPER)
    assert rows_of(db) != from_answers


def test_changed_answers_clear_the_form_and_estimates_follow_the_new_answers(db):
    places = make_export_places(db)
    record = make_response(db, places["a"], 1)
    fill_forms(db)
    answers = dict(record["answers"], feels_safe="1", sex="nam")
    db.execute("UPDATE responses SET answers = ?", [json.dumps(answers)])
    assert db.execute("SELECT decoded, decoded_key FROM responses").fetchone() == (None, None)
    after = rows_of(db)
    fill_forms(db)
    assert rows_of(db) == after


@pytest.mark.parametrize(
    "change",
    [
        "UPDATE responses SET decoded_key = 'another questionnaire'",
        "UPDATE responses SET flags = '[\"paper_skip_violated\"]'",
    ],
)
def test_a_stale_form_or_one_with_hidden_answers_is_never_used(db, change):
    places = make_export_places(db)
    make_response(db, places["a"], 1)
    make_response(db, places["b"], 2, answers={"sex": "nu", "age_band": "30_44"})
    fill_forms(db)
    db.execute(TAMPER)
    db.execute(change)
    used = rows_of(db)  # then, against what decoding the answers gives with no form at all:
    db.execute("UPDATE responses SET decoded = NULL, decoded_key = NULL")
    assert used == rows_of(db)


def test_hidden_answers_are_pruned_before_they_count(db):
    spec = spec_for(get("papi-pulse-core", 1))
    answers = {"sex": "nam", "land_extra_payment": "no", "land_extra_amount": 500}
    text = json.dumps(answers)
    pruned = prune(spec.model.questionnaire, answers)
    assert decode(spec, 1, "t", text, hidden=True) == decode(spec, 1, "t", json.dumps(pruned))


def test_the_migration_keeps_every_row_and_stores_forms_equal_to_the_answers(
    db, tmp_path, monkeypatch
):
    monkeypatch.setattr(survey.db, "FILL_ROWIDS", 2)  # several rowid ranges, the last one partial
    old = connect(str(tmp_path / "old.sqlite3"))
    migrations.migrations.apply(old, stop_before="m018_response_decoded")
    assert "decoded" not in {c.name for c in old["responses"].columns}
    make_export_places(old)
    make_varied_responses(db, make_export_places(db))
    columns = [c.name for c in old["responses"].columns]
    listed = ", ".join(columns)
    rows = db.execute(f"SELECT {listed} FROM responses ORDER BY rowid").fetchall()
    marks = ", ".join("?" for _ in columns)
    old.conn.executemany(f"INSERT INTO responses ({listed}) VALUES ({marks})", rows)
    before = rows_of(db)
    assert migrations.apply(old)[0] == "m018_response_decoded"  # then the later ones
    assert old.execute(f"SELECT {listed} FROM responses ORDER BY rowid").fetchall() == rows
    spec = spec_for(catalogue.get("papi-pulse-core", 1))
    found = old.execute("SELECT answers, decoded, decoded_key FROM responses").fetchall()
    assert len(found) == len(rows)
    for text, form, key in found:
        assert key == stored.decoded_key(spec) and form == stored.form(spec, text)
    assert rows_of(old) == before
    old.close()


def test_a_failed_decoded_migration_leaves_the_schema_and_rows_as_they_were(tmp_path, monkeypatch):
    old = connect(str(tmp_path / "old.sqlite3"))
    migrations.migrations.apply(old, stop_before="m018_response_decoded")

    def broken(db):
        raise RuntimeError("disk trouble")

    monkeypatch.setattr(stored, "fill", broken)
    with pytest.raises(RuntimeError):
        migrations.apply(old)
    assert "decoded" not in {c.name for c in old["responses"].columns}
    monkeypatch.undo()
    assert migrations.apply(old)[0] == "m018_response_decoded"  # then the later ones
    old.close()

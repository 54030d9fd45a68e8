"""Estimates and exports split by how people answered: on a phone (web) or on paper (#13.3)."""

import csv
import io

import pytest

from survey import csvout, exports
from survey import estimation as estimates
from survey.questionnaire import get
from tests.estimates_helpers import rows_by, tiny
from tests.factories import BEN_THANH, make_response, make_wards
from tests.staff_helpers import client_as

# The version these answers are stored in; exports below name it too.
QUESTIONNAIRE = ("papi-pulse-core", 1)
CORE = get(*QUESTIONNAIRE)
KEY = f"{CORE.id}:{CORE.version}"
ANSWERS = {"sex": "nu", "age_band": "30_44", "lives_here": "yes", "came_for_procedure": "no"}
# The columns of every response stored below: the questionnaire the page reads, in 2026-Q1.
STORED = {
    "questionnaire_id": CORE.id,
    "questionnaire_version": CORE.version,
    "modules": ["core", "closing"],
    "started_at": "2026-02-01T01:00:00+00:00",
    "submitted_at": "2026-02-01T01:00:00+00:00",
}


# These tests store v1 answers: the pages and exports read v1 (v2 is current).
pytestmark = pytest.mark.usefixtures("pin_v1")


def add_mixed(db, world) -> dict:
    """Store 8 web and 4 paper core responses at the Bến Thành point in 2026-Q1."""
    ids = {"web": [], "paper": []}
    with db.atomic():
        for index in range(12):
            mode = "paper" if index % 3 == 0 else "web"
            record = make_response(db, world["point"], mode=mode, answers=ANSWERS, **STORED)
            ids[mode].append(record["id"])
    return ids


def ward_n(db, mode):
    """Return n of the ward's q1 = yes row of the tiny questionnaire in 2026-Q1."""
    rows = estimates.run(db, tiny(), [estimates.parse_periods("2026-Q1")], ("ward",), mode=mode)
    [row] = rows_by(list(rows), unit_type="ward", key="q1", option="yes")
    return row["n"]


def test_estimates_count_only_the_mode_asked_for(db):
    make_wards(db)
    for _ in range(5):
        make_response(
            db,
            "26734",
            answers={"sex": "m", "age_band": "a18_34", "q1": "yes"},
            questionnaire_id="tiny",
        )
    db.execute(
        "UPDATE responses SET mode = 'paper' WHERE rowid IN (SELECT rowid FROM responses LIMIT 2)"
    )
    assert (ward_n(db, None), ward_n(db, "web"), ward_n(db, "paper")) == (5, 3, 2)
    with pytest.raises(ValueError, match="unknown mode"):
        ward_n(db, "phone")


def test_exports_keep_only_the_mode_asked_for(db, world):
    ids = add_mixed(db, world)
    for mode in ("web", "paper"):
        table = exports.export_responses(
            db, exports.Filters(questionnaire=QUESTIONNAIRE, mode=mode)
        )
        assert sorted(row[0] for row in table.rows) == sorted(ids[mode])
    assert exports.count_responses(db, exports.Filters(questionnaire=QUESTIONNAIRE)) == len(
        ids["web"]
    ) + len(ids["paper"])
    with pytest.raises(exports.ExportError, match="unknown mode"):
        exports.count_responses(db, exports.Filters(mode="phone"))


def test_web_downloads_and_estimates_filter_by_mode(app, db, world):
    ids = add_mixed(db, world)
    client = client_as(app, world, "analyst")
    response = client.get(f"/analysis/downloads/responses.csv?mode=paper&questionnaire={KEY}")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip(csvout.BOM))))
    assert sorted(row[0] for row in rows[1:]) == sorted(ids["paper"])
    assert "-paper" in response.headers["Content-Disposition"]
    base = f"/staff/analysis/?unit=ward&code={BEN_THANH}&period=2026-Q1"
    both = client.get(base).get_data(as_text=True)
    paper = client.get(base + "&mode=paper").get_data(as_text=True)
    assert "12 people answered" in both and "4 people answered" in paper
    assert 'aria-current="true">on paper only' in paper
    assert client.get(base + "&mode=phone").status_code == 400
    data = client.get(
        f"/staff/analysis/estimates.csv?unit=ward&code={BEN_THANH}&period=2026-Q1&mode=web"
    ).get_data(as_text=True)
    header, *body = list(csv.reader(io.StringIO(data)))
    counts = {row[header.index("n")] for row in body}
    assert "8" in counts and "12" not in counts
    methodology = client.get("/staff/analysis/methodology").get_data(as_text=True)
    assert "How a question is asked changes the answers" in methodology


def test_export_commands_take_a_mode(runner, db, world, tmp_path):
    ids = add_mixed(db, world)
    out = tmp_path / "paper.csv"
    result = runner.invoke(
        args=["export", "responses", "--mode", "paper", "--questionnaire", KEY, "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert sorted(row[0] for row in rows[1:]) == sorted(ids["paper"])
    args = ["export", "estimates", "--period", "2026-Q1", "--unit-type", "ward", "--mode", "web"]
    args += ["--questionnaire", KEY]
    result = runner.invoke(args=[*args, "-o", str(tmp_path / "web.csv")])
    assert result.exit_code == 0, result.output
    header, *body = list(csv.reader(io.StringIO((tmp_path / "web.csv").read_text())))
    counts = {row[header.index("n")] for row in body}
    assert "8" in counts and "12" not in counts
    result = runner.invoke(args=["export", "responses", "--mode", "phone"])
    assert result.exit_code == 2 and "Invalid value for '--mode'" in result.output


def test_an_answer_the_form_said_to_skip_counts_in_no_estimate(db, world):
    add_mixed(db, world)
    skipped = dict(ANSWERS, sipas_access="5")  # came_for_procedure is "no": hidden online
    flags = ["paper_skip_violated"]
    make_response(
        db, world["point"], id="skipped", mode="paper", answers=skipped, flags=flags, **STORED
    )
    rows = list(estimates.run(db, CORE, [estimates.parse_periods("2026-Q1")], ("ward",)))
    sipas = [row for row in rows_by(rows, unit_type="ward") if row["key"] == "sipas_access"]
    assert all(not row["n_item"] for row in sipas), sipas[:1]
    [lives] = rows_by(rows, unit_type="ward", key="lives_here", option="yes")
    assert lives["n"] == 13  # the form itself counts

"""Quality flags: duplicate browser, too fast, straight-lining, honeypot, burst."""

import json
from datetime import UTC, datetime

import pytest
from bs4 import BeautifulSoup

from survey import quality
from survey.questionnaire import get
from tests.citizen.citizen_helpers import complete, first_choice
from tests.factories import make_flagged_response, make_point
from tests.review_helpers import human, submit

Q = get("papi-pulse-core", 1)  # the items these tests name are v1's
SIPAS = ["sipas_access", "sipas_procedure", "sipas_staff", "sipas_result", "sipas_feedback"]
BASE = {
    "sex": "nu",
    "age_band": "30_44",
    "lives_here": "yes",
    "services_used": ["certification"],
    "came_for_procedure": "yes",
    "sipas_unofficial_payment": "no",
}
ENV = ["strict_on_polluters", "air_quality", "water_quality"]


def _answers(sipas, env=None, info=None):
    """Return core answers with SIPAS scale answers, and environment/transparency ones."""
    answers = dict(BASE) | dict(zip(SIPAS, sipas, strict=True))
    answers |= dict(zip(ENV, env or [], strict=False))
    if info is not None:
        answers |= {
            "information_easy": info,
            "poor_list_public": "no",
            "budget_public": "no",
            "seen_land_plan": "no",
        }
    return answers


MODULES = ["core", "environment", "transparency", "closing"]


@pytest.mark.parametrize(
    ("sipas", "env", "info", "flagged"),
    [
        (["5"] * 5, None, None, False),  # a happy citizen, no other scale item seen
        (["5"] * 5, ["5", "4", "5"], "5", False),  # happy, but reads the other questions
        (["5"] * 5, ["5"], None, False),  # one agreeing item is not enough
        (["5"] * 5, ["5", "5"], None, True),
        (["1"] * 5, ["1", "1", "1"], "1", True),
        (["3"] * 5, ["3", "3", "3"], "3", True),
        (["5", "5", "5", "dont_know", "5"], ["5", "5", "dont_know"], None, True),
        (["4", "5", "5", "5", "5"], ["5", "5", "5"], "5", False),
        (["5", "5", "5", "dont_know", "dont_know"], ["5", "5", "5"], None, False),  # block of 3
    ],
)
def test_straight_lining(sipas, env, info, flagged):
    assert quality.is_straight_lined(Q, MODULES, _answers(sipas, env, info)) is flagged


def test_straight_lining_compares_scale_positions_across_scales():
    answers = _answers(["5"] * 5) | {
        "has_health_insurance": "yes",
        "child_in_primary": "yes",
        "health_station_rating": "10",
        "primary_school_rating": "10",
    }
    assert quality.is_straight_lined(Q, ["core", "public_services", "closing"], answers)
    answers["primary_school_rating"] = "9"
    assert not quality.is_straight_lined(Q, ["core", "public_services", "closing"], answers)


def test_too_fast_is_under_thirty_percent_of_the_reading_estimate():
    from survey.questionnaire.timing import estimate_seconds

    answers = _answers(["4"] * 5, ["3", "2", "4"])
    expected = estimate_seconds(Q, MODULES, answers)
    assert expected > 60
    assert quality.is_too_fast(Q, MODULES, answers, int(expected * 0.29))
    assert not quality.is_too_fast(Q, MODULES, answers, int(expected * 0.31) + 1)
    assert not quality.is_too_fast(Q, MODULES, answers, None)


def _iso(epoch):
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds")


def test_burst_is_far_above_the_points_usual_hourly_rate(app, db):
    point = make_point(db)
    now = 1_780_000_000.0
    assert quality.usual_hourly_count(db, point["id"], now) == 0
    # Four weeks of ordinary days: 6 answers in each of 3 open hours on 20 days.
    for day in range(1, 21):
        for hour in range(3):
            for i in range(6):
                at = _iso(now - day * 86400 - hour * 3600 - i * 60)
                make_flagged_response(db, point, f"h{day}-{hour}-{i}", submitted_at=at, flags=[])
    assert quality.usual_hourly_count(db, point["id"], now) == 6
    for i in range(29):
        make_flagged_response(db, point, f"b{i}", submitted_at=_iso(now - 60 * i), flags=[])
    assert not quality.is_burst(db, point["id"], now)  # the 30th is 5 x 6: allowed
    make_flagged_response(db, point, "b29", submitted_at=_iso(now - 1), flags=[])
    assert quality.is_burst(db, point["id"], now)  # the 31st is beyond


def test_burst_floor_for_a_new_point(app, db):
    point = make_point(db)
    now = 1_780_000_000.0
    for i in range(9):
        make_flagged_response(db, point, f"b{i}", submitted_at=_iso(now - 60 * i), flags=[])
    assert not quality.is_burst(db, point["id"], now)
    make_flagged_response(db, point, "b9", submitted_at=_iso(now - 5), flags=[])
    assert quality.is_burst(db, point["id"], now)


def _steps_of_is_burst(db, point, now) -> int:
    """Return the SQLite virtual-machine steps one burst check takes (a count, not a time)."""
    steps = []
    db.conn.set_progress_handler(lambda: steps.append(1), 1)
    try:
        assert quality.is_burst(db, point["id"], now)
    finally:
        db.conn.set_progress_handler(None, 1)
    return len(steps)


def test_a_flood_does_not_make_each_burst_check_read_the_whole_hour(app, db):
    """The count stops where the verdict is settled: 2,000 answers cost what 100 do (#10.6)."""
    point = make_point(db)
    now = 1_780_000_000.0

    def flood(first, last):
        db.conn.executemany(
            "INSERT INTO responses (id, point_id, ward_code, province_code, questionnaire_id,"
            " questionnaire_version, modules, answers, locale, started_at, submitted_at)"
            " VALUES (?, ?, ?, ?, 'papi-pulse-core', 1, '[]', '{}', 'vi', ?, ?)",
            [
                (f"f{i}", point["id"], point["ward_code"], point["province_code"], at, at)
                for i in range(first, last)
                for at in [_iso(now - 1 - i % 3000)]
            ],
        )

    flood(0, 100)
    small = _steps_of_is_burst(db, point, now)
    flood(100, 2000)
    assert _steps_of_is_burst(db, point, now) < 2 * small


def test_answered_cookie_is_signed_and_scoped_to_point_and_quarter():
    secret = "s" * 40
    may = datetime(2026, 5, 10, tzinfo=UTC).timestamp()
    mark = quality.answered_mark(secret, 7, now=may)
    assert quality.already_answered(secret, 7, mark, now=may)
    assert not quality.already_answered(secret, 8, mark, now=may)
    assert not quality.already_answered(
        secret, 7, mark, now=datetime(2026, 7, 1, tzinfo=UTC).timestamp()
    )
    assert not quality.already_answered("t" * 40, 7, mark, now=may)
    assert not quality.already_answered(secret, 7, mark[:-2] + "xx", now=may)
    # 30 June 18:00 UTC is already 1 July in Vietnam: a new quarter.
    assert quality.current_period(datetime(2026, 6, 30, 18, tzinfo=UTC).timestamp()) == "2026-Q3"


@pytest.fixture
def patient(monkeypatch):
    """Let a test client's instant answers pass as read (too_fast is tested on its own)."""
    monkeypatch.setattr(quality, "TOO_FAST_SHARE", 0)


def _flags(db):
    return [json.loads(r[0]) for r in db.execute("SELECT flags FROM responses ORDER BY rowid")]


def test_a_second_answer_from_the_same_browser_is_explained_and_flagged(client, db, patient):
    point = make_point(db)
    assert submit(client, point["token"]).headers["Location"].endswith("/thanks")
    welcome = BeautifulSoup(client.get(f"/s/{point['token']}?lang=en").text, "html.parser")
    assert "already been sent from this phone" in welcome.select_one("#already-answered").text
    button = welcome.select_one("form button.button")
    assert button["name"] == "someone_else" and "Someone else" in button.text
    # Pressing an old plain Start button does not start a second answer...
    again = client.post(f"/s/{point['token']}/start")
    assert again.status_code == 303 and "/p/" not in again.headers["Location"]
    # ...someone else may go on, and that answer is flagged.
    done = submit(client, point["token"], start_data={"someone_else": "1"})
    assert done.headers["Location"].endswith("/thanks")
    assert _flags(db) == [[], ["duplicate_browser"]]
    # Another browser is not affected.
    fresh = BeautifulSoup(
        client.application.test_client().get(f"/s/{point['token']}").text, "html.parser"
    )
    assert fresh.select_one("#already-answered") is None


def test_honeypot_is_hidden_from_people_and_flags_robots(client, db, patient):
    point = make_point(db)
    complete(client, point["token"], first_choice)  # fills every text box, like a robot
    response = client.application.test_client()
    submit(response, point["token"], human)
    robot, person = _flags(db)
    assert "honeypot" in robot and "honeypot" not in person


def test_an_instant_answer_is_flagged_too_fast(client, db):
    point = make_point(db)
    submit(client, point["token"])
    assert _flags(db) == [["too_fast"]]


def test_honeypot_field_is_invisible_unreachable_and_silent(client, db):
    point = make_point(db)
    start = client.post(f"/s/{point['token']}/start")
    location = start.headers["Location"]
    for _ in range(30):
        page = client.get(location)
        soup = BeautifulSoup(page.text, "html.parser")
        if soup.select_one("textarea"):
            break
        from tests.citizen.citizen_helpers import answer_page, page_path

        location = client.post(page_path(location), data=answer_page(page.text)).headers["Location"]
    trap = soup.find("input", attrs={"name": quality.HONEYPOT_FIELD})
    assert trap["tabindex"] == "-1" and trap["autocomplete"] == "off" and trap["value"] == ""
    wrapper = trap.find_parent("div")
    assert wrapper["aria-hidden"] == "true" and "visually-hidden" in wrapper["class"]
    assert soup.find("label", attrs={"for": quality.HONEYPOT_FIELD})

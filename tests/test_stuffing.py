"""Ballot stuffing: a scripted flood is flagged, limited beyond the ceiling of its point and
address with the real wait shown, and the ward's estimate holds;
no page or export ever shows a network address or a masked identifier in clear."""

import glob
import json
import random
import re
import time
from datetime import datetime, timedelta

import pytest
from bs4 import BeautifulSoup

from survey import estimation as estimates
from survey import periods, ratelimit, responses
from survey.questionnaire import get
from tests.citizen.citizen_helpers import first_choice
from tests.factories import make_flagged_response, make_point
from tests.ratelimit_helpers import FixedClock
from tests.review_helpers import human, submit
from tests.staff_helpers import client_as

SIPAS = ["sipas_access", "sipas_procedure", "sipas_staff", "sipas_result", "sipas_feedback"]
FLOODER = "203.0.113.77"


# The honest answers below are v1's: the citizen pages and estimates are pinned to v1.
pytestmark = pytest.mark.usefixtures("pin_v1")


def _honest_responses(db, point, count=40, seed=1):
    """Store honest, unflagged answers spread over the last two days (see ``_recent_days``)."""
    rng, now = random.Random(seed), time.time()
    hours_back = count
    for i in range(count):
        answers = {
            "sex": rng.choice(["nam", "nu"]),
            "age_band": "30_44",
            "lives_here": "yes",
            "services_used": ["certification"],
            "came_for_procedure": "yes",
            "sipas_unofficial_payment": "no",
        }
        answers |= {item: str(rng.randint(3, 5)) for item in SIPAS}
        at = responses.iso_from_epoch(now - 7200 - 3600 * (i % hours_back))
        make_flagged_response(
            db,
            point,
            f"honest{i:03d}",
            answers=answers,
            flags=[],
            submitted_at=at,
            modules=["core", "closing"],
        )


def _recent_days() -> str:
    """Return the period of the last four local days, today included.

    Not "this quarter": in a quarter's first hours the honest answers of the last two days
    would fall into the previous one (the test failed then).
    """
    today = datetime.now(periods.LOCAL_TZ).date()
    return f"{today - timedelta(days=3)}..{today}"


def _ward_means(db, include_flagged):
    """Return {sipas item: mean} of the ward over the recent days from the estimates engine."""
    period = estimates.parse_periods(_recent_days())
    rows = estimates.run(
        db,
        get("papi-pulse-core", 1),
        [period],
        ("ward",),
        include_flagged=include_flagged,
        reveal_suppressed=True,  # the method is checked, not what is shown
    )
    found = {}
    for row in rows:
        record = dict(zip(estimates.COLUMNS, row, strict=True))
        if record["key"] in SIPAS and record["statistic"] == "mean":
            found[record["key"]] = (record["estimate"], record["n"], record["include_flagged"])
    return found


def test_a_flood_from_one_client_is_limited_and_flagged_and_the_estimate_holds(
    app, db, monkeypatch
):
    # A ceiling of 30 an hour, as an operator may set it (the shipped 300, and a crowd behind
    # one address under it, are in test_ratelimit.py): the ceiling is per point and address.
    limit = 30
    app.config.update(RATE_LIMIT_SUBMISSIONS_PER_HOUR=limit)
    hour = 1_780_000_000 // 3600 * 3600
    monkeypatch.setattr(ratelimit, "time", FixedClock(hour + 48 * 60))  # 12 minutes to go
    point = make_point(db)
    _honest_responses(db, point)
    before = _ward_means(db, include_flagged=False)
    assert {item: n for item, (_m, n, _f) in before.items()} == dict.fromkeys(SIPAS, 40)
    # One phone, one address, the lowest answer everywhere, as fast as the server answers.
    flooder = app.test_client()
    flooder.environ_base["REMOTE_ADDR"] = FLOODER
    results = [
        submit(flooder, point["token"], first_choice, start_data={"someone_else": "1"})
        for _ in range(35)
    ]
    assert [result.status_code for result in results] == [303] * limit + [429] * (35 - limit)
    assert responses.count(db) == 40 + limit  # nothing stored beyond the limit
    # The refusal says how long: the 30 answers of this hour weigh less as the hour slides
    # past, and one more fits 2 minutes into the next hour, 14 minutes from now.
    refused = BeautifulSoup(results[-1].text, "html.parser").select_one("main").text
    assert "Xin thử lại sau khoảng 14 phút." in " ".join(refused.split())
    assert results[-1].headers["Retry-After"] == str(12 * 60 + 120)
    flood = [
        json.loads(r[0])
        for r in db.execute(
            "SELECT flags FROM responses WHERE id NOT LIKE 'honest%' ORDER BY submitted_at, rowid"
        )
    ]
    assert all(flags for flags in flood)  # every flood answer is flagged
    assert all("duplicate_browser" in flags for flags in flood[1:])
    assert all("burst" in flags for flags in flood[10:])  # a new point: more than 10 an hour
    assert all("too_fast" in flags for flags in flood)
    # The estimate with flagged answers left out is exactly where it was...
    after = _ward_means(db, include_flagged=False)
    assert after == before
    assert all(flag == 0 for _m, _n, flag in after.values())
    # ...while counting them would have dragged it down.
    counted = _ward_means(db, include_flagged=True)
    assert all(counted[item][0] < before[item][0] - 1 for item in SIPAS)


def test_no_page_or_export_shows_an_address_or_a_masked_identifier(app, db, world):
    phone, email, cccd = "0912 345 678", "nguyen.van.an@gmail.com", "079203004567"
    point = world["point"]
    citizen = app.test_client()
    citizen.environ_base["REMOTE_ADDR"] = FLOODER
    text = f"Gọi tôi {phone} hoặc {email}, CCCD {cccd}."

    def talkative(name, options, is_text):
        return text if is_text == "textarea" else human(name, options, is_text)

    assert submit(citizen, point["token"], talkative).headers["Location"].endswith("/thanks")
    stored = responses.get_response(db, db.execute("SELECT id FROM responses").fetchone()[0])
    assert stored["answers"]["pressing_issue"] == (
        "Gọi tôi [số điện thoại] hoặc [email], CCCD [số định danh]."
    )
    assert "pii_masked" in stored["flags"]
    admin = client_as(app, world, "administrator")
    bodies = {}
    for url in _every_get_url(app, world, stored["id"]):
        response = admin.get(url)
        bodies[url] = (response.status_code, response.get_data(as_text=True))  # streams too
        response.close()
    assert bodies[f"/staff/review/{stored['id']}"][0] == 200
    status, export = bodies["/analysis/downloads/responses.csv"]
    assert status == 200 and "[số điện thoại]" in export
    secrets = [phone, phone.replace(" ", ""), email, cccd, FLOODER]
    for url, (status, body) in bodies.items():
        assert status < 500, url
        assert not [s for s in secrets if s in body], url
    # Not in the database file either (nor its write-ahead log).
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for path in glob.glob(app.config["DATABASE"] + "*"):
        with open(path, "rb") as handle:
            raw = handle.read()
        assert not [s for s in secrets if s.encode() in raw], path


def _every_get_url(app, world, response_id) -> list[str]:
    """Return a URL for every GET route of the app outside the citizen pages, filled in."""
    values = {
        "point_id": world["point"]["id"],
        "user_id": world["users"]["ward_staff"]["id"],
        "code": world["point"]["ward_code"],
        "ward_code": world["point"]["ward_code"],
        "province_code": "79",
        "period": "2026-Q1",
        "response_id": response_id,
    }
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(("/s/", "/S/", "/static")):
            continue
        urls.append(
            re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: str(values.get(m.group(1), 1)), rule.rule)
        )
    urls += [
        "/staff/wards/79/posters".replace("79", world["point"]["ward_code"]),
        "/staff/provinces/79/posters",
        "/staff/audit/?object_type=response",
        "/staff/analysis/estimates.csv?unit=ward&code=" + world["point"]["ward_code"],
        "/staff/analysis/?unit=ward&code=" + world["point"]["ward_code"],
        "/analysis/downloads/responses.csv?labels=vi",
        "/staff/review/?flag=pii_masked",
    ]
    return urls

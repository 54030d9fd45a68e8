"""The limiter: per collection point and hashed address, a sliding hourly window in SQLite, the
real wait when refused, and limits that hold across workers (#8.4)."""

import json
import math

import pytest
from bs4 import BeautifulSoup

from survey import create_app, ratelimit, responses
from survey.webdb import open_db
from tests.citizen.citizen_helpers import answer_page, complete
from tests.factories import make_point
from tests.ratelimit_helpers import FixedClock
from tests.review_helpers import human, submit

HOUR = ratelimit.WINDOW_SECONDS
T0 = 1_780_000_000 // HOUR * HOUR  # the start of an hour


def test_key_is_a_salted_hash_of_point_and_address_that_changes_with_the_local_day():
    secret = "s" * 40
    key = ratelimit.address_key(secret, 1, "203.0.113.7", now=T0)
    assert "203.0.113.7" not in key and len(key) == 32
    assert key == ratelimit.address_key(secret, 1, "203.0.113.7", now=T0 + 60)
    assert key != ratelimit.address_key(secret, 1, "203.0.113.8", now=T0)
    assert key != ratelimit.address_key(secret, 2, "203.0.113.7", now=T0)  # another point
    assert key != ratelimit.address_key("t" * 40, 1, "203.0.113.7", now=T0)
    # 17:00 UTC is midnight in Vietnam: the salt rotates then, not at UTC midnight.
    day = 1_780_012_800  # 2026-05-29 00:00 UTC
    assert ratelimit.address_key(secret, 1, "a", day + 16 * HOUR) == ratelimit.address_key(
        secret, 1, "a", day + 16.9 * HOUR
    )
    assert ratelimit.address_key(secret, 1, "a", day + 16.9 * HOUR) != ratelimit.address_key(
        secret, 1, "a", day + 17.1 * HOUR
    )


def test_limit_refuses_beyond_and_counts_nothing_refused(app, db):
    for i in range(5):
        assert ratelimit.hit(db, "k", "finish", 5, now=T0 + i).allowed
    assert not ratelimit.hit(db, "k", "finish", 5, now=T0 + 10).allowed
    assert not ratelimit.hit(db, "k", "finish", 5, now=T0 + 20).allowed
    assert db.execute("SELECT sum(hits) FROM rate_limits").fetchone()[0] == 5
    assert ratelimit.hit(db, "other", "finish", 5, now=T0 + 20).allowed
    assert ratelimit.hit(db, "k", "start", 5, now=T0 + 20).allowed


def test_window_slides_over_the_hour(app, db):
    for i in range(4):
        assert ratelimit.hit(db, "k", "start", 4, now=T0 + 3000 + i).allowed
    # Just after the hour turns, nearly all of the last window still counts...
    assert not ratelimit.hit(db, "k", "start", 4, now=T0 + HOUR + 60).allowed
    # ...half-way through the next hour, half of it: two more fit, not three.
    assert ratelimit.hit(db, "k", "start", 4, now=T0 + HOUR + HOUR // 2).allowed
    assert ratelimit.hit(db, "k", "start", 4, now=T0 + HOUR + HOUR // 2 + 1).allowed
    assert not ratelimit.hit(db, "k", "start", 4, now=T0 + HOUR + HOUR // 2 + 2).allowed


@pytest.mark.parametrize(
    ("limit", "earlier", "at"),
    [
        (5, [(T0 + i, 1) for i in range(5)], T0 + 600),  # this hour is full
        (5, [(T0 + 3000, 5)], T0 + HOUR + 60),  # the last hour still weighs
        (8, [(T0 + 100, 6), (T0 + HOUR + 10, 2)], T0 + HOUR + 300),  # both weigh
        (1, [(T0 + 1800, 1)], T0 + 1801),  # one an hour
        (300, [(T0 + 5, 300)], T0 + 2880),  # the default ceiling, reached in minutes
    ],
    ids=["this-hour", "last-hour", "both", "one-an-hour", "default-ceiling"],
)
def test_the_wait_given_is_exactly_long_enough(app, db, limit, earlier, at):
    for moment, hits in earlier:
        for _ in range(hits):
            assert ratelimit.hit(db, "k", "finish", limit, now=moment).allowed
    refused = ratelimit.hit(db, "k", "finish", limit, now=at)
    assert not refused.allowed and refused.retry_after > 0
    # One second sooner is still too soon; after the wait given, one more fits.
    assert not ratelimit.hit(db, "k", "finish", limit, now=at + refused.retry_after - 1).allowed
    assert ratelimit.hit(db, "k", "finish", limit, now=at + refused.retry_after).allowed


def test_zero_means_no_limit_and_old_rows_are_pruned(app, db):
    assert all(ratelimit.hit(db, "k", "start", 0, now=T0).allowed for _ in range(50))
    assert db.execute("SELECT count(*) FROM rate_limits").fetchone()[0] == 0
    ratelimit.hit(db, "k", "start", 5, now=T0)
    ratelimit.hit(db, "k2", "start", 5, now=T0 + ratelimit.KEEP_SECONDS + HOUR)
    assert [r[0] for r in db.execute("SELECT key FROM rate_limits")] == ["k2"]
    with pytest.raises(ValueError):
        ratelimit.hit(db, "k", "vote", 5)


@pytest.mark.parametrize("value", [-1, "20", 2.5, True])
def test_limits_are_checked_at_start(tmp_path, monkeypatch, value):
    from survey.config import ConfigError

    monkeypatch.setenv("PAPI_PULSE_INSTANCE", str(tmp_path))
    with pytest.raises(ConfigError, match="RATE_LIMIT_SUBMISSIONS_PER_HOUR"):
        create_app({"SECRET_KEY": "x" * 40, "RATE_LIMIT_SUBMISSIONS_PER_HOUR": value})


def _second_worker(app):
    """Return another app on the same instance folder and database: a second worker."""
    return create_app(
        {k: app.config[k] for k in ("TESTING", "WTF_CSRF_ENABLED", "SECRET_KEY", "BASE_URL")}
        | {"RATE_LIMIT_STARTS_PER_HOUR": 4, "RATE_LIMIT_SUBMISSIONS_PER_HOUR": 3}
    )


def test_limits_hold_across_two_workers_sharing_the_database(app, db):
    app.config.update(RATE_LIMIT_STARTS_PER_HOUR=4, RATE_LIMIT_SUBMISSIONS_PER_HOUR=3)
    other = _second_worker(app)
    assert other.config["DATABASE"] == app.config["DATABASE"]
    point = make_point(db)
    workers = [app.test_client(), other.test_client()]
    statuses = [
        workers[i % 2].post(f"/s/{point['token']}/start", data={"someone_else": "1"}).status_code
        for i in range(7)
    ]
    # One worker alone would have let 2 x 4 through.
    assert statuses == [303] * 4 + [429] * 3


def test_finishes_are_limited_across_workers_and_nothing_is_stored_beyond(app, db):
    app.config.update(RATE_LIMIT_SUBMISSIONS_PER_HOUR=3)
    other = _second_worker(app)
    point = make_point(db)
    for i in range(3):
        complete((app if i % 2 else other).test_client(), point["token"])
    assert responses.count(db) == 3
    for worker in (app, other):
        refused = submit(worker.test_client(), point["token"])
        assert refused.status_code == 429
    assert responses.count(db) == 3
    hits = "SELECT sum(hits) FROM rate_limits WHERE action = 'finish'"
    assert db.execute(hits).fetchone()[0] == 3


def test_refused_answers_are_kept_and_can_be_sent_later(app, db):
    app.config.update(RATE_LIMIT_SUBMISSIONS_PER_HOUR=1)
    point = make_point(db)
    complete(app.test_client(), point["token"])
    client = app.test_client()
    refused = submit(client, point["token"])
    assert refused.status_code == 429
    wait = int(refused.headers["Retry-After"])
    assert 0 < wait <= 2 * HOUR  # one answer an hour: it slides out within two hours
    assert f"khoảng {math.ceil(wait / 60)} phút" in refused.text
    back = BeautifulSoup(refused.text, "html.parser").select_one("main a.button")["href"]
    assert back.startswith(f"/s/{point['token']}/p/closing?") and "d=" in back
    page = client.get(back)
    assert page.status_code == 200
    assert "Đường sá ngập nước khi mưa." in page.text  # the typed answer is still there
    app.config.update(RATE_LIMIT_SUBMISSIONS_PER_HOUR=2)  # "later": room again
    sent = client.post(back.split("?")[0], data=answer_page(page.text, human))
    assert sent.status_code == 303 and "/thanks" in sent.headers["Location"]
    assert responses.count(db) == 2


def test_address_comes_from_proxyfix_not_from_the_header(app, db):
    app.config.update(RATE_LIMIT_STARTS_PER_HOUR=2)
    point = make_point(db)
    client = app.test_client()
    url = f"/s/{point['token']}/start"
    # With no trusted proxy (PROXY_COUNT 0), a forged X-Forwarded-For changes nothing.
    codes = [
        client.post(url, headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code
        for i in range(3)
    ]
    assert codes == [303, 303, 429]
    assert not any(
        "198.51.100" in str(row) or "127.0.0.1" in str(row)
        for row in db.execute("SELECT * FROM rate_limits")
    )


def test_behind_one_proxy_each_citizen_address_counts_separately(tmp_path, monkeypatch):
    monkeypatch.setenv("PAPI_PULSE_INSTANCE", str(tmp_path / "instance"))
    proxied = create_app(
        {
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "SECRET_KEY": "k" * 40,
            "PROXY_COUNT": 1,
            "RATE_LIMIT_STARTS_PER_HOUR": 1,
        }
    )
    db = open_db(proxied)
    point = make_point(db)
    client = proxied.test_client()
    url = f"/s/{point['token']}/start"

    def post(address):
        return client.post(url, headers={"X-Forwarded-For": address}).status_code

    assert [post("203.0.113.1"), post("203.0.113.2"), post("203.0.113.1")] == [303, 303, 429]
    db.close()


# Carrier-grade NAT space (RFC 6598): one public address for many phones.
NAT = "100.64.0.1"


def phone(app, address=NAT):
    """Return a new test client (its own cookies: another phone) at an address."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def busy_text(response) -> str:
    """Return the words of a refusal page's main part."""
    return " ".join(BeautifulSoup(response.text, "html.parser").select_one("main").text.split())


def test_a_crowd_behind_one_address_gets_through_and_only_a_flood_is_stopped(app, db, monkeypatch):
    assert app.config["RATE_LIMIT_SUBMISSIONS_PER_HOUR"] == 300  # the shipped ceilings
    assert app.config["RATE_LIMIT_STARTS_PER_HOUR"] == 600
    monkeypatch.setattr(ratelimit, "time", FixedClock(T0 + 600))  # ten minutes into an hour
    point = make_point(db)
    # 200 people queueing at one counter, every phone behind the carrier's one address.
    for i in range(200):
        sent = submit(phone(app), point["token"])
        assert sent.status_code == 303 and sent.headers["Location"].endswith("/thanks"), i
    assert responses.count(db) == 200
    flags = [
        json.loads(row[0])
        for row in db.execute("SELECT flags FROM responses ORDER BY submitted_at, rowid")
    ]
    # Stored, and flagged as the quality rules decide: no phone answered twice, and a new
    # point getting more than ten answers an hour is a burst for staff to look at.
    assert not any("duplicate_browser" in found for found in flags)
    assert ["burst" in found for found in flags] == [False] * 10 + [True] * 190
    # A script starting questionnaires as fast as it can is stopped at the ceiling...
    flooder = phone(app)
    url = f"/s/{point['token']}/start"
    codes = [flooder.post(url, data={"someone_else": "1"}).status_code for _ in range(401)]
    assert codes == [303] * 400 + [429]  # 200 + 400 = 600 starts this hour
    refused = flooder.post(url, data={"someone_else": "1"})
    # ...and told the real wait: the hour's 600 starts weigh less as the window slides, and
    # one more fits 3,006 seconds later (see test_the_wait_given_is_exactly_long_enough).
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "3006"
    assert "Xin thử lại sau khoảng 51 phút." in busy_text(refused)
    english = flooder.post(url + "?lang=en", data={"someone_else": "1"})
    assert "Please try again in about 51 minutes." in busy_text(english)
    # Another point, from the same address, is not affected.
    elsewhere = make_point(db, "26737")
    sent = submit(phone(app), elsewhere["token"])
    assert sent.status_code == 303 and sent.headers["Location"].endswith("/thanks")
    assert not any(NAT in str(row) for row in db.execute("SELECT * FROM rate_limits"))

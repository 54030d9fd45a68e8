"""What to fix first: reliable parts ranked by their gap below the official score, comments."""

import pytest
from bs4 import BeautifulSoup

from survey import fix_first
from survey.estimation import parse_periods
from survey.questionnaire import catalogue
from tests.analysis.test_analysis_views import demo_world
from tests.factories import BEN_THANH, HCMC, SAI_GON, make_response
from tests.staff_helpers import client_as

CORE = catalogue.get("papi-pulse-core", 1)


# These tests store v1 answers: the pages and exports read v1 (v2 is current).
pytestmark = pytest.mark.usefixtures("pin_v1")


def part(level, key, estimate, low, high, shown=1, lower=None, upper=None):
    """Return an engine row of a sub-dimension or indicator with the columns ranking reads."""
    return {
        "level": level,
        "key": key,
        "estimate": estimate,
        "ci_lower": estimate - 0.05 if lower is None else lower,
        "ci_upper": estimate + 0.05 if upper is None else upper,
        "scale_low": low,
        "scale_high": high,
        "shown": shown,
        "n_item": 40,
        "n_eff": 35.0,
    }


def test_ranking_by_hand():
    """Worked by hand: D1 has 4 sub-dimensions (0.25 to 2.5), official D1 5.0, D5 7.0."""
    rows = [
        part("subdimension", "1.1", 1.0, 0.25, 2.5),  # x4 = 4.0: gap 1.0
        part("subdimension", "1.2", 0.5, 0.25, 2.5),  # x4 = 2.0: gap 3.0
        part("subdimension", "1.3", 0.25, 0.25, 2.5, shown=0),  # not reliable: never ranked
        part("subdimension", "5.1", 1.5, 0.25, 2.5),  # x4 = 6.0: gap 1.0 against 7.0
        part("indicator", "knows_grassroots_slogan", 0.2, 0, 1, lower=0.1, upper=0.3),
        part("indicator", "voted_in_person", 0.6, 0, 1),
    ]
    baseline = {"values": {"d1": 5.0, "d5": 7.0}}
    best = {"d1": (6.0, "Bình Dương", 2024)}
    parts = fix_first.rank(rows, CORE, baseline, best, "en")
    subs = parts["subdimensions"]
    assert [e["sub"] for e in subs] == ["1.2", "1.1", "5.1"]  # ties: the lower value first
    assert subs[0]["value"] == pytest.approx(2.0) and subs[0]["gap"] == pytest.approx(3.0)
    assert subs[0]["gap_best"] == pytest.approx(4.0) and subs[2]["best"] is None
    inds = parts["indicators"]
    # 1 + 9 x 0.2 = 2.8 (gap 2.2); 1 + 9 x 0.6 = 6.4 (gap -1.4)
    assert [e["row"]["key"] for e in inds] == ["knows_grassroots_slogan", "voted_in_person"]
    assert inds[0]["value"] == pytest.approx(2.8) and inds[0]["gap"] == pytest.approx(2.2)
    assert inds[0]["problem_share"] == pytest.approx(0.8)
    assert inds[0]["problem_interval"] == pytest.approx((0.7, 0.9))
    assert inds[0]["questions"] == [CORE.items["knows_slogan"].text("en")]


def test_best_published_is_the_latest_years_highest(db):
    """The best score is the highest published for the latest year, with its province."""
    from survey import baselines

    baselines.ensure_shipped(db)
    best = fix_first.best_published(db)
    year = db.execute("SELECT max(year) FROM baselines").fetchone()[0]
    top = db.execute(
        "SELECT max(value) FROM baselines WHERE year = ? AND dimension = 'd1'", [year]
    ).fetchone()[0]
    assert best["d1"][0] == top and best["d1"][2] == year


def add_comments(db, world, texts, start=0):
    """Store answers with the open question at the Bến Thành point, one minute apart."""
    with db.atomic():
        for i, text in enumerate(texts):
            at = f"2026-02-01T01:{start + i:02d}:00+00:00"
            answers = {"sex": "nam", "pressing_issue": text}
            make_response(
                db, world["point"], answers=answers, modules=[], started_at=at, submitted_at=at
            )


def test_comments_newest_first_masked_and_only_with_enough_answers(db, world):
    """Comments come newest first with phone numbers masked; four answers show none."""
    period = parse_periods("2026-Q1")
    add_comments(db, world, ["đường ngập", "gọi tôi 0912 345 678", "", "rác"])
    assert fix_first.comments(db, CORE, period, {BEN_THANH}) == []
    add_comments(db, world, ["đèn đường hỏng"], start=10)
    found = [c["text"] for c in fix_first.comments(db, CORE, period, {BEN_THANH})]
    assert found == ["đèn đường hỏng", "rác", "gọi tôi [số điện thoại]", "đường ngập"]


def page(client, url):
    """Return the parsed page and its status."""
    response = client.get(url)
    return BeautifulSoup(response.data, "html.parser"), response.status_code


def test_ward_page_ranks_reliable_parts_with_their_n(app, db, world):
    """The ward's page lists sub-dimensions and indicators, each with n and n*, reliable only."""
    period = demo_world(db, world)
    soup, status = page(
        client_as(app, world, "ward_staff"),
        f"/staff/analysis/fix?unit=ward&code={BEN_THANH}&period={period}",
    )
    assert status == 200
    rows = soup.select("table.fix-subs tbody tr") + soup.select("table.fix-indicators tbody tr")
    assert rows
    for tr in rows:
        cells = [td.text.strip() for td in tr.select("td")]
        assert cells[-2].replace(",", "").isdigit() and cells[-1] != "—"
    assert "Share who reported the problem" in soup.text


@pytest.mark.parametrize(
    ("role", "url", "status"),
    [
        ("ward_staff", f"unit=ward&code={BEN_THANH}", 200),
        ("ward_staff", f"unit=ward&code={SAI_GON}", 404),
        ("ward_staff", f"unit=province&code={HCMC}", 404),
        ("province_manager", f"unit=province&code={HCMC}", 200),
        ("analyst", "unit=point&code=1", 404),
    ],
)
def test_roles(app, db, world, role, url, status):
    """Ward staff see their wards only; province managers their provinces."""
    assert (
        page(client_as(app, world, role), f"/staff/analysis/fix?{url}&period=2026-Q1")[1] == status
    )

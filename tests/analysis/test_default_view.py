"""The estimates page opens where there is something reliable to read, and explains odd cases."""

from datetime import datetime

import pytest
from bs4 import BeautifulSoup

from survey import periods
from survey.analysis import present
from survey.periods import LOCAL_TZ
from tests.factories import BEN_THANH, HCMC
from tests.staff_helpers import client_as
from tests.test_trends import V1, seed

# The answers seeded here are v1's: the pages must read v1, not the current version.
pytestmark = pytest.mark.usefixtures("pin_v1")


def quarters_back(count):
    """Return the label of the quarter ``count`` quarters before today's."""
    quarter = periods.quarter_of(datetime.now(LOCAL_TZ).date())
    for _ in range(count):
        quarter = periods.previous(quarter)
    return quarter.label


def h1(client, url):
    """Return the page's heading."""
    return BeautifulSoup(client.get(url).data, "html.parser").select_one("h1").text


def test_ward_page_opens_on_the_latest_reliable_quarter(app, db, world):
    """Without a period, a ward opens on the last quarter with a reliable estimate, not today's.

    Today's quarter has three answers (nothing reliable) and is skipped; so is the empty one.
    """
    reliable, now = quarters_back(2), quarters_back(0)
    seed(db, world, [(reliable, V1, 200), (now, V1, 3)])
    client = client_as(app, world, "ward_staff")
    assert reliable in h1(client, f"/staff/analysis/?unit=ward&code={BEN_THANH}")
    assert now in h1(client, f"/staff/analysis/?unit=ward&code={BEN_THANH}&period={now}")
    soup = BeautifulSoup(client.get("/staff/analysis/").data, "html.parser")
    assert f"Wards and communes with answers in {reliable}" in soup.text
    manager = client_as(app, world, "province_manager")
    assert reliable in h1(manager, f"/staff/analysis/?unit=province&code={HCMC}")


def test_nothing_reliable_opens_on_todays_quarter(app, db, world):
    """With no reliable quarter in two years the page opens on today's quarter, as before."""
    seed(db, world, [(quarters_back(1), V1, 2)])
    client = client_as(app, world, "analyst")
    assert quarters_back(0) in h1(client, f"/staff/analysis/?unit=ward&code={BEN_THANH}")


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"changed": True, "p_adjusted": 0.01, "lower": 0.1, "upper": 0.5}, "Significant change"),
        (
            {"changed": False, "p_adjusted": 0.2, "lower": 0.1, "upper": 0.5},
            "although the unadjusted interval leaves out 0",
        ),
        (
            {"changed": False, "p_adjusted": 0.3, "lower": -0.6, "upper": -0.05},
            "although the unadjusted interval leaves out 0",
        ),
        ({"changed": False, "p_adjusted": 0.6, "lower": -0.1, "upper": 0.5}, "No significant"),
        ({"changed": False, "p_adjusted": 0.01, "lower": 0.1, "upper": 0.5}, "Not comparable"),
    ],
)
def test_change_words_never_leave_an_interval_without_zero_unexplained(app, change, words):
    """An interval that leaves out 0 beside "no significant change" says why."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        found = present.change_words(change)
    assert words in found
    if change["lower"] > 0 or change["upper"] < 0:
        assert found != "No significant change"


def test_a_reliable_total_over_suppressed_dimensions_is_explained(app, db, world, monkeypatch):
    """A total shown while every dimension is suppressed gets a sentence saying why."""
    from survey.analysis import views

    period = quarters_back(1)
    seed(db, world, [(period, V1, 200)])
    real = views._rows

    def rows(*args):
        found = [dict(r) for r in real(*args)]
        for row in found:
            if row["level"] == "dimension":
                row.update(shown=0, flag="suppressed_n_eff", estimate="", ci_lower="", ci_upper="")
        return found

    monkeypatch.setattr(views, "_rows", rows)
    client = client_as(app, world, "analyst")
    url = f"/staff/analysis/?unit=ward&code={BEN_THANH}&period={period}"
    soup = BeautifulSoup(client.get(url).data, "html.parser")
    assert "The total is reliable although no dimension is" in soup.select_one("ul.notes").text
    monkeypatch.setattr(views, "_rows", real)
    soup = BeautifulSoup(client.get(url).data, "html.parser")
    assert "The total is reliable although no dimension is" not in soup.text

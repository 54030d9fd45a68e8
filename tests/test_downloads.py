"""Analysts' downloads: streamed CSV, filters, scope by role, bad input as 400."""

import io

import pytest
from bs4 import BeautifulSoup

from survey import points
from survey.csvout import reader
from tests.exports_helpers import make_response
from tests.staff_helpers import HOAN_KIEM, client_as, world_fixture  # noqa: F401


@pytest.fixture
def stocked(db, world):
    """Add a Hà Nội point and one response at each of the three points."""
    hanoi = points.create_point(db, HOAN_KIEM, "Tiếp dân Hoàn Kiếm", "reception")
    world["hanoi_point"] = hanoi
    for number, point in enumerate((world["point"], world["other_point"], hanoi), 1):
        make_response(db, point, number)
    return world


def rows_of(response) -> list[list[str]]:
    """Return the CSV rows of a download."""
    return list(reader(io.BytesIO(response.get_data())))


@pytest.mark.parametrize(
    ("role", "count"),
    [("analyst", 3), ("administrator", 3), ("province_manager", 2), ("ward_staff", 1)],
)
def test_responses_are_limited_to_the_scope(app, stocked, role, count):
    client = client_as(app, stocked, role)
    response = client.get("/analysis/downloads/responses.csv")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    assert "attachment;" in response.headers["Content-Disposition"]
    rows = rows_of(response)
    assert rows[0][0] == "response_id" and len(rows) == 1 + count


def test_filters_labels_and_excel(app, stocked):
    client = client_as(app, stocked, "analyst")
    url = "/analysis/downloads/responses.csv?unit=79&period=2026-Q1&labels=en&excel=y"
    response = client.get(url)
    assert response.status_code == 200
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    rows = rows_of(response)
    assert len(rows) == 3
    assert rows[1][rows[0].index("sex")] == "Female"
    assert rows[1][rows[0].index("pressing_issue")].startswith("'=1+1")
    name = response.headers["Content-Disposition"]
    assert "responses-papi-pulse-core-79-2026-Q1-labels-en.csv" in name


def test_unit_outside_scope_is_404(app, stocked):
    client = client_as(app, stocked, "ward_staff")
    assert client.get("/analysis/downloads/responses.csv?unit=00070").status_code == 404
    point = stocked["hanoi_point"]["id"]
    assert client.get(f"/analysis/downloads/responses.csv?unit=point:{point}").status_code == 404
    assert client.get("/analysis/downloads/responses.csv?unit=26743").status_code == 200


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("period=2026-Q5", "Enter a period such as 2026"),
        ("unit=abc", "Enter a ward code (5 digits)"),
        ("questionnaire=nope:9", "Choose a questionnaire from the list."),
    ],
)
def test_bad_filters_are_400_with_a_message(app, stocked, query, message):
    client = client_as(app, stocked, "analyst")
    response = client.get(f"/analysis/downloads/responses.csv?{query}")
    assert response.status_code == 400
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert message in page.select_one(".error-summary").get_text()


def test_unknown_unit_for_analyst_is_404(app, stocked):
    client = client_as(app, stocked, "analyst")
    assert client.get("/analysis/downloads/responses.csv?unit=99999").status_code == 404


def test_codebook_and_page(app, stocked):
    client = client_as(app, stocked, "ward_staff")
    page = BeautifulSoup(client.get("/analysis/downloads/").get_data(as_text=True), "html.parser")
    links = [a["href"] for a in page.select("a[href*=codebook]")]
    assert "/analysis/downloads/codebook.csv?questionnaire=papi-pulse-core:1" in links
    assert page.select_one("form[action='/analysis/downloads/responses.csv'] #period")
    response = client.get(links[0])
    assert response.status_code == 200
    assert rows_of(response)[0][:3] == ["item_id", "type", "wording_vi"]


def test_anonymous_is_sent_to_sign_in(app, stocked):
    response = app.test_client().get("/analysis/downloads/responses.csv")
    assert response.status_code == 302 and "/staff/login" in response.location

"""Every staff route as every role: expected status, and nothing outside the scope leaks."""

import re
from datetime import date

import pytest

from survey import notes, points
from survey.paper import store
from survey.questionnaire import latest
from tests.review_helpers import MATRIX_RESPONSE_ID, store_flagged
from tests.staff_helpers import BEN_THANH, SECRET_POINT, client_as, world_fixture  # noqa: F401
from tests.staff_matrix import PUBLIC, ROUTES, SIGNED_IN

CASES = [
    pytest.param(route, role, id=f"{route.method} {route.url} as {role}")
    for route in ROUTES
    for role in ("anonymous", *SIGNED_IN)
]


def _url(route, world):
    """Fill the route's placeholders from the world."""
    return route.url.format(
        point_id=world["point"]["id"],
        other_point_id=world["other_point"]["id"],
        user_id=world["users"]["ward_staff"]["id"],
        ward_code=world["point"]["ward_code"],
        province_code="79",
        response_id=MATRIX_RESPONSE_ID,
        note_id=world["note"]["id"],
    )


@pytest.fixture
def matrix_world(app, db, world):
    """Add the Hà Nội manager under the matrix's role name."""
    world["users"]["other_province"] = world["users"]["hanoi_manager"]
    store_flagged(db, world["point"])  # for the review routes
    store.reserve(db, world["point"]["id"], latest("papi-pulse-core"), 1, False, None)
    world["note"] = notes.write(  # for the note routes
        db, None, BEN_THANH, "d5", "Không có ghế", "Thêm ghế", date(2026, 3, 3), "Một cửa"
    )
    return world


@pytest.mark.parametrize(("route", "role"), CASES)
def test_route_as_role(app, db, matrix_world, route, role):
    client = client_as(app, matrix_world, role)
    before = points.get_point(db, matrix_world["point"]["id"])
    # Closed at once: file downloads hold a temporary file until their response is closed.
    with client.open(_url(route, matrix_world), method=route.method, data=route.data) as response:
        data = response.get_data()
    expected = route.expected[role]
    body = data.decode("utf-8", "replace")  # xlsx, sav and dta downloads are binary
    assert response.status_code == expected, body[:500]
    if role in ("anonymous", "other_ward", "other_province") or expected >= 400:
        assert SECRET_POINT not in body
        assert before["token"] not in body
    if role == "anonymous":
        assert "/staff/login" in response.location
    if expected in (302, 401, 403, 404, 422) and (role == "anonymous" or expected != 302):
        assert points.get_point(db, matrix_world["point"]["id"]) == before


def test_every_staff_route_is_in_the_matrix(app):
    """A staff URL added without a line in tests/staff_matrix.py fails here."""
    covered = {_shape(route.url.split("?")[0]) for route in ROUTES}
    rules = {
        _shape(rule.rule) for rule in app.url_map.iter_rules() if rule.rule.startswith("/staff")
    }
    assert sorted(rules - covered - set(PUBLIC)) == []


def _shape(url: str) -> str:
    """Replace Flask converters and matrix placeholders alike with {}."""
    return re.sub(r"<[^>]+>|\{[^}]+\}", "{}", url)

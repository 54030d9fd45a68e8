"""Every staff route as every role: expected status, and nothing outside the scope leaks."""

import re

import pytest

from survey import points
from tests.staff_helpers import SECRET_POINT, client_as, world_fixture  # noqa: F401
from tests.staff_matrix import PUBLIC, ROUTES, SIGNED_IN, add_matrix_data, fill

CASES = [
    pytest.param(route, role, id=f"{route.method} {route.url} as {role}")
    for route in ROUTES
    for role in ("anonymous", *SIGNED_IN)
]


@pytest.fixture
def matrix_world(app, db, world):
    """Add what the matrix's routes need to the world."""
    return add_matrix_data(db, world)


@pytest.mark.parametrize(("route", "role"), CASES)
def test_route_as_role(app, db, matrix_world, route, role):
    client = client_as(app, matrix_world, role)
    before = points.get_point(db, matrix_world["point"]["id"])
    # Closed at once: file downloads hold a temporary file until their response is closed.
    with client.open(
        fill(route.url, matrix_world), method=route.method, data=route.data
    ) as response:
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

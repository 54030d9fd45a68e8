"""Every staff route as every role: expected status, and nothing outside the scope leaks."""

import pytest
from werkzeug.exceptions import HTTPException

from survey import points
from tests.factories import SECRET_POINT
from tests.staff_helpers import client_as
from tests.staff_matrix import (
    OPEN_BLUEPRINTS,
    PLACEHOLDER_WORLD,
    PUBLIC,
    ROUTES,
    SIGNED_IN,
    add_matrix_data,
    fill,
)

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
    """A URL rule (or a method of one) added without a line in tests/staff_matrix.py fails here."""
    assert missing_rows(app) == []


def test_the_completeness_check_finds_a_route_without_a_row(app):
    """A new page, a POST-only rule and a GET added to a matrix URL are each reported."""

    def view(**_kwargs):
        return "nothing"

    app.add_url_rule("/staff/new-page", "fake.page", view)
    app.add_url_rule("/staff/points/<int:point_id>/archive", "fake.archive", view, methods=["POST"])
    app.add_url_rule("/staff/logout", "fake.logout_page", view, methods=["GET"])
    app.add_url_rule("/exports/everything.csv", "fake_export", view)  # outside /staff too
    app.add_url_rule("/s/<token>/extra", "citizen.fake", view)  # a citizen page: not staff
    assert missing_rows(app) == [
        "GET /exports/everything.csv",
        "GET /staff/logout",
        "GET /staff/new-page",
        "POST /staff/points/<int:point_id>/archive",
    ]


def missing_rows(app) -> list[str]:
    """Return "METHOD rule" for each method of each staff rule that no matrix row reaches."""
    return sorted(f"{method} {rule}" for method, rule in staff_rules(app) - covered_rules(app))


def staff_rules(app) -> set[tuple[str, str]]:
    """Return (method, rule) of every rule outside the open blueprints and static files."""
    found = set()
    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.rpartition(".")[0]
        if rule.endpoint == "static" or blueprint in OPEN_BLUEPRINTS or rule.rule in PUBLIC:
            continue
        found |= {(method, rule.rule) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return found


def covered_rules(app) -> set[tuple[str, str]]:
    """Return (method, rule) of the rules the matrix's rows reach, as the app routes them."""
    adapter = app.url_map.bind("localhost")
    covered = set()
    for route in ROUTES:
        path = fill(route.url, PLACEHOLDER_WORLD).split("?")[0]
        try:
            rule, _args = adapter.match(path, method=route.method, return_rule=True)
        except HTTPException:  # no such rule, or only with a redirect: the row reaches nothing
            continue
        covered.add((route.method, rule.rule))
    return covered

"""Property-based fuzzing of every staff form and the CSV upload: zero 5xx, nothing invalid stored.

Each form is read from its real page (field names and offered choices), then Hypothesis posts
mixtures of real choices, missing fields, unknown codes, huge and control-character text and
extra fields, signed in as an administrator (CSRF is off in the test app; CSRF itself is tested
by the staff engineer's tests).
"""

import io
import re
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from staff_helpers import client_as
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from survey import accounts, points
from survey.webdb import open_db

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_NAME = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"')
_OPTION = re.compile(r'<option[^>]*value="([^"]*)"')


def form_fields(client, path: str) -> tuple[list[str], list[str]]:
    """Return the field names and the option values of the form on the page at path."""
    html = client.get(path).text
    names = [n for n in dict.fromkeys(_NAME.findall(html)) if n not in ("csrf_token", "q")]
    return names, _OPTION.findall(html)


def assert_nothing_invalid_stored(app) -> None:
    """Check every point and account against the rules the forms enforce."""
    db = open_db(app)
    try:
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        for row in db.query("SELECT name, kind, address, ward_code FROM points"):
            assert row["name"].strip() and row["kind"] in points.KINDS, row
            for text in (row["name"], row["address"]):
                assert not CONTROL.search(text) and unicodedata.is_normalized("NFC", text)
        for row in db.query("SELECT username, role FROM users"):
            assert row["username"] and not CONTROL.search(row["username"]), row
            assert row["role"] in accounts.ROLES, row
    finally:
        db.close()


values = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(max_codepoint=0x9F), max_size=20),
    st.builds(lambda n: "ư" * n, st.integers(min_value=100, max_value=50_000)),
    st.sampled_from(["", " ", "0", "-1", "99999999999", "y", "on", "administrator", "79"]),
)


def form_data(draw, names, options) -> dict:
    """Draw form data: each real field is left out, given a real choice, or given junk."""
    data = {}
    for name in names:
        how = draw(st.sampled_from(["omit", "choice", "junk", "many"]))
        if how == "choice" and options:
            data[name] = draw(st.sampled_from(options))
        elif how == "junk":
            data[name] = draw(values)
        elif how == "many":
            data[name] = draw(st.lists(values, min_size=2, max_size=3))
    data.update(draw(st.dictionaries(st.text(min_size=1, max_size=10), values, max_size=3)))
    return data


def staff_forms(world) -> list[str]:
    """Return the path of every staff form page that exists in the app."""
    point_id = world["point"]["id"]
    user_id = world["users"]["ward_staff"]["id"]
    return [
        "/staff/points/new",
        f"/staff/points/{point_id}/edit",
        "/staff/users/new",
        f"/staff/users/{user_id}/edit",
        "/staff/password",
    ]


@pytest.mark.parametrize("index", range(5))
@FUZZ
@given(data=st.data())
def test_staff_forms_never_fail_and_store_only_valid_rows(app, world, index, data):
    path = staff_forms(world)[index]
    client = client_as(app, world, "administrator")
    page = client.get(path)
    if page.status_code == 404:
        pytest.skip(f"{path} does not exist in this version")
    names, options = form_fields(client, path)
    response = client.post(path, data=form_data(data.draw, names, options))
    assert response.status_code < 500, (path, response.status_code)
    assert_nothing_invalid_stored(app)


@FUZZ
@given(username=values, password=values, extra=st.dictionaries(st.text(max_size=8), values))
def test_login_never_fails(app, world, username, password, extra):
    client = client_as(app, world, "anonymous")
    response = client.post(
        "/staff/login", data={**extra, "username": username, "password": password}
    )
    assert response.status_code < 500


csv_lines = st.lists(
    st.lists(
        st.one_of(values, st.sampled_from(["26743", "one_stop", "Điểm A", "ward_code", "name"])),
        max_size=5,
    ).map(lambda cells: ",".join(cells)),
    max_size=8,
)


@FUZZ
@given(
    body=st.one_of(
        csv_lines.map(lambda lines: "\n".join(["ward_code,name,kind,address", *lines]).encode()),
        st.binary(max_size=2000),
        st.just(b"\xef\xbb\xbfward_code;name;kind\r\n26743;\x00;one_stop\r\n"),
    ),
    filename=st.sampled_from(["points.csv", "points.txt", "points.xlsx", "", "../../x.csv"]),
)
def test_csv_upload_never_fails_and_is_all_or_nothing(app, world, body, filename):
    client = client_as(app, world, "administrator")
    db = open_db(app)
    before = db.execute("SELECT count(*) FROM points").fetchone()[0]
    db.close()
    response = client.post(
        "/staff/points/import",
        data={"file": (io.BytesIO(body), filename)},
        content_type="multipart/form-data",
    )
    assert response.status_code in (200, 302, 303, 400, 413, 422)
    db = open_db(app)
    after = db.execute("SELECT count(*) FROM points").fetchone()[0]
    db.close()
    assert after == before or response.status_code in (302, 303)
    assert_nothing_invalid_stored(app)


def test_an_oversized_upload_is_refused_with_413(app, world):
    client = client_as(app, world, "administrator")
    big = b"ward_code,name,kind\n" + b"26743,A,one_stop\n" * 200_000
    # Encoded here, in memory: the test client would spool a body this big to a temporary
    # file that it never closes.
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(big), "points.csv")})
    response = client.post(
        "/staff/points/import",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 413 and "<h1>" in response.text

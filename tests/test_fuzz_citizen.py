"""Property-based fuzzing of the citizen submission: thousands of bad inputs, zero 5xx, and the
responses table only ever grows by complete, valid responses."""

import json
import re
import uuid

import pytest
from citizen.citizen_helpers import answer_page, page_path
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from survey import create_app
from survey.citizen import draft as drafts
from survey.questionnaire import latest
from survey.webdb import open_db
from tests.factories import make_point

FUZZ = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffd]")


class World(tuple):
    """The shared fuzz world, with a short repr: Hypothesis prints fixtures in failure reports."""

    def __repr__(self) -> str:
        return "<fuzz world>"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Return (app, point, questionnaire) shared by the module's fuzz tests."""
    instance = tmp_path_factory.mktemp("fuzz") / "instance"
    mp = pytest.MonkeyPatch()
    mp.setenv("PAPI_PULSE_INSTANCE", str(instance))
    app = create_app(
        {
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "SECRET_KEY": "fuzz-secret-key-that-is-long-enough-0123456789",
            "RATE_LIMIT_STARTS_PER_HOUR": 0,
            "RATE_LIMIT_SUBMISSIONS_PER_HOUR": 0,
            "REQUEST_LOG": False,
            # One fsync less per write: these tests count rows, not power cuts.
            "DB_SYNCHRONOUS": "NORMAL",
        }
    )
    mp.undo()
    db = open_db(app)
    point = make_point(db)
    db.close()
    client = app.test_client()
    first = page_path(start(client, point))
    final = last_page(client, point)
    questionnaire = latest(app.config.get("QUESTIONNAIRE", "papi-pulse-core"))
    yield World((app, point, questionnaire, first, final))


def fresh(app, point, data: dict) -> dict:
    """Return a copy of page data whose draft has a new response id (a new respondent)."""
    secret, token = app.config["SECRET_KEY"], point["token"]
    draft = drafts.load(data["state"], secret, token, 3600)
    draft.response_id = uuid.uuid4().hex
    return dict(data, state=drafts.dump(draft, secret, token))


def count(app) -> int:
    """Return the number of stored responses."""
    db = open_db(app)
    try:
        return db.execute("SELECT count(*) FROM responses").fetchone()[0]
    finally:
        db.close()


def stored(app) -> list[dict]:
    """Return every stored response with decoded answers."""
    db = open_db(app)
    try:
        rows = list(db.query("SELECT * FROM responses"))
    finally:
        db.close()
    return [dict(row, answers=json.loads(row["answers"])) for row in rows]


def assert_all_valid(app, questionnaire) -> None:
    """Check that every stored response holds only known items with well-formed values."""
    items = {item.id: item for page in questionnaire.pages for item in page.items}
    for row in stored(app):
        assert row["answers"], "an empty response was stored"
        for item_id, value in row["answers"].items():
            item = items[item_id]
            values = value if isinstance(value, list) else [value]
            for one in values:
                if isinstance(one, str) and item.type != "text":
                    assert one in item.all_codes(), (item_id, one)
                if isinstance(one, str):
                    assert not CONTROL.search(one) and len(one) <= (item.max_length or 500)


def start(client, point) -> str:
    """Start a questionnaire; return the first page's URL."""
    return client.post(f"/s/{point['token']}/start").headers["Location"]


def last_page(client, point):
    """Answer every page but the last; return (path, valid data) of the last page."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    location = start(client, point)
    for _ in range(40):
        html = client.get(location).text
        data = answer_page(html)
        if 'value="next">Send my answers</button>' in html:
            return page_path(location), data
        location = client.post(page_path(location), data=data).headers["Location"]
    raise AssertionError("no last page")


def first_state(app, point) -> str:
    """Return a signed draft of a respondent who has just started."""
    questionnaire = latest(app.config.get("QUESTIONNAIRE", "papi-pulse-core"))
    modules = [module.id for module in questionnaire.core_modules]
    draft = drafts.Draft.start(questionnaire.id, questionnaire.version, modules)
    return drafts.dump(draft, app.config["SECRET_KEY"], point["token"])


field_names = st.one_of(
    st.sampled_from(["state", "csrf_token", "action", "lang", "q1", "d"]),
    st.text(min_size=1, max_size=20),
)
nasty_text = st.one_of(
    st.text(max_size=50),
    st.text(alphabet=st.characters(max_codepoint=0x9F), max_size=30),
    st.builds(lambda n: "á" * n, st.integers(min_value=400, max_value=20_000)),
    st.sampled_from(["", " ", "1e9", "-1", "99999999999999", "lang:xx", "lang:", "\x00", "\ud7ff"]),
)


@FUZZ
@given(extra=st.dictionaries(field_names, st.lists(nasty_text, max_size=3), max_size=8))
def test_random_fields_on_a_question_page_never_fail(world, extra):
    app, point, _questionnaire, first, _final = world
    client = app.test_client()
    data = answer_page(client.get(first, query_string={"d": first_state(app, point)}).text)
    for name, values in extra.items():
        if name != "state":
            data[name] = values
    before = count(app)
    response = client.post(first, data=data)
    assert response.status_code in (303, 400), response.status_code
    assert count(app) == before


@FUZZ
@given(
    drop=st.sets(st.text(min_size=1, max_size=10), max_size=3),
    garble=st.dictionaries(st.text(min_size=1, max_size=12), nasty_text, max_size=6),
    use_real_names=st.booleans(),
)
@example(drop=set(), garble={}, use_real_names=False)  # the valid submit is stored once
def test_the_final_submit_stores_only_complete_valid_answers(world, drop, garble, use_real_names):
    app, point, questionnaire, _first, (path, data) = world
    client = app.test_client()
    data = fresh(app, point, data)
    before = count(app)
    names = [n for n in data if n not in ("state", "csrf_token", "action")]
    for index, (name, value) in enumerate(garble.items()):
        data[names[index % len(names)] if use_real_names and names else name] = value
    for name in drop:
        data.pop(name, None)
    response = client.post(path, data=data)
    assert response.status_code in (303, 400)
    grown = count(app) - before
    assert grown == (1 if response.status_code == 303 and "/thanks" in response.location else 0)
    assert_all_valid(app, questionnaire)


@FUZZ
@given(
    body=st.binary(max_size=3000),
    content_type=st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=xyz",
            "multipart/form-data",
            "text/plain",
            "application/json",
            "",
        ]
    ),
)
def test_raw_bodies_of_random_bytes_never_fail(world, body, content_type):
    app, point, _questionnaire, first, (final, _data) = world
    client = app.test_client()
    client.set_cookie(f"draft_{point['token']}", first_state(app, point), path="/")
    before = count(app)
    for path in (first, final, f"/s/{point['token']}/start"):
        response = client.post(path, data=body, content_type=content_type)
        assert response.status_code < 500
    assert count(app) == before


@FUZZ
@given(
    state=st.one_of(st.text(max_size=300), st.binary(max_size=200).map(lambda b: b.hex())),
    mutate_at=st.integers(min_value=0, max_value=10_000),
    where=st.sampled_from(["form", "cookie", "url"]),
)
def test_forged_or_garbled_drafts_are_refused(world, state, mutate_at, where):
    app, point, _questionnaire, _first, (path, data) = world
    client = app.test_client()
    data = fresh(app, point, data)
    real = data["state"]
    if mutate_at % 2:
        position = mutate_at % len(real)
        state = real[:position] + ("A" if real[position] != "A" else "B") + real[position + 1 :]
    before = count(app)
    if where == "form":
        response = client.post(path, data=dict(data, state=state))
    elif where == "cookie":
        client.set_cookie(f"draft_{point['token']}", state, path="/")
        response = client.post(path, data={k: v for k, v in data.items() if k != "state"})
    else:
        response = client.get(path, query_string={"d": state})
    assert response.status_code in (303, 400), (where, response.status_code)
    assert count(app) == before, where


@FUZZ
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "TRACE"]),
    token=st.one_of(st.just(None), st.text(max_size=30)),
    page=st.one_of(st.just(None), st.text(max_size=40)),
    tail=st.sampled_from(["", "/start", "/thanks", "/p/", "/p/x/y"]),
)
def test_random_methods_tokens_and_page_ids_never_fail(world, method, token, page, tail):
    app, point, _questionnaire, _first, _final = world
    client = app.test_client()
    client.set_cookie(f"draft_{point['token']}", first_state(app, point), path="/")
    token = point["token"] if token is None else token
    path = f"/s/{token}" + (f"/p/{page}" if page is not None else tail)
    response = client.open(path, method=method)
    assert response.status_code < 500, (method, path)

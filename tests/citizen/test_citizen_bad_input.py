"""Bad input of every kind gets a clear, translated 4xx and stores nothing."""

import pytest
from citizen_helpers import (
    answer_page,
    error_messages,
    everything,
    page_path,
    post_and_follow,
    read_form,
)

from survey import create_app
from survey.questionnaire import latest
from tests.factories import make_point


@pytest.fixture
def point(db):
    """Return an active collection point."""
    return make_point(db)


@pytest.fixture
def first_page(client, point):
    """Start a questionnaire and return (path, html) of its first page."""
    location = client.post(f"/s/{point['token']}/start").headers["Location"]
    return page_path(location), client.get(location, headers={"Accept-Language": "vi"}).text


def count(db) -> int:
    """Return the number of stored responses."""
    return db.execute("SELECT count(*) FROM responses").fetchone()[0]


def test_missing_answers_show_errors_beside_fields_and_keep_the_rest(client, db, first_page):
    path, html = first_page
    data = answer_page(html)
    form = read_form(html)
    dropped = form.order[0]
    kept = form.order[1]
    del data[dropped]
    sent = client.post(path, data=data, headers={"Accept-Language": "vi"})
    # Post/Redirect/Get: the errors are shown by a GET of the page, never by the POST.
    assert sent.status_code == 303
    assert page_path(sent.headers["Location"]) == path
    response = client.get(sent.headers["Location"], headers={"Accept-Language": "vi"})
    assert response.status_code == 200
    assert "<title>Lỗi:" in response.text
    question = latest("papi-pulse-core").items[dropped].text("vi")
    assert error_messages(response.text) == [f"{question} Chọn một câu trả lời."]
    assert f'id="{dropped}-error"' in response.text
    assert f'href="#{dropped}-' in response.text
    assert f'name="{kept}" value="{data[kept]}" checked' in response.text
    assert count(db) == 0


@pytest.mark.parametrize(
    "lang,message",
    [
        ("vi", "Chọn một trong các câu trả lời có sẵn."),
        ("en", "Choose one of the answers shown."),
    ],
)
def test_unknown_codes_are_refused_in_the_current_language(client, first_page, lang, message):
    path, html = first_page
    data = answer_page(html)
    name = read_form(html).order[0]
    data[name] = "<script>alert(1)</script>"
    data["lang"] = lang
    response = post_and_follow(client, path, data)
    assert message in response.text
    assert "<script>alert(1)" not in response.text


def test_two_values_for_a_one_answer_question_are_refused(client, first_page):
    path, html = first_page
    data = answer_page(html)
    name = read_form(html).order[0]
    options = read_form(html).choices[name]
    body = {**data, name: [options[0][1], options[1][1]]}
    response = post_and_follow(client, path, body, headers={"Accept-Language": "en"})
    assert "Choose only one answer." in response.text


@pytest.fixture
def all_modules(monkeypatch):
    """Draw every module for every respondent, so that every question can be reached."""
    monkeypatch.setattr(
        "survey.responses.choose_modules",
        lambda questionnaire, counts: [m.id for m in questionnaire.modules],
    )


def walk_to(client, point, wanted_type):
    """Answer pages until one holds an item of wanted_type; return (path, html, item)."""
    questionnaire = latest("papi-pulse-core")
    location = client.post(f"/s/{point['token']}/start").headers["Location"]
    while "/thanks" not in location:
        html = client.get(location, headers={"Accept-Language": "en"}).text
        for name in read_form(html).order:
            item = questionnaire.items.get(name)
            if item is not None and item.type == wanted_type:
                return page_path(location), html, item
        data = answer_page(html, everything)
        location = client.post(page_path(location), data=data).headers["Location"]
    raise AssertionError(f"no {wanted_type} question reached")


@pytest.mark.parametrize(
    "value,message",
    [
        # The questionnaire's one integer item is an amount in thousands of dong.
        ("abc", "Write the amount in digits, for example"),
        ("9" * 16, "Write the amount in digits, for example"),
        ("99999999999999", "Enter an amount from 0 dong to 1,000,000,000 dong."),
        ("-5", "Write the amount in digits, for example"),
        ("1000001", "Enter an amount from 0 dong to 1,000,000,000 dong."),
    ],
)
def test_numbers_out_of_range_or_not_numbers(client, db, point, all_modules, value, message):
    path, html, item = walk_to(client, point, "integer")
    response = post_and_follow(
        client, path, {**answer_page(html), item.id: value}, headers={"Accept-Language": "en"}
    )
    assert message in response.text
    assert f'value="{value}"' in response.text  # what was typed is shown again
    assert count(db) == 0


@pytest.mark.parametrize(
    "text,message",
    [
        ("x" * 5000, "Write at most"),
        ("abc\x00def", "cannot be read"),
        ("bad \ufffd bytes", "cannot be read"),
        ("bell\x07", "cannot be read"),
    ],
)
def test_oversize_and_control_character_text(client, db, point, text, message):
    path, html, item = walk_to(client, point, "text")
    response = post_and_follow(
        client, path, {**answer_page(html), item.id: text}, headers={"Accept-Language": "en"}
    )
    assert message in response.text
    assert count(db) == 0


def test_text_is_stored_nfc(client, db, point):
    path, html, item = walk_to(client, point, "text")
    decomposed = "Đường xa\u0301 ngập"  # "xá" as x + a + combining acute
    response = client.post(path, data={**answer_page(html), item.id: decomposed})
    assert response.status_code == 303
    stored = db.execute("SELECT answers FROM responses").fetchone()[0]
    assert "Đường xá ngập" in stored


def test_invalid_utf8_body_is_refused_with_a_message(client, db, first_page):
    path, html = first_page
    state = read_form(html).hidden["state"]
    body = b"state=" + state.encode() + b"&sex=\xff\xfe\xfa"
    response = client.post(path, data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 303
    shown = client.get(response.headers["Location"], headers={"Accept-Language": "en"})
    assert "There is a problem" in shown.text
    assert count(db) == 0


@pytest.mark.parametrize(
    "mutate",
    [
        lambda s: s[:-5] + "AAAAA",
        lambda s: "garbage",
        lambda s: "",
    ],
)
def test_forged_or_missing_draft_is_refused(app, db, first_page, mutate):
    path, html = first_page
    client = app.test_client(use_cookies=False)
    data = answer_page(html)
    data["state"] = mutate(data["state"])
    response = post_and_follow(client, path, data, headers={"Accept-Language": "vi"})
    assert "Không tìm thấy câu trả lời trước đó" in response.text
    assert count(db) == 0


def test_draft_of_another_point_is_refused(app, db, client, first_page):
    other = make_point(db)
    path, html = first_page
    data = answer_page(html)
    other_path = path.replace(path.split("/")[2], other["token"])
    response = app.test_client(use_cookies=False).post(other_path, data=data)
    assert response.status_code == 303
    assert f"/s/{other['token']}?lost=1" in response.headers["Location"]


@pytest.mark.parametrize(
    "method,url",
    [
        ("put", "/s/{token}"),
        ("delete", "/s/{token}/start"),
        ("get", "/s/{token}/start"),
        ("patch", "/s/{token}/p/about_you"),
    ],
)
def test_wrong_methods_get_405(client, point, method, url):
    response = getattr(client, method)(
        url.format(token=point["token"]), headers={"Accept-Language": "vi"}
    )
    assert response.status_code == 405
    assert "Thao tác không được hỗ trợ" in response.text


def test_unknown_page_is_404(client, first_page, point):
    response = client.get(f"/s/{point['token']}/p/not_a_page")
    assert response.status_code == 404


def test_oversize_body_is_413(client, first_page):
    path, _ = first_page
    response = client.post(path, data={"x": "a" * (3 * 1024 * 1024)})
    assert response.status_code == 413


@pytest.fixture
def csrf_app(tmp_path, monkeypatch):
    """Return an app with CSRF protection on."""
    monkeypatch.setenv("PAPI_PULSE_INSTANCE", str(tmp_path / "csrf-instance"))
    return create_app({"TESTING": True, "SECRET_KEY": "k" * 40})


def test_csrf_is_enforced_but_an_expired_token_keeps_the_answers(csrf_app):
    from survey.webdb import open_db

    db = open_db(csrf_app)
    point = make_point(db)
    client = csrf_app.test_client()
    refused = client.post(f"/s/{point['token']}/start")
    assert refused.status_code == 303 and "/p/" not in refused.headers["Location"]
    welcome = client.get(f"/s/{point['token']}")
    token = read_form(welcome.text).hidden["csrf_token"]
    location = client.post(f"/s/{point['token']}/start", data={"csrf_token": token}).headers[
        "Location"
    ]
    assert "/p/" in location
    html = client.get(location, headers={"Accept-Language": "vi"}).text
    data = answer_page(html)
    data["csrf_token"] = "expired-or-forged"
    response = post_and_follow(client, page_path(location), data, {"Accept-Language": "vi"})
    assert "Câu trả lời của ông/bà vẫn được giữ" in response.text
    first = read_form(html).order[0]
    assert f'name="{first}" value="{data[first]}" checked' in response.text
    fresh = read_form(response.text).hidden["csrf_token"]
    retry = client.post(page_path(location), data={**data, "csrf_token": fresh})
    assert retry.status_code == 303 and page_path(retry.headers["Location"]) != page_path(location)
    assert db.execute("SELECT count(*) FROM responses").fetchone()[0] == 0
    db.close()

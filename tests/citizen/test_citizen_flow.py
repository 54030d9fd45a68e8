"""The citizen's whole path through the test client: welcome, pages, storing, thank-you."""

import json
import re

import pytest
from citizen_helpers import answer_page, complete, page_path, read_form

from survey import points, responses
from survey.questionnaire import latest
from survey.questionnaire.logic import is_shown
from tests.factories import make_point


@pytest.fixture
def point(db):
    """Return an active collection point."""
    return make_point(db)


def stored(db) -> list[dict]:
    """Return every stored response, decoded."""
    return [responses.decode(row) for row in db.query("SELECT * FROM responses")]


def test_welcome_page_says_who_why_how_long_and_anonymity(client, point):
    page = client.get(f"/s/{point['token']}", headers={"Accept-Language": "vi"})
    assert page.status_code == 200
    assert '<html lang="vi">' in page.text
    assert "phường Sài Gòn" in page.text and "Bộ phận Một cửa" in page.text
    assert "ẩn danh" in page.text and "phút" in page.text
    assert "Bắt đầu" in page.text
    assert 'href="?lang=en"' in page.text


def test_whole_flow_stores_one_complete_response(client, db, point):
    visited = complete(client, point["token"])
    rows = stored(db)
    assert len(rows) == 1
    row = rows[0]
    questionnaire = latest("papi-pulse-core")
    assert (row["questionnaire_id"], row["questionnaire_version"]) == (
        questionnaire.id,
        questionnaire.version,
    )
    assert row["point_id"] == point["id"]
    assert row["ward_code"] == "26734" and row["province_code"] == "79"
    assert "core" in row["modules"] and "closing" in row["modules"]
    assert len(row["modules"]) == sum(m.core for m in questionnaire.modules) + 2
    assert row["duration_seconds"] >= 0 and row["submitted_at"] >= row["started_at"]
    # Every shown item was answered, and nothing outside the drawn modules was.
    for item_id in row["answers"]:
        assert questionnaire.items[item_id].module_id in row["modules"]
        assert is_shown(questionnaire.items[item_id], row["answers"])
    assert row["answers"]["pressing_issue"] == "Đường sá ngập nước khi mưa."
    assert len(visited) == len(set(visited))
    thanks = client.get(f"/s/{point['token']}/thanks", headers={"Accept-Language": "vi"})
    assert "Cảm ơn ông/bà đã góp ý" in thanks.text


def test_nothing_is_stored_before_the_last_page(client, db, point):
    start = client.post(f"/s/{point['token']}/start")
    location = start.headers["Location"]
    for _ in range(3):
        page = client.get(location)
        response = client.post(page_path(location), data=answer_page(page.text))
        location = response.headers["Location"]
    assert stored(db) == []


def test_no_personal_data_is_stored(client, db, point):
    complete(client, point["token"])
    row = db.execute("SELECT * FROM responses").fetchone()
    text = json.dumps(list(row), ensure_ascii=False)
    assert "127.0.0.1" not in text
    assert "Mozilla" not in text and "werkzeug" not in text.lower()
    columns = {c.name for c in db["responses"].columns}
    assert not columns & {"ip", "ip_address", "user_agent", "fingerprint", "remote_addr"}


def test_progress_is_shown_and_never_grows_at_the_end(client, point):
    start = client.post(f"/s/{point['token']}/start")
    location, totals = start.headers["Location"], []
    while "/thanks" not in location:
        page = client.get(location, headers={"Accept-Language": "vi"})
        number, total = page.text.split('class="progress">Trang ')[1].split("<")[0].split("/")
        totals.append(int(total))
        response = client.post(page_path(location), data=answer_page(page.text))
        location = response.headers["Location"]
    assert totals == sorted(totals, reverse=True)
    assert int(number) == int(total)


def test_back_link_shows_the_previous_page_with_its_answers(client, point):
    start = client.post(f"/s/{point['token']}/start")
    first = start.headers["Location"]
    page = client.get(first)
    data = answer_page(page.text)
    second = client.post(page_path(first), data=data).headers["Location"]
    page_two = client.get(second)
    assert f'href="{page_path(first)}"' in page_two.text
    again = client.get(first)
    for name, value in data.items():
        if name in ("csrf_token", "csrf_point", "state", "lang"):
            continue
        assert f'name="{name}" value="{value}" checked' in again.text


def test_reload_keeps_answers_and_resume_from_welcome(client, point):
    start = client.post(f"/s/{point['token']}/start")
    first = start.headers["Location"]
    page = client.get(first)
    second = client.post(page_path(first), data=answer_page(page.text)).headers["Location"]
    assert client.get(second).status_code == 200  # a reload of the same page works
    welcome = client.get(f"/s/{point['token']}", headers={"Accept-Language": "vi"})
    assert "Làm tiếp phần đang dở" in welcome.text
    assert page_path(second) in welcome.text


def test_flow_works_without_cookies(app, db, point):
    client = app.test_client(use_cookies=False)
    start = client.post(f"/s/{point['token']}/start")
    location = start.headers["Location"]
    pages = 0
    while "/thanks" not in location:
        page = client.get(location)
        assert page.status_code == 200, location
        response = client.post(page_path(location), data=answer_page(page.text))
        assert response.status_code == 303
        location = response.headers["Location"]
        if "/thanks" not in location:
            assert "d=" in location  # the draft travels in the URL instead
        pages += 1
    assert len(stored(db)) == 1


def test_double_submit_stores_once(client, db, point):
    start = client.post(f"/s/{point['token']}/start")
    location = start.headers["Location"]
    while True:
        page = client.get(location)
        data = answer_page(page.text)
        response = client.post(page_path(location), data=data)
        if "/thanks" in response.headers["Location"]:
            again = client.post(page_path(location), data=data)
            assert again.status_code in (303, 400)
            break
        location = response.headers["Location"]
    assert len(stored(db)) == 1


def test_modules_are_balanced_by_the_server(client, db, point):
    questionnaire = latest("papi-pulse-core")
    for _ in range(len(questionnaire.rotating_modules) * 2):
        client.post(f"/s/{point['token']}/start")
    counts = {row["module_id"]: row["shown"] for row in db.query("SELECT * FROM module_counts")}
    rotating = [counts.get(m.id, 0) for m in questionnaire.rotating_modules]
    assert max(rotating) - min(rotating) <= 1


def test_hidden_follow_ups_are_skipped(client, db, point):
    def say_no(name, options, is_text):
        codes = [code for _, code in options]
        for preferred in ("no", "none", "never"):
            if preferred in codes:
                return preferred
        return "2" if is_text and is_text != "textarea" else (codes or ["x"])[0]

    complete(client, point["token"], choose=say_no)
    answers = stored(db)[0]["answers"]
    questionnaire = latest("papi-pulse-core")
    for item in questionnaire.items.values():
        if item.id in answers:
            assert is_shown(item, answers)


@pytest.mark.parametrize("status,token_of", [("retired", "old"), ("unknown", "random")])
def test_unknown_and_retired_tokens_get_a_friendly_404(client, db, point, status, token_of):
    token = point["token"]
    if token_of == "old":
        points.rotate_token(db, point["id"])
    else:
        token = "ZZZZZZZZZZZZZZ"
    page = client.get(f"/s/{token}", headers={"Accept-Language": "vi"})
    assert page.status_code == 404
    expected = "đã được thay thế" if status == "retired" else "Không tìm thấy khảo sát"
    assert expected in page.text
    assert client.post(f"/s/{token}/start").status_code == 404


def test_inactive_point_collects_nothing(client, db, point):
    db.execute("UPDATE points SET active = 0 WHERE id = ?", [point["id"]])
    assert client.get(f"/s/{point['token']}").status_code == 404
    assert client.post(f"/s/{point['token']}/start").status_code == 404


def test_lower_case_and_capital_urls_reach_the_point(client, point):
    lower = client.get(f"/s/{point['token'].lower()}")
    assert lower.status_code == 301 and lower.headers["Location"].endswith(point["token"])
    upper = client.get(f"/S/{point['token']}")
    assert upper.status_code == 301


def test_form_has_fieldsets_legends_and_labels(client, point):
    start = client.post(f"/s/{point['token']}/start")
    page = client.get(start.headers["Location"])
    form = read_form(page.text)
    for name, options in form.choices.items():
        for _, code in options:
            assert f'for="{name}-{code}"' in page.text
    assert page.text.count("<fieldset") >= len(form.choices) - 1
    assert page.text.count("<legend") == page.text.count("<fieldset")


@pytest.mark.parametrize(
    ("query", "switch"),
    [("?again=1", "?again=1&lang=en"), ("?again=1&ref=zalo", "?again=1&lang=en"), ("", "?lang=en")],
)
def test_the_language_switch_of_the_thanks_page_keeps_again_only(client, point, query, switch):
    page = client.get(f"/s/{point['token']}/thanks{query}", headers={"Accept-Language": "vi"})
    links = re.findall(r'<nav class="lang"[^>]*>\s*<a href="([^"]*)"', page.text)
    assert [link.replace("&amp;", "&") for link in links] == [switch]

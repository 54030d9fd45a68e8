"""Post/Redirect/Get: every citizen POST answers with a redirect, mistakes and the end included."""

import pytest
from citizen_helpers import answer_page, complete, error_messages, page_path, read_form

from survey.questionnaire import latest
from tests.factories import make_point

VI = {"Accept-Language": "vi"}


@pytest.fixture
def point(db):
    """Return an active collection point."""
    return make_point(db)


def first_page(client, point) -> tuple[str, str]:
    """Start a questionnaire; return (path, html) of its first page."""
    location = client.post(f"/s/{point['token']}/start").headers["Location"]
    return page_path(location), client.get(location, headers=VI).text


def test_an_invalid_page_redirects_to_a_get_that_shows_errors_and_typed_values(client, point):
    path, html = first_page(client, point)
    data = answer_page(html)
    skipped, kept = read_form(html).order[0], read_form(html).order[1]
    del data[skipped]
    sent = client.post(path, data=data, headers=VI)
    assert sent.status_code == 303
    assert page_path(sent.headers["Location"]) == path
    for _ in range(2):  # the page itself, then a reload of it
        shown = client.get(sent.headers["Location"], headers=VI)
        assert shown.status_code == 200
        question = latest("papi-pulse-core").items[skipped].text("vi")
        assert error_messages(shown.text) == [f"{question} Chọn một câu trả lời."]
        assert f'name="{kept}" value="{data[kept]}" checked' in shown.text


def test_typed_text_survives_the_redirect(client, point, monkeypatch):
    monkeypatch.setattr(
        "survey.responses.choose_modules", lambda questionnaire, counts: ["core", "closing"]
    )
    location = client.post(f"/s/{point['token']}/start").headers["Location"]
    while "/p/closing" not in location:
        html = client.get(location).text
        location = client.post(page_path(location), data=answer_page(html)).headers["Location"]
    data = {**answer_page(client.get(location).text), "pressing_issue": "Đèn đường\x07 hỏng"}
    sent = client.post(page_path(location), data=data, headers={"Accept-Language": "en"})
    shown = client.get(sent.headers["Location"], headers={"Accept-Language": "en"})
    assert "The text contains characters that cannot be read." in shown.text
    assert "Đèn đường\x07 hỏng</textarea>" in shown.text


def test_after_a_correction_the_page_shows_the_answers_without_errors(client, point):
    path, html = first_page(client, point)
    data = answer_page(html)
    skipped = read_form(html).order[0]
    client.post(path, data={k: v for k, v in data.items() if k != skipped})
    following = client.post(path, data=data)
    assert page_path(following.headers["Location"]) != path
    back = client.get(path, headers=VI)  # Back, or the page's own Back link
    assert error_messages(back.text) == []
    for name in read_form(html).order:
        assert f'name="{name}" value="{data[name]}" checked' in back.text


def test_a_lost_draft_on_post_redirects_to_the_welcome_page(app, point):
    client = app.test_client(use_cookies=False)
    path, html = first_page(app.test_client(), point)
    sent = client.post(path, data={**answer_page(html), "state": "forged"})
    assert sent.status_code == 303
    welcome = client.get(sent.headers["Location"], headers=VI)
    assert "Không tìm thấy câu trả lời trước đó trên điện thoại này" in welcome.text


@pytest.mark.parametrize("cookies", [True, False], ids=["cookies", "no-cookies"])
def test_back_after_the_end_says_the_answers_were_sent(app, db, point, cookies):
    client = app.test_client(use_cookies=cookies)
    location = client.post(f"/s/{point['token']}/start").headers["Location"]
    history = []
    while "/thanks" not in location:
        history.append(location)
        html = client.get(location).text
        location = client.post(page_path(location), data=answer_page(html)).headers["Location"]
    for earlier in (history[-1], history[0]):  # Back once, or all the way to the first page
        again = client.get(earlier, headers=VI)
        assert again.status_code == 303
        assert "/thanks" in again.headers["Location"]
        shown = client.get(again.headers["Location"], headers=VI)
        assert "Ông/bà đã gửi câu trả lời rồi" in shown.text
        assert "Không tìm thấy" not in shown.text
        assert f'href="/s/{point["token"]}"' in shown.text  # the way on, for someone else
    assert db.execute("SELECT count(*) FROM responses").fetchone()[0] == 1


def test_the_welcome_page_never_says_lost_beside_already_answered(client, point):
    complete(client, point["token"])
    welcome = client.get(f"/s/{point['token']}?lost=1", headers=VI)
    assert 'id="already-answered"' in welcome.text
    assert "Không tìm thấy" not in welcome.text

"""Without cookies a browser can answer, CSRF still holds, and the privacy notice leads back."""

import pytest
from citizen_helpers import answer_page, page_path, read_form

from survey import create_app
from survey.webdb import open_db
from tests.factories import make_point

SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin", "Accept-Language": "vi"}


@pytest.fixture
def csrf_app(tmp_path, monkeypatch):
    """Return an app with CSRF protection on, as deployed."""
    monkeypatch.setenv("PAPI_PULSE_INSTANCE", str(tmp_path / "instance"))
    return create_app({"TESTING": True, "SECRET_KEY": "k" * 40})


@pytest.fixture
def db(csrf_app):
    """Return a database connection of the app."""
    handle = open_db(csrf_app)
    yield handle
    handle.close()


@pytest.fixture
def point(db):
    """Return an active collection point."""
    return make_point(db)


@pytest.fixture
def browser(csrf_app):
    """Return a client that keeps no cookie at all."""
    return csrf_app.test_client(use_cookies=False)


def start(browser, point, headers=SAME_ORIGIN, **changes):
    """Load the welcome page and press its start button; return the response."""
    welcome = browser.get(f"/s/{point['token']}", headers=headers)
    form = {**read_form(welcome.text).hidden, **changes}
    return browser.post(f"/s/{point['token']}/start", data=form, headers=headers)


def count(db) -> int:
    """Return the number of stored responses."""
    return db.execute("SELECT count(*) FROM responses").fetchone()[0]


def test_the_whole_questionnaire_can_be_answered_without_cookies(browser, db, point):
    response = start(browser, point)
    assert response.status_code == 303 and "/p/" in response.headers["Location"]
    location = response.headers["Location"]
    for _ in range(30):
        page = browser.get(location, headers=SAME_ORIGIN)
        assert page.status_code == 200
        response = browser.post(
            page_path(location), data=answer_page(page.text), headers=SAME_ORIGIN
        )
        assert response.status_code == 303
        location = response.headers["Location"]
        if "/thanks" in location:
            break
    assert "/thanks" in location
    assert count(db) == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Sec-Fetch-Site": "cross-site", "Origin": "http://localhost"},
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
    ],
    ids=["cross-site", "same-site", "cross-site-despite-origin", "foreign-origin", "null-origin"],
)
def test_a_form_from_another_site_is_refused_without_cookies(browser, point, headers):
    response = start(browser, point, headers={**headers, "Accept-Language": "vi"})
    # 400 from the app-wide origin check (survey/origin.py), or 303 back to the welcome page.
    assert response.status_code in (303, 400)
    assert "/p/" not in response.headers.get("Location", "")


def test_an_origin_equal_to_this_site_is_accepted(browser, point):
    response = start(browser, point, headers={"Origin": "http://localhost"})
    assert "/p/" in response.headers["Location"]


@pytest.mark.parametrize("forged", ["", "garbage", "other-point"])
def test_the_point_token_is_required_without_cookies(browser, db, point, forged):
    if forged == "other-point":
        other = make_point(db)
        forged = read_form(browser.get(f"/s/{other['token']}").text).hidden["csrf_point"]
    response = start(browser, point, csrf_point=forged)
    assert "/p/" not in response.headers["Location"]


def test_without_cookies_or_fetch_metadata_the_page_says_what_is_needed(browser, point):
    response = start(browser, point, headers={"Accept-Language": "vi"})
    assert response.status_code == 303
    welcome = browser.get(response.headers["Location"], headers={"Accept-Language": "vi"})
    assert "Trình duyệt của ông/bà đang chặn cookie" in welcome.text
    assert 'role="alert"' in welcome.text


def test_an_expired_start_button_says_to_press_again(csrf_app, point):
    client = csrf_app.test_client()
    client.get(f"/s/{point['token']}")  # the session cookie is kept
    response = client.post(f"/s/{point['token']}/start", data={"csrf_token": "old"})
    welcome = client.get(response.headers["Location"], headers={"Accept-Language": "vi"})
    assert "Trang này đã mở khá lâu. Vui lòng bấm nút một lần nữa." in welcome.text


def test_a_page_posted_from_another_site_keeps_the_draft_cookie(csrf_app, point):
    client = csrf_app.test_client()
    location = start(client, point).headers["Location"]
    page = client.get(location, headers=SAME_ORIGIN)
    data = answer_page(page.text)
    forged = client.post(
        page_path(location),
        data={**data, "csrf_token": "", "csrf_point": ""},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert forged.status_code == 303
    assert "Set-Cookie" not in forged.headers or "draft_" not in forged.headers["Set-Cookie"]
    assert page_path(forged.headers["Location"]) == page_path(location)


@pytest.mark.parametrize("cookies", [True, False], ids=["cookies", "no-cookies"])
def test_the_privacy_notice_leads_back_to_the_page_it_was_opened_from(csrf_app, point, cookies):
    client = csrf_app.test_client(use_cookies=cookies)
    location = start(client, point).headers["Location"]
    first = client.get(location, headers=SAME_ORIGIN)
    location = client.post(
        page_path(location), data=answer_page(first.text), headers=SAME_ORIGIN
    ).headers["Location"]
    page = client.get(location, headers=SAME_ORIGIN)
    link = page.text.split("<footer>")[1].split('href="')[1].split('"')[0].replace("&amp;", "&")
    notice = client.get(link, headers={"Accept-Language": "vi"})
    assert "Quay lại khảo sát" in notice.text
    back = notice.text.split('class="back" href="')[1].split('"')[0].replace("&amp;", "&")
    assert page_path(back) == page_path(location)
    again = client.get(back, headers=SAME_ORIGIN)
    assert again.status_code == 200
    assert read_form(again.text).order == read_form(page.text).order


def test_the_privacy_notice_from_the_welcome_page_leads_back_to_it(csrf_app, point):
    client = csrf_app.test_client()
    welcome = client.get(f"/s/{point['token']}?lang=en")
    link = welcome.text.split("Read how your answers are used")[0].rsplit('href="', 1)[1]
    notice = client.get(link.split('"')[0].replace("&amp;", "&"))
    assert f'href="/s/{point["token"]}?lang=en"' in notice.text
    assert "Back to the survey" in notice.text


def test_the_privacy_notice_opened_alone_has_no_way_back(csrf_app):
    notice = csrf_app.test_client().get("/privacy?from=ZZZZZZZZZZZZZZ")
    assert notice.status_code == 200
    assert "Quay lại khảo sát" not in notice.text

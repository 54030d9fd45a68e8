"""A citizen types a sum as people write it: stored in the box's unit, read back in words."""

import json

import pytest
from bs4 import BeautifulSoup
from citizen_helpers import answer_page, page_path, walk_to

from tests.factories import make_point

AMOUNT = "land_extra_amount"  # "nghìn đồng", 0 to 1 000 000


@pytest.fixture(autouse=True)
def every_module(monkeypatch):
    """Draw every module, so that the amount page is reached."""
    monkeypatch.setattr(
        "survey.responses.choose_modules",
        lambda questionnaire, counts: [m.id for m in questionnaire.modules],
    )


def amount_page(client, db, lang="vi"):
    """Return the page that asks for the amount, reached by answering "yes" to paying extra."""
    token = make_point(db)["token"]
    return walk_to(client, token, "procedures_amount", headers={"Accept-Language": lang})


def send(client, page, *typed, lang="vi"):
    """Post the page with these values of the amount; return the page shown next."""
    data = answer_page(page.text)
    data[AMOUNT] = list(typed)
    headers = {"Accept-Language": lang}
    path = page.request.path
    return client.post(path, data=data, headers=headers, follow_redirects=True)


def finish(client, page) -> dict:
    """Answer the remaining pages; return the stored answers."""
    from survey.webdb import get_db

    while "/thanks" not in page.request.path:
        data = answer_page(page.text)
        page = client.post(page.request.path, data=data, follow_redirects=True)
    with client.application.app_context():
        row = get_db().execute("SELECT answers FROM responses").fetchone()
    return json.loads(row[0])


def text_of(page) -> str:
    """Return the visible text of a page, whitespace collapsed."""
    return " ".join(BeautifulSoup(page.text, "html.parser").get_text(" ").split())


@pytest.mark.parametrize("typed", ["500 nghìn", "500k", "500.000đ", "500.000 VNĐ", "500"])
def test_a_sum_written_the_vietnamese_way_is_stored_in_thousands(client, db, typed):
    following = send(client, amount_page(client, db), typed)
    assert "/p/procedures_amount" not in following.request.path
    said = "Ở trang trước, ông/bà đã ghi 500.000 đồng (năm trăm nghìn đồng)."
    assert said in text_of(following)
    assert finish(client, following)[AMOUNT] == 500


def test_500_000_in_a_thousands_box_is_asked_about_then_stored_as_500(client, db):
    asked = send(client, amount_page(client, db), "500.000")
    assert asked.request.path.endswith("/p/procedures_amount")
    soup = BeautifulSoup(asked.text, "html.parser")
    group = soup.select_one(f"#{AMOUNT}-group")
    assert "“500.000” có thể hiểu theo hai cách" in group.select_one(".error").get_text()
    readings = {
        r["value"]: " ".join(soup.find("label", attrs={"for": r["id"]}).get_text().split())
        for r in group.select("input[type=radio]")
    }
    assert readings == {
        "500 nghìn": "500.000 đồng (năm trăm nghìn đồng)",
        "500 triệu": "500.000.000 đồng (năm trăm triệu đồng)",
    }
    assert group.select_one("fieldset legend").get_text() == "Ông/bà muốn ghi số tiền nào?"
    assert soup.select_one(f"#{AMOUNT}")["value"] == "500.000"  # what was typed is kept
    following = send(client, asked, "500.000", "500 nghìn")
    assert "năm trăm nghìn đồng" in text_of(following)
    assert finish(client, following)[AMOUNT] == 500


def test_a_reading_that_contradicts_the_box_is_refused(client, db):
    page = send(client, amount_page(client, db), "2 triệu", "500 nghìn")
    assert "Số tiền đã gõ và số tiền đã chọn không khớp nhau" in text_of(page)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1,5", "Xin ghi số tròn theo nghìn đồng, hoặc ghi kèm đơn vị, ví dụ “1,5 triệu”."),
        ("một trăm nghìn", "Xin ghi số tiền bằng chữ số, ví dụ “500 nghìn” hay “1,5 triệu”."),
        ("2 tỷ", "Xin ghi số tiền từ 0 đồng (không đồng) đến 1.000.000.000 đồng (một tỷ đồng)."),
    ],
)
def test_a_sum_that_cannot_be_stored_asks_again_in_plain_words(client, db, typed, message):
    page = send(client, amount_page(client, db), typed)
    assert page.request.path.endswith("/p/procedures_amount")
    assert message in BeautifulSoup(page.text, "html.parser").select_one(".error").get_text()


def test_back_shows_the_stored_sum_with_its_unit_and_keeps_it(client, db):
    page = amount_page(client, db)
    following = send(client, page, "2 triệu")
    back = BeautifulSoup(following.text, "html.parser").select_one("a.back")["href"]
    again = client.get(back)
    soup = BeautifulSoup(again.text, "html.parser")
    assert soup.select_one(f"#{AMOUNT}")["value"] == "2 triệu"  # not "2000", which reads two ways
    assert "Ông/bà đã ghi 2.000.000 đồng (hai triệu đồng)." in text_of(again)
    box = soup.select_one(f"#{AMOUNT}")
    assert f"{AMOUNT}-readback" in box["aria-describedby"].split()
    assert finish(client, send(client, again, "2 triệu"))[AMOUNT] == 2000


def test_english_reads_the_sum_back_with_english_digits(client, db):
    page = amount_page(client, db, lang="en")
    following = send(client, page, "1.5 million", lang="en")
    assert "On the previous page you entered 1,500,000 dong." in text_of(following)


def test_the_amount_page_still_takes_prefer_not_to_say(client, db):
    following = send(client, amount_page(client, db), "refused")
    assert "/p/procedures_amount" not in page_path(following.request.path)
    assert "đã ghi" not in text_of(following)
    assert finish(client, following)[AMOUNT] == "refused"


def test_the_question_asking_which_amount_is_valid_html(client, db):
    import html5lib

    asked = send(client, amount_page(client, db), "2000")
    html5lib.HTMLParser(strict=True).parse(asked.data)
    soup = BeautifulSoup(asked.text, "html.parser")
    ids = [tag["id"] for tag in soup.find_all(id=True)]
    assert len(ids) == len(set(ids))
    for radio in soup.select(f"#{AMOUNT}-group input[type=radio]"):
        assert soup.find("label", attrs={"for": radio["id"]})


@pytest.mark.parametrize(
    ("typed", "stored"), [("7", 7), ("1.500", 1500), ("1,500", 1500), ("1.5", None), ("1,5", None)]
)
def test_a_count_reads_grouped_thousands_but_not_decimals(app, typed, stored):
    from werkzeug.datastructures import MultiDict

    from survey.citizen.forms import validate_page
    from survey.questionnaire.model import Item, Page

    item = Item("visits", "integer", "Mấy lần?", "How many times?", min=0, max=5000)
    page = Page("p", "m", "Trang", "Page", (item,))
    with app.test_request_context("/?lang=en"):
        answers, errors, _ = validate_page(page, [item], MultiDict({"visits": typed}))
    if stored is None:
        assert errors == {"visits": "Enter a whole number using digits, like 5."}
    else:
        assert answers == {"visits": stored}

"""Citizen wording: one duration on the welcome page, and no phrase that reads as translated."""

import re
import tomllib

import pytest
from bs4 import BeautifulSoup
from citizen_helpers import answer_page, everything, page_path
from flask_babel import gettext

from survey.paths import PACKAGE_DIR
from survey.questionnaire import latest
from survey.questionnaire.timing import minutes_range
from tests.factories import make_point

QUESTIONNAIRES = sorted((PACKAGE_DIR / "questionnaire" / "files").glob("*.toml"))
# Phrases a Vietnamese reader finds odd (or, in English, wrong), and where they came from.
ODD = {
    "vi": [
        "hài lòng thế nào",  # "how satisfied", word for word
        "Thêm một chút về",  # "a little more about"
        "Chúng tôi không thu thập gì",  # reads "we collect nothing"
        "Tiếp theo sẽ thế nào",  # "what happens next"
        "từng người một",  # "one by one"
        "câu trả lời tự do",  # "free-text answer"
        "số nguyên",  # "whole number": school maths, not everyday words
        "phút.",  # a duration in the questionnaire's own texts (the welcome page computes one)
    ],
    "en": ["such as a birth", "minutes"],
}


@pytest.fixture
def point(db):
    """Return an active collection point."""
    return make_point(db)


def visible_text(html: str) -> str:
    """Return the text a reader sees in the page's main part."""
    return BeautifulSoup(html, "html.parser").main.get_text(" ", strip=True)


def display_texts(node, lang: str):
    """Yield every text of a questionnaire file shown in one language."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in (lang, f"text_{lang}") or key.endswith(f"_{lang}"):
                yield from (value if isinstance(value, list) else [value])
            else:
                yield from display_texts(value, lang)
    elif isinstance(node, list):
        for value in node:
            yield from display_texts(value, lang)


@pytest.mark.parametrize("lang,unit", [("vi", "phút"), ("en", "minute")])
@pytest.mark.parametrize("query", ["", "?lost=1"], ids=["plain", "lost"])
def test_the_welcome_page_says_how_long_once(client, point, lang, unit, query):
    low, high = minutes_range(latest("papi-pulse-core"))
    page = client.get(f"/s/{point['token']}{query}", headers={"Accept-Language": lang})
    text = visible_text(page.text)
    assert len(re.findall(unit, text)) == 1, text
    said = f"{low} đến {high} phút" if lang == "vi" else f"{low} to {high} minutes"
    assert said in text


@pytest.mark.parametrize("lang,said", [("vi", "18 tuổi"), ("en", "18 and over")])
def test_the_welcome_page_says_who_may_answer_once(client, point, lang, said):
    page = client.get(f"/s/{point['token']}", headers={"Accept-Language": lang})
    assert visible_text(page.text).count(said) == 1


@pytest.mark.parametrize("path", QUESTIONNAIRES, ids=lambda path: path.name)
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_questionnaire_texts_read_naturally(path, lang):
    texts = list(display_texts(tomllib.loads(path.read_text(encoding="utf-8")), lang))
    assert len(texts) > 100
    for text in texts:
        for phrase in ODD[lang]:
            assert phrase not in text, text


def citizen_pages(client, point, lang):
    """Yield the text of every page a citizen may see, mistakes included, in one language."""
    headers = {"Accept-Language": lang}
    yield visible_text(client.get(f"/s/{point['token']}", headers=headers).text)
    yield visible_text(client.get(f"/privacy?from={point['token']}", headers=headers).text)
    location = client.post(f"/s/{point['token']}/start").headers["Location"]
    while "/thanks" not in location:
        path = page_path(location)
        yield visible_text(client.get(location, headers=headers).text)
        mistakes = client.post(
            path, data={"state": answer_page(client.get(location).text)["state"]}
        )
        yield visible_text(client.get(mistakes.headers["Location"], headers=headers).text)
        data = answer_page(client.get(location).text, everything)
        location = client.post(path, data=data).headers["Location"]
    yield visible_text(client.get(location, headers=headers).text)
    yield visible_text(client.get(f"{location}?again=1", headers=headers).text)


def test_no_citizen_page_reads_as_translated(client, point, monkeypatch):
    monkeypatch.setattr(
        "survey.responses.choose_modules",
        lambda questionnaire, counts: [m.id for m in questionnaire.modules],
    )
    pages = list(citizen_pages(client, point, "vi"))
    assert len(pages) > 20
    for text in pages:
        for phrase in ODD["vi"][:-1]:
            assert phrase not in text, text
    privacy = pages[1]
    assert "Những gì chúng tôi không thu thập" in privacy


@pytest.mark.parametrize(
    "message",
    [
        "Enter a whole number.",
        "Enter a whole number using digits, like 5.",
        "Enter a whole number from %(low)s to %(high)s.",
        "What we do not collect",
        "What happens next",
        "Answers are only ever reported as totals for many people, never one by one.",
    ],
)
def test_interface_messages_read_naturally(app, message):
    with app.test_request_context(headers={"Accept-Language": "vi"}):
        said = gettext(message)
    assert said != message  # translated
    for phrase in ODD["vi"]:
        assert phrase not in said

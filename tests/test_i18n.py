"""Locale negotiation, and the message catalogues being complete and current."""

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def lang_of(app):
    """Return a function giving the negotiated locale for request arguments."""
    from survey.i18n import select_locale

    def negotiate(path="/privacy", **kwargs):
        with app.test_request_context(path, **kwargs):
            return select_locale()

    return negotiate


@pytest.mark.parametrize(
    "kwargs,expected",
    [
        ({}, "vi"),
        ({"headers": {"Accept-Language": "en-US,en;q=0.9"}}, "en"),
        ({"headers": {"Accept-Language": "vi-VN,vi;q=0.9,en;q=0.5"}}, "vi"),
        ({"headers": {"Accept-Language": "fr-FR,de;q=0.8"}}, "vi"),
        ({"headers": {"Accept-Language": "fr,en;q=0.5"}}, "en"),
        ({"path": "/privacy?lang=en", "headers": {"Accept-Language": "vi"}}, "en"),
        ({"path": "/privacy?lang=vi", "headers": {"Accept-Language": "en"}}, "vi"),
        ({"path": "/privacy?lang=xx", "headers": {"Accept-Language": "en"}}, "en"),
        ({"path": "/privacy", "method": "POST", "data": {"lang": "en"}}, "en"),
    ],
)
def test_locale_precedence(lang_of, kwargs, expected):
    assert lang_of(**kwargs) == expected


def test_explicit_choice_is_remembered_in_the_session(client):
    client.get("/privacy?lang=en")
    page = client.get("/privacy", headers={"Accept-Language": "vi"})
    assert '<html lang="en">' in page.text


def test_html_lang_and_numbers_follow_the_locale(client):
    vi = client.get("/privacy", headers={"Accept-Language": "vi"})
    en = client.get("/privacy", headers={"Accept-Language": "en"})
    assert '<html lang="vi">' in vi.text and "Thông báo về quyền riêng tư" in vi.text
    assert '<html lang="en">' in en.text and "Privacy notice" in en.text


def test_the_staff_language_switch_keeps_the_page_s_query(client, db):
    from urllib.parse import urljoin

    from bs4 import BeautifulSoup

    from tests.factories import BEN_THANH, make_units, make_user
    from tests.staff_helpers import sign_in

    make_units(db)
    sign_in(client, make_user(db, "analyst", "analyst"))
    page = f"/staff/analysis/fix?unit=ward&code={BEN_THANH}&period=2026-Q3"
    shown = client.get(page, headers={"Accept-Language": "vi"})
    assert shown.status_code == 200
    switch = BeautifulSoup(shown.text, "html.parser").select_one("a[hreflang=en]")["href"]
    english = client.get(urljoin(page, switch))
    assert english.status_code == 200, switch
    assert '<html lang="en">' in english.text and "What to fix first" in english.text
    assert "Phường Bến Thành" in english.text


def test_numbers_are_formatted_for_the_locale(app):
    from flask_babel import force_locale, format_decimal

    with app.test_request_context():
        with force_locale("vi"):
            assert format_decimal(7.25) == "7,25"
        with force_locale("en"):
            assert format_decimal(7.25) == "7.25"


def catalogue(locale):
    """Read a locale's catalogue."""
    path = ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_catalogue_has_no_untranslated_or_fuzzy_entries(locale):
    problems = []
    for message in catalogue(locale):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if "fuzzy" in message.flags or not all(strings):
            problems.append(message.id)
    assert problems == []


def test_catalogue_template_is_current(tmp_path):
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "--no-location",
            "--omit-header",
            "-o",
            str(fresh),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with fresh.open("rb") as handle:
        extracted = {m.id for m in read_po(handle) if m.id}
    committed = {m.id for m in catalogue("vi") if m.id}
    assert sorted(map(str, extracted - committed)) == [], "run: python tools/messages.py update"
    assert sorted(map(str, committed - extracted)) == [], "run: python tools/messages.py update"


def test_placeholders_survive_translation():
    import re

    for message in catalogue("vi"):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(re.findall(r"%\(\w+\)s", ids[0]))
        for string in filter(None, strings):
            assert set(re.findall(r"%\(\w+\)s", string)) == wanted, message.id

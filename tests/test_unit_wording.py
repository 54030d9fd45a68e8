"""Citizen and poster text names each point's own kind of unit: phường, xã or đặc khu (#8.3).

79 % of the 3,321 units are xã: a welcome page, poster or thank-you page that says "phường"
(or "ward") at a commune is wrong there. Units come from vietnam-provinces, as `units load`
stores them.
"""

import io
import re

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from survey import accounts, config, unit_names
from survey.unit_names import Unit
from tests.factories import load_units, make_point, make_user
from tests.staff_helpers import sign_in

# One real unit of each kind (codes as vietnam-provinces has them).
UNITS = {
    "phường": "26743",  # Phường Bến Thành, Thành phố Hồ Chí Minh
    "xã": "28243",  # Xã An Lục Long, Tây Ninh
    "đặc khu": "31078",  # Đặc khu Phú Quốc, An Giang
}
ORGANISER = {
    ("phường", "vi"): "Ủy ban nhân dân phường Bến Thành",
    ("xã", "vi"): "Ủy ban nhân dân xã An Lục Long",
    ("đặc khu", "vi"): "Ủy ban nhân dân đặc khu Phú Quốc",
    ("phường", "en"): "the People's Committee of Ben Thanh Ward",
    ("xã", "en"): "the People's Committee of An Luc Long Commune",
    ("đặc khu", "en"): "the People's Committee of Phu Quoc Special Zone",
}
UNIT_IN_SENTENCE = {
    ("phường", "vi"): "phường Bến Thành",
    ("xã", "vi"): "xã An Lục Long",
    ("đặc khu", "vi"): "đặc khu Phú Quốc",
    ("phường", "en"): "Ben Thanh Ward",
    ("xã", "en"): "An Luc Long Commune",
    ("đặc khu", "en"): "Phu Quoc Special Zone",
}
HEADING = {
    ("phường", "vi"): "Xin ông/bà cho biết ý kiến về việc phục vụ người dân của phường",
    ("xã", "vi"): "Xin ông/bà cho biết ý kiến về việc phục vụ người dân của xã",
    ("đặc khu", "vi"): "Xin ông/bà cho biết ý kiến về việc phục vụ người dân của đặc khu",
    ("phường", "en"): "Tell us how your ward serves you",
    ("xã", "en"): "Tell us how your commune serves you",
    ("đặc khu", "en"): "Tell us how your special zone serves you",
}
# The words that must not appear where the unit is of another kind.
OTHER_WORDS = {
    "phường": {"vi": ["xã", "đặc khu"], "en": ["commune", "special zone"]},
    "xã": {"vi": ["phường", "đặc khu"], "en": ["ward", "special zone"]},
    "đặc khu": {"vi": ["phường", "xã"], "en": ["ward", "commune"]},
}
KINDS = list(UNITS)
LOCALES = ["vi", "en"]


def words(text: str) -> str:
    """Return text with runs of white space made single spaces."""
    return " ".join(text.split())


def has_word(text: str, word: str) -> bool:
    """Tell whether text holds word as a whole word, whatever its case."""
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE) is not None


def foreign_words(text: str, kind: str, locale: str) -> list[str]:
    """Return the words of other kinds of unit found in text."""
    return [word for word in OTHER_WORDS[kind][locale] if has_word(text, word)]


@pytest.fixture
def unit_points(db):
    """Return {kind: an active point in a real unit of that kind}."""
    load_units(db)
    return {kind: make_point(db, ward_code=code) for kind, code in UNITS.items()}


@pytest.fixture
def staff(client, db):
    """Return a client signed in as an administrator."""
    sign_in(client, make_user(db, role=accounts.ADMINISTRATOR))
    return client


def lang_query(locale: str) -> str:
    """Return the query string choosing a citizen page's language."""
    return f"?lang={locale}"


@pytest.mark.parametrize(
    ("name", "kind", "vi", "en"),
    [
        ("Xã An Lục Long", "xã", "xã An Lục Long", "An Luc Long Commune"),
        ("Phường Bến Thành", "phường", "phường Bến Thành", "Ben Thanh Ward"),
        ("Đặc khu Phú Quốc", "đặc khu", "đặc khu Phú Quốc", "Phu Quoc Special Zone"),
        (
            "Phường Văn Miếu - Quốc Tử Giám",
            "phường",
            "phường Văn Miếu - Quốc Tử Giám",
            "Van Mieu - Quoc Tu Giam Ward",
        ),
        # Rows loaded some other way: the type still comes from the name.
        ("Xã Đông Hòa", "commune", "xã Đông Hòa", "Dong Hoa Commune"),
        ("Phường Sài Gòn", "", "phường Sài Gòn", "Sai Gon Ward"),
        ("Khu Kinh tế", "", "Khu Kinh tế", "Khu Kinh te"),
    ],
)
def test_a_unit_is_named_for_a_sentence_in_each_language(name, kind, vi, en):
    unit = Unit(name, kind)
    assert (unit.full_name("vi"), unit.full_name("en")) == (vi, en)


def test_every_loaded_unit_has_its_kind_and_a_name_that_starts_with_it(db, unit_points):
    kinds = dict(db.execute("SELECT kind, count(*) FROM wards GROUP BY kind").fetchall())
    assert kinds == {"phường": 687, "xã": 2621, "đặc khu": 13}
    for row in db.query("SELECT name, kind FROM wards"):
        unit = Unit.of_ward(row)
        assert unit.type == row["kind"] and unit.full_name("vi") == (
            row["kind"] + row["name"][len(row["kind"]) :]
        )


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", KINDS)
def test_welcome_page_names_the_organiser_of_the_unit(client, unit_points, kind, locale):
    point = unit_points[kind]
    page = BeautifulSoup(client.get(f"/s/{point['token']}{lang_query(locale)}").text, "html.parser")
    asked, where = (words(li.get_text()) for li in page.select("main ul li")[:2])
    label = {"vi": "Đơn vị thực hiện:", "en": "Asked by:"}[locale]
    assert asked == f"{label} {ORGANISER[kind, locale]}."
    place = {"vi": "Địa điểm:", "en": "Where:"}[locale]
    assert where == f"{place} Bộ phận Một cửa, {UNIT_IN_SENTENCE[kind, locale]}."
    assert foreign_words(asked + where, kind, locale) == []


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", KINDS)
def test_thank_you_page_says_where_results_are_published_in_the_unit(
    client, unit_points, kind, locale
):
    point = unit_points[kind]
    page = BeautifulSoup(
        client.get(f"/s/{point['token']}/thanks{lang_query(locale)}").text, "html.parser"
    )
    text = words(page.select_one("main").get_text(" "))
    assert ORGANISER[kind, locale].removeprefix("the ") in text
    assert foreign_words(text, kind, locale) == []
    assert "{unit}" not in text


@pytest.mark.parametrize("kind", KINDS)
def test_privacy_page_reached_from_a_point_names_its_organiser(client, unit_points, kind):
    point = unit_points[kind]
    welcome = BeautifulSoup(client.get(f"/s/{point['token']}").text, "html.parser")
    link = welcome.select_one("main a[href^='/privacy']")["href"]
    text = words(BeautifulSoup(client.get(link).text, "html.parser").select_one("main").text)
    assert f"Khảo sát do {ORGANISER[kind, 'vi']} thực hiện." in text
    assert foreign_words(text, kind, "vi") == []


@pytest.mark.parametrize("size", ["a4", "a5", "tent"])
@pytest.mark.parametrize("kind", KINDS)
def test_html_poster_follows_the_unit_in_both_languages(staff, unit_points, kind, size):
    point = unit_points[kind]
    response = staff.get(f"/staff/points/{point['id']}/poster?size={size}&lang=bilingual")
    sheet = BeautifulSoup(response.text, "html.parser").select_one("section.sheet")
    for locale in LOCALES:
        text = words(" ".join(node.get_text(" ") for node in sheet.select(f"[lang={locale}]")))
        assert HEADING[kind, locale] in text
        assert ORGANISER[kind, locale] in text
        assert foreign_words(text, kind, locale) == []


@pytest.mark.parametrize("size", ["a4", "a5", "tent"])
@pytest.mark.parametrize("kind", KINDS)
def test_pdf_poster_follows_the_unit_in_both_languages(staff, unit_points, kind, size):
    point = unit_points[kind]
    response = staff.get(
        f"/staff/points/{point['id']}/poster?size={size}&lang=bilingual&format=pdf"
    )
    assert response.mimetype == "application/pdf"
    text = words(PdfReader(io.BytesIO(response.data)).pages[0].extract_text())
    for locale in LOCALES:
        assert HEADING[kind, locale] in text
    assert f"Khảo sát do {ORGANISER[kind, 'vi']} thực hiện." in text
    assert f"This survey is run by {ORGANISER[kind, 'en']}." in text
    # The place line keeps the official name, type word first.
    assert Unit.of_point(point).name in text
    for locale in LOCALES:
        assert foreign_words(text, kind, locale) == []


def test_an_organiser_without_the_placeholder_is_shown_as_written(app, client, unit_points):
    app.config.update(ORGANISER_VI="Sở Nội vụ tỉnh Tây Ninh")
    page = client.get(f"/s/{unit_points['xã']['token']}").text
    assert "Đơn vị thực hiện: Sở Nội vụ tỉnh Tây Ninh." in page
    assert "Địa điểm: Bộ phận Một cửa, xã An Lục Long." in page


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("Ủy ban nhân dân {ward}", "ORGANISER_VI may use only the placeholder {unit}, not {ward}"),
        ("", "ORGANISER_VI must be a non-empty text"),
    ],
)
def test_a_misspelt_placeholder_stops_the_app(tmp_path, monkeypatch, value, problem):
    from survey import create_app

    monkeypatch.setenv("PAPI_PULSE_INSTANCE", str(tmp_path))
    with pytest.raises(config.ConfigError, match=re.escape(problem)):
        create_app({"SECRET_KEY": "x" * 40, "ORGANISER_VI": value})


def test_config_show_explains_the_placeholder(app):
    from survey import ops

    result = app.test_cli_runner().invoke(ops.config_show_command)
    assert result.exit_code == 0, result.output
    line = next(row for row in result.output.splitlines() if row.startswith("ORGANISER_VI"))
    assert "'Ủy ban nhân dân {unit}'" in line and "Ủy ban nhân dân xã An Lục Long" in line
    assert line.endswith("[default]")
    assert unit_names.PLACEHOLDER in config.DEFAULTS["RESULTS_NOTE_EN"]

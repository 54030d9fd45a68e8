"""Every citizen page is valid HTML, labelled, in the right language, light and high-contrast."""

import gzip
import re
from pathlib import Path

import html5lib
import pytest
from bs4 import BeautifulSoup
from citizen_helpers import answer_page, everything, page_path

from tests.factories import make_point

ROOT = Path(__file__).resolve().parent.parent.parent
# Bytes, compressed, HTML and CSS together: ten TCP segments of 1460 B, the initial congestion
# window of RFC 6928, so that a page arrives in the first round trip.
BUDGET = 14_600


@pytest.fixture
def pages(client, db, monkeypatch):
    """Return (name, response) for every citizen page, every module drawn, plus an error page."""
    monkeypatch.setattr(
        "survey.responses.choose_modules",
        lambda questionnaire, counts: [m.id for m in questionnaire.modules],
    )
    point = make_point(db)
    headers = {"Accept-Language": "vi"}
    found = [
        ("welcome", client.get(f"/s/{point['token']}", headers=headers)),
        ("privacy", client.get("/privacy", headers=headers)),
    ]
    location = client.post(f"/s/{point['token']}/start").headers["Location"]
    first = location
    while "/thanks" not in location:
        page = client.get(location, headers=headers)
        found.append((page_path(location), page))
        data = answer_page(page.text, everything)
        location = client.post(page_path(location), data=data).headers["Location"]
    found.append(("thanks", client.get(location, headers=headers)))
    found.append(("unknown", client.get("/s/ZZZZZZZZZZZZZZ", headers=headers)))
    client.post(f"/s/{point['token']}/start")
    errors = client.post(page_path(first), data={"state": "x"}, follow_redirects=True)
    found.append(("errors", errors))
    return found


def test_pages_parse_without_html_errors(pages):
    for name, response in pages:
        parser = html5lib.HTMLParser(strict=True)
        try:
            parser.parse(response.data)
        except html5lib.html5parser.ParseError as error:
            pytest.fail(f"{name}: {error}")


def test_pages_are_labelled_and_in_vietnamese(pages):
    for name, response in pages:
        soup = BeautifulSoup(response.text, "html.parser")
        assert soup.html["lang"] == "vi", name
        assert soup.title.string.strip(), name
        assert len(soup.find_all("h1")) == 1, name
        assert soup.find("meta", attrs={"name": "viewport"}), name
        ids = [tag["id"] for tag in soup.find_all(id=True)]
        assert len(ids) == len(set(ids)), f"{name}: duplicate ids"
        for label in soup.find_all("label"):
            if label.get("for"):
                assert soup.find(id=label["for"]), f"{name}: label for missing {label['for']}"
        for control in soup.select("input:not([type=hidden]), textarea, select"):
            labelled = (
                soup.find("label", attrs={"for": control.get("id")})
                or control.get("aria-label")
                or control.find_parent("label")
            )
            assert labelled, f"{name}: unlabelled {control}"
        for fieldset in soup.find_all("fieldset"):
            assert fieldset.find("legend"), f"{name}: fieldset without legend"
        for described in soup.find_all(attrs={"aria-describedby": True}):
            for ref in described["aria-describedby"].split():
                assert soup.find(id=ref), f"{name}: aria-describedby {ref} missing"


def test_pages_load_nothing_from_elsewhere_and_need_no_script(pages):
    for name, response in pages:
        soup = BeautifulSoup(response.text, "html.parser")
        assert not soup.find_all("script"), name
        for tag in soup.find_all(["link", "img", "iframe"]):
            source = tag.get("href") or tag.get("src") or ""
            assert not source.startswith(("http:", "https:", "//")), f"{name}: {source}"


def test_every_page_fits_the_weight_budget(pages):
    for name, response in pages:
        assert len(gzip.compress(response.data)) <= BUDGET, name


def luminance(hex_colour: str) -> float:
    """Return the WCAG relative luminance of a #rrggbb colour."""
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, two: str) -> float:
    """Return the WCAG contrast ratio of two colours."""
    high, low = sorted((luminance(one), luminance(two)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def rule(css: str, selector: str) -> str:
    """Return the declarations of the first rule for exactly this selector."""
    match = re.search(r"(?:^|\})" + re.escape(selector) + r"\{([^}]*)\}", css, re.M)
    assert match, selector
    return match.group(1)


def colour(declarations: str, prop: str, default: str) -> str:
    """Return a colour property's value (expanded to #rrggbb), or the default."""
    match = re.search(r"(?:^|;)" + prop + r":(#[0-9a-fA-F]{3,6})", declarations)
    value = match.group(1) if match else default
    return "#" + "".join(c * 2 for c in value[1:]) if len(value) == 4 else value


@pytest.mark.parametrize(
    "selector,background",
    [
        ("body", None),
        (".hint", "#ffffff"),
        ("a", "#ffffff"),
        (".error", "#ffffff"),
        (".top", None),
        (".button", None),
        (".button.secondary", None),
        (".progress", "#ffffff"),
        (".or", "#ffffff"),
        (".small", "#ffffff"),
    ],
)
def test_text_colours_meet_wcag_aa_contrast(selector, background):
    css = (ROOT / "templates" / "citizen" / "style.css").read_text()
    declarations = rule(css, selector)
    fore = colour(declarations, "color", "#0b0c0c")
    back = background or colour(declarations, "background", "#ffffff")
    assert contrast(fore, back) >= 4.5, (selector, fore, back)


def test_tap_targets_are_at_least_44_pixels():
    css = (ROOT / "templates" / "citizen" / "style.css").read_text()
    for selector in (".choice label", ".button", ".back", ".lang a,.lang button"):
        height = re.search(r"min-height:(\d+)px", rule(css, selector))
        assert height and int(height.group(1)) >= 44, selector

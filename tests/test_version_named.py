"""Every figure names the questionnaire version behind it: pages, overview, report, public page."""

import io

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from survey import publishing
from survey.public import cache
from tests.factories import BEN_THANH, HCMC, make_responses
from tests.staff_helpers import client_as

VI = "Bộ câu hỏi: papi-pulse-core, phiên bản 2"
EN = "Questionnaire: papi-pulse-core, version 2"


@pytest.fixture(autouse=True)
def fresh_cache():
    """Start and end every test without rendered public copies."""
    cache.clear()
    yield
    cache.clear()


def flat(text: str) -> str:
    """Return text with its white space collapsed."""
    return " ".join(text.split())


def page_text(response) -> str:
    """Return the visible text of a page that answered 200."""
    assert response.status_code == 200
    return flat(BeautifulSoup(response.data, "html.parser").get_text(" "))


def pdf_text(data: bytes) -> str:
    """Return the whole text of a PDF."""
    return flat("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


@pytest.mark.parametrize(
    "url",
    [
        f"/staff/analysis/?unit=ward&code={BEN_THANH}&period=2026-Q1",
        f"/staff/analysis/province/{HCMC}?period=2026-Q1",
    ],
)
def test_estimates_page_and_overview_name_the_version(app, db, world, url):
    make_responses(db, world["point"], 40)
    client = client_as(app, world, "analyst")
    assert VI in page_text(client.get(url + "&lang=vi"))
    assert EN in page_text(client.get(url + "&lang=en"))


@pytest.mark.parametrize("lang, expected", [("vi", VI), ("en", EN)])
def test_report_pdf_names_the_version(app, db, world, lang, expected):
    make_responses(db, world["point"], 40)
    client = client_as(app, world, "analyst")
    response = client.get(
        f"/staff/analysis/report.pdf?unit=ward&code={BEN_THANH}&period=2026-Q1&lang={lang}"
    )
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert expected in pdf_text(response.data)


def test_public_ward_page_names_the_published_version(app, client, db, world):
    make_responses(db, world["point"], 40)
    pub = publishing.publish(db, world["users"]["province_manager"], HCMC, "2026-Q1")
    assert pub["snapshot"]["questionnaire"] == {"id": "papi-pulse-core", "version": 2}
    assert VI in page_text(client.get(f"/ket-qua/{BEN_THANH}"))
    cache.clear()
    assert EN in page_text(client.get(f"/ket-qua/{BEN_THANH}?lang=en"))

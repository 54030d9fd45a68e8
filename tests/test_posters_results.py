"""Posters lead to the ward's results: the "Xem kết quả" line, and on A4 a second QR code."""

import io
import re

import pytest
import zxingcpp
from bs4 import BeautifulSoup
from PIL import Image, ImageDraw
from pypdf import PdfReader

from survey import accounts, posters, qr
from tests.factories import BEN_THANH, make_point, make_user
from tests.staff_helpers import sign_in
from tests.test_posters_pdf import page_streams, rasterise_rects

BASE = "https://khaosat.example.vn"
RESULTS = f"{BASE}/ket-qua/{BEN_THANH}"
LINE = f"Xem kết quả: khaosat.example.vn/ket-qua/{BEN_THANH}"
A4_POINTS = (595.28, 841.89)


@pytest.fixture
def point(db):
    """Return an active point in Phường Bến Thành."""
    return make_point(db, BEN_THANH)


@pytest.fixture
def staff(client, db, point):
    """Return a client signed in as the ward's staff."""
    sign_in(client, make_user(db, role=accounts.WARD_STAFF, scopes=[BEN_THANH]))
    return client


def soup(response) -> BeautifulSoup:
    """Parse an HTML response."""
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def decoded_pdf(data: bytes, size=A4_POINTS) -> set[str]:
    """Return the texts of the QR codes zxing-cpp finds on the PDF's only page."""
    (stream,) = page_streams(data)
    return {c.text for c in zxingcpp.read_barcodes(rasterise_rects(stream, *size))}


def svg_image(svg) -> Image.Image:
    """Paint an inline SVG code's path of horizontal runs, 8 px a module."""
    n = int(svg["viewbox"].split()[2])  # html.parser writes attribute names lower-case
    image = Image.new("L", (n * 8, n * 8), 255)
    draw = ImageDraw.Draw(image)
    for x, y, run in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\3z", svg.path["d"]):
        x, y, run = int(x), int(y), int(run)
        draw.rectangle([x * 8, y * 8, (x + run) * 8 - 1, (y + 1) * 8 - 1], fill=0)
    return image


@pytest.mark.parametrize("size", list(posters.SIZES))
def test_every_poster_prints_the_results_line(staff, point, size):
    base = f"/staff/points/{point['id']}/poster?size={size}"
    page = soup(staff.get(base))
    assert [p.text for p in page.select(".poster .results")] == [LINE] * (
        2 if size == "tent" else 1
    )
    data = staff.get(f"{base}&format=pdf").data
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert LINE in text.replace("\n", "")


def test_a4_poster_can_carry_a_second_qr_that_opens_the_results(staff, point, app):
    url = qr.survey_url(BASE, point["token"])
    plain = staff.get(f"/staff/points/{point['id']}/poster?format=pdf").data
    assert decoded_pdf(plain) == {url}  # one code unless asked for
    data = staff.get(f"/staff/points/{point['id']}/poster?results=qr&format=pdf").data
    assert decoded_pdf(data) == {url, RESULTS}
    assert re.findall(rb"/URI \(([^)]*)\)", data).count(RESULTS.encode()) == 1
    opened = app.test_client().get(RESULTS.removeprefix(BASE))
    assert opened.status_code == 200
    assert "Phường Bến Thành" in soup(opened).h1.text
    page = soup(staff.get(f"/staff/points/{point['id']}/poster?results=qr"))
    (svg,) = page.select(".poster svg.qr-results")
    assert [c.text for c in zxingcpp.read_barcodes(svg_image(svg))] == [RESULTS]
    assert svg["aria-label"] == RESULTS
    assert svg.find_next_sibling("p").text == LINE


def test_the_second_qr_is_smaller_than_the_survey_code(staff, point):
    data = staff.get(f"/staff/points/{point['id']}/poster?results=qr&format=pdf").data
    (stream,) = page_streams(data)
    # Each code starts with its white square (quiet zone included): "x y w h re f".
    white = [
        float(line.split()[2])
        for line in stream.decode("latin-1").splitlines()
        if line.endswith("re f") and line.split()[2] == line.split()[3].lstrip("-")
    ]
    survey, results = sorted(white, reverse=True)[:2]
    assert results <= survey / 3
    assert results * 25.4 / 72 >= 29  # mm: still scans from arm's length


@pytest.mark.parametrize("size", ["a5", "tent"])
def test_smaller_sizes_keep_one_code_and_offer_no_choice(staff, point, size):
    base = f"/staff/points/{point['id']}/poster?size={size}&results=qr"
    page = soup(staff.get(base))
    assert not page.select("svg.qr-results") and "Trang kết quả" not in page.text
    if size == "a5":
        data = staff.get(f"{base}&format=pdf").data
        assert decoded_pdf(data, (419.53, 595.28)) == {qr.survey_url(BASE, point["token"])}


def test_the_toolbar_choice_is_kept_by_the_other_links(staff, point):
    here = f"/staff/points/{point['id']}/poster"
    page = soup(staff.get(f"{here}?results=qr&lang=bilingual"))
    current = [a.text for a in page.select(".toolbar a[aria-current]")]
    assert current[-1] == "Địa chỉ và mã QR" and len(current) == 3
    assert page.select_one(f".toolbar a[href='{here}?size=a4&lang=bilingual']").text == (
        "Chỉ địa chỉ"
    )
    for href in (a["href"] for a in page.select(".toolbar a[href^='/staff/points/']")):
        if "size=a4" in href and "lang=bilingual" in href and "results" not in href:
            continue  # the "address only" choice itself
        assert "results=qr" in href, href
    plain = soup(staff.get(here))
    assert [a.text for a in plain.select(".toolbar a") if "results" in a["href"]] == [
        "Địa chỉ và mã QR"
    ]


def test_a_bad_results_choice_gets_a_clear_400(staff, point):
    response = staff.get(f"/staff/points/{point['id']}/poster?results=both")
    assert response.status_code == 400
    assert "mã QR thứ hai" in soup(response).select_one("main").get_text()


@pytest.mark.browser
def test_printed_a4_with_the_results_code_scans_to_both_and_stays_one_page(tmp_path):
    """Chromium prints the page as staff do; both codes scan from a screenshot of the sheet."""
    from survey.webdb import open_db
    from tests.browser_support import chromium, live_app
    from tests.staff.test_posters_browser import decode_screenshot, pdf_pages
    from tests.staff.test_posters_browser import sign_in as sign_in_browser

    with live_app(tmp_path / "instance") as (app, base):
        db = open_db(app)
        try:
            found = make_point(db, BEN_THANH)
            user = make_user(
                db, role=accounts.WARD_STAFF, scopes=[BEN_THANH], username="canbo.phuong"
            )
        finally:
            db.close()
        with chromium(tmp_path / "chromium", size=(1000, 1400)) as driver:
            sign_in_browser(driver, base, user["username"])
            driver.get(f"{base}/staff/points/{found['id']}/poster?results=qr")
            driver.execute_script("document.querySelector('.sheet').scrollIntoView()")
            codes = set(decode_screenshot(driver))
            assert codes == {f"{base.upper()}/S/{found['token']}", f"{base}/ket-qua/{BEN_THANH}"}
            assert pdf_pages(driver) == 1

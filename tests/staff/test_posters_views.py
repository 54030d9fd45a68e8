"""Poster and QR pages: content, sizes, languages, PDF, scope and bad input."""

import io
import re

import pytest
import zxingcpp
from bs4 import BeautifulSoup
from PIL import Image

from survey import accounts, points
from tests.factories import BEN_THANH, HANOI, HCMC, load_units, make_point, make_user
from tests.posters_helpers import other_ward
from tests.staff_helpers import sign_in


@pytest.fixture(autouse=True)
def units(db):
    """Load the real units: the tests pick other wards among them."""
    load_units(db)


@pytest.fixture
def point(db):
    """Return an active point in Phường Bến Thành."""
    return make_point(db, BEN_THANH)


@pytest.fixture
def admin_client(client, db):
    """Return a client signed in as an administrator."""
    sign_in(client, make_user(db, role=accounts.ADMINISTRATOR))
    return client


def soup(response) -> BeautifulSoup:
    """Parse an HTML response."""
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def test_poster_page_shows_everything_a_citizen_needs(admin_client, point):
    response = admin_client.get(f"/staff/points/{point['id']}/poster")
    assert response.status_code == 200
    page = soup(response)
    sheets = page.select("section.sheet")
    assert len(sheets) == 1
    text = sheets[0].get_text(" ", strip=True)
    assert "Phường Bến Thành" in text and "Bộ phận Một cửa" in text
    assert "Quét mã QR" in text  # the call to action, in Vietnamese by default
    assert "phút" in text  # how long it takes
    assert "ẩn danh" in text  # the anonymity promise
    assert "Ủy ban nhân dân phường" in text  # who runs it (ORGANISER_VI)
    grouped = "-".join(re.findall(".{1,4}", point["token"]))
    assert page.select_one(".url").get_text() == f"khaosat.example.vn/s/{grouped}"
    svg = sheets[0].select_one("svg.qr")
    assert len(svg.select("path")) == 1
    assert svg["aria-label"] == f"HTTPS://KHAOSAT.EXAMPLE.VN/S/{point['token']}"
    assert "@page { size: 210mm 297mm" in page.select_one("style").get_text()


def test_bilingual_poster_adds_english(admin_client, point):
    page = soup(admin_client.get(f"/staff/points/{point['id']}/poster?lang=bilingual"))
    langs = {node["lang"] for node in page.select(".sheet [lang]")}
    assert langs == {"vi", "en"}
    assert "Scan the QR code" in page.select_one(".sheet").get_text()


def test_tent_has_two_faces_one_upside_down(admin_client, point):
    page = soup(admin_client.get(f"/staff/points/{point['id']}/poster?size=tent"))
    faces = page.select(".sheet .face")
    assert len(faces) == 2 and "upside" in faces[0]["class"]
    assert "@page { size: 148mm 210mm" in page.select_one("style").get_text()


@pytest.mark.parametrize(
    ("query", "message"),
    [("size=a3", "khổ áp phích"), ("lang=fr", "song ngữ"), ("format=docx", "tệp PDF")],
)
def test_bad_options_get_a_clear_400(admin_client, point, query, message):
    response = admin_client.get(f"/staff/points/{point['id']}/poster?{query}")
    assert response.status_code == 400
    assert message in soup(response).select_one("main").get_text()


def test_inactive_point_has_no_poster(admin_client, db, point):
    points.set_active(db, point["id"], False)
    assert admin_client.get(f"/staff/points/{point['id']}/poster").status_code == 400


def test_qr_downloads_decode_to_the_current_url_and_change_on_rotation(admin_client, db, point):
    png = admin_client.get(f"/staff/points/{point['id']}/qr?format=png")
    assert png.mimetype == "image/png"
    assert "attachment" in png.headers["Content-Disposition"]
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.data)))
    assert [c.text for c in found] == [f"HTTPS://KHAOSAT.EXAMPLE.VN/S/{point['token']}"]
    svg = admin_client.get(f"/staff/points/{point['id']}/qr")
    assert svg.mimetype == "image/svg+xml" and point["token"] in svg.get_data(as_text=True)
    new = points.rotate_token(db, point["id"])
    again = admin_client.get(f"/staff/points/{point['id']}/qr").get_data(as_text=True)
    assert new in again and point["token"] not in again
    assert admin_client.get(f"/staff/points/{point['id']}/qr?format=gif").status_code == 400


def test_ward_document_has_one_poster_per_active_point(admin_client, db, point):
    second = make_point(db, BEN_THANH, name="Nhà văn hóa khu phố 1")
    hidden = make_point(db, BEN_THANH, name="Điểm cũ")
    points.set_active(db, hidden["id"], False)
    elsewhere = make_point(db, ward_code=other_ward(db), name="Điểm phường khác")
    page = soup(admin_client.get(f"/staff/wards/{BEN_THANH}/posters"))
    labels = [svg["aria-label"] for svg in page.select(".sheet svg.qr")]
    assert sorted(labels) == sorted(
        f"HTTPS://KHAOSAT.EXAMPLE.VN/S/{p['token']}" for p in (point, second)
    )
    assert elsewhere["token"] not in str(page)


def test_province_document_and_pdf(admin_client, db, point):
    make_point(db, ward_code=other_ward(db), name="Điểm thứ hai")
    make_point(db, ward_code=other_ward(db, HANOI, ""), name="Điểm Hà Nội")
    page = soup(admin_client.get(f"/staff/provinces/{HCMC}/posters?size=a5"))
    assert len(page.select("section.sheet")) == 2
    response = admin_client.get(f"/staff/provinces/{HCMC}/posters?size=a5&format=pdf")
    assert response.mimetype == "application/pdf"
    assert f'filename="posters-{HCMC}-a5.pdf"' in response.headers["Content-Disposition"]
    assert len(re.findall(rb"/Type /Page\b(?!s)", response.data)) == 2


def test_empty_ward_says_so(admin_client, db):
    make_point(db, BEN_THANH)  # another ward has no point
    response = admin_client.get(f"/staff/wards/{other_ward(db)}/posters")
    assert response.status_code == 200
    page = soup(response)
    assert page.select("section.sheet") == [] and page.select_one(".empty")


def scoped_users(db):
    """Return users by name: the roles and scopes the matrix tries."""
    return {
        "ward_staff_here": make_user(db, role=accounts.WARD_STAFF, scopes=[BEN_THANH]),
        "ward_staff_elsewhere": make_user(db, role=accounts.WARD_STAFF, scopes=[other_ward(db)]),
        "manager_here": make_user(db, role=accounts.PROVINCE_MANAGER, scopes=[HCMC]),
        "manager_elsewhere": make_user(db, role=accounts.PROVINCE_MANAGER, scopes=[HANOI]),
        "analyst": make_user(db, role=accounts.ANALYST),
        "admin": make_user(db, role=accounts.ADMINISTRATOR),
    }


EXPECTED = {
    # who: (point routes, ward document, province document)
    "ward_staff_here": (200, 200, 403),
    "ward_staff_elsewhere": (404, 404, 403),
    "manager_here": (200, 200, 200),
    "manager_elsewhere": (404, 404, 404),
    "analyst": (200, 200, 200),
    "admin": (200, 200, 200),
}


@pytest.mark.parametrize("who", list(EXPECTED))
def test_scope(app, db, point, who):
    user = scoped_users(db)[who]
    client = app.test_client()
    sign_in(client, user)
    point_status, ward_status, province_status = EXPECTED[who]
    for url in (
        f"/staff/points/{point['id']}/qr",
        f"/staff/points/{point['id']}/qr?format=png",
        f"/staff/points/{point['id']}/poster",
        f"/staff/points/{point['id']}/poster?format=pdf",
    ):
        response = client.get(url)
        assert response.status_code == point_status, url
        if point_status != 200:
            assert point["token"].encode() not in response.data
    for url, status in (
        (f"/staff/wards/{BEN_THANH}/posters", ward_status),
        (f"/staff/provinces/{HCMC}/posters?format=pdf", province_status),
        (f"/staff/provinces/{HCMC}/posters", province_status),
    ):
        response = client.get(url)
        assert response.status_code == status, url
        if status != 200:
            assert point["token"].encode() not in response.data


def test_anonymous_is_sent_to_sign_in(client, point):
    for url in (
        f"/staff/points/{point['id']}/qr",
        f"/staff/points/{point['id']}/poster",
        f"/staff/wards/{BEN_THANH}/posters",
        f"/staff/provinces/{HCMC}/posters",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/staff/login" in response.location

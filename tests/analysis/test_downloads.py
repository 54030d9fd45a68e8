"""Analysts' downloads: CSV, Excel, SPSS and Stata files, filters, scope by role, bad input."""

import io
import tempfile

import openpyxl
import pyreadstat
import pytest
from bs4 import BeautifulSoup

from survey import exportfiles, statout, xlsxout
from survey.analysis import downloads
from survey.csvout import reader
from tests.factories import HOAN_KIEM, make_point, make_response
from tests.staff_helpers import client_as

# The responses below are v1's (exports_helpers): the downloads are pinned to v1.
pytestmark = pytest.mark.usefixtures("pin_v1")


@pytest.fixture
def stocked(db, world):
    """Add a Hà Nội point and one response at each of the three points."""
    hanoi = make_point(db, HOAN_KIEM, "Tiếp dân Hoàn Kiếm", "reception")
    world["hanoi_point"] = hanoi
    for number, point in enumerate((world["point"], world["other_point"], hanoi), 1):
        make_response(db, point, number)
    return world


def rows_of(response) -> list[list[str]]:
    """Return the CSV rows of a download."""
    return list(reader(io.BytesIO(response.get_data())))


@pytest.mark.parametrize(
    ("role", "count"),
    [("analyst", 3), ("administrator", 3), ("province_manager", 2), ("ward_staff", 1)],
)
def test_responses_are_limited_to_the_scope(app, stocked, role, count):
    client = client_as(app, stocked, role)
    response = client.get("/analysis/downloads/responses.csv")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    assert "attachment;" in response.headers["Content-Disposition"]
    rows = rows_of(response)
    assert rows[0][0] == "response_id" and len(rows) == 1 + count


def test_filters_labels_and_excel(app, stocked):
    client = client_as(app, stocked, "analyst")
    url = "/analysis/downloads/responses.csv?unit=79&period=2026-Q1&labels=en&excel=y"
    response = client.get(url)
    assert response.status_code == 200
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    rows = rows_of(response)
    assert len(rows) == 3
    assert rows[1][rows[0].index("sex")] == "Female"
    assert rows[1][rows[0].index("pressing_issue")].startswith("'=1+1")
    name = response.headers["Content-Disposition"]
    assert "responses-papi-pulse-core-79-2026-Q1-labels-en.csv" in name


def test_unit_outside_scope_is_404(app, stocked):
    client = client_as(app, stocked, "ward_staff")
    assert client.get("/analysis/downloads/responses.csv?unit=00070").status_code == 404
    point = stocked["hanoi_point"]["id"]
    assert client.get(f"/analysis/downloads/responses.csv?unit=point:{point}").status_code == 404
    assert client.get("/analysis/downloads/responses.csv?unit=26743").status_code == 200


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("period=2026-Q5", "Enter a period such as 2026"),
        ("unit=abc", "Enter a ward code (5 digits)"),
        ("questionnaire=nope:9", "Choose a questionnaire from the list."),
    ],
)
def test_bad_filters_are_400_with_a_message(app, stocked, query, message):
    client = client_as(app, stocked, "analyst")
    response = client.get(f"/analysis/downloads/responses.csv?{query}")
    assert response.status_code == 400
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert message in page.select_one(".error-summary").get_text()


def test_unknown_unit_for_analyst_is_404(app, stocked):
    client = client_as(app, stocked, "analyst")
    assert client.get("/analysis/downloads/responses.csv?unit=99999").status_code == 404


def test_codebook_and_page(app, stocked):
    client = client_as(app, stocked, "ward_staff")
    page = BeautifulSoup(client.get("/analysis/downloads/").get_data(as_text=True), "html.parser")
    links = [a["href"] for a in page.select("a[href*=codebook]")]
    assert "/analysis/downloads/codebook.csv?questionnaire=papi-pulse-core:1" in links
    assert page.select_one("form[action='/analysis/downloads/responses.csv'] #period")
    response = client.get(links[0])
    assert response.status_code == 200
    assert rows_of(response)[0][:3] == ["item_id", "type", "wording_vi"]


def test_anonymous_is_sent_to_sign_in(app, stocked):
    response = app.test_client().get("/analysis/downloads/responses.csv")
    assert response.status_code == 302 and "/staff/login" in response.location


def fetch(client, url) -> tuple[int, bytes]:
    """Return the status and body of a GET, the response closed (its temporary file deleted)."""
    with client.get(url) as response:
        return response.status_code, response.get_data()


@pytest.mark.parametrize("fmt", ["xlsx", "sav", "dta"])
def test_the_form_offers_every_format_and_redirects_to_it(app, stocked, fmt):
    client = client_as(app, stocked, "ward_staff")
    page = BeautifulSoup(client.get("/analysis/downloads/").get_data(as_text=True), "html.parser")
    offered = [o["value"] for o in page.select("form select[name=format] option")]
    assert offered == ["csv", "xlsx", "sav", "dta"]
    assert page.select_one("form input[name=unflagged]")
    response = client.get(
        f"/analysis/downloads/responses.csv?format={fmt}&period=2026-Q1&labels=vi"
    )
    assert response.status_code == 302
    assert response.location == f"/analysis/downloads/responses.{fmt}?period=2026-Q1&labels=vi"
    with client.get(response.location) as download:
        assert download.status_code == 200
        assert download.mimetype == exportfiles.MIMETYPES[fmt]
        name = f'filename="responses-papi-pulse-core-2026-Q1-labels-vi.{fmt}"'
        assert name in download.headers["Content-Disposition"]
        assert int(download.headers["Content-Length"]) == len(download.get_data())


@pytest.mark.parametrize(
    ("role", "count"), [("analyst", 3), ("province_manager", 2), ("ward_staff", 1)]
)
def test_xlsx_and_stats_files_are_limited_to_the_scope(app, stocked, tmp_path, role, count):
    client = client_as(app, stocked, role)
    book = tmp_path / "r.xlsx"
    book.write_bytes(fetch(client, "/analysis/downloads/responses.xlsx")[1])
    assert openpyxl.load_workbook(book)["responses"].max_row == 1 + count
    for fmt, read in (("sav", pyreadstat.read_sav), ("dta", pyreadstat.read_dta)):
        path = tmp_path / f"r.{fmt}"
        path.write_bytes(fetch(client, f"/analysis/downloads/responses.{fmt}")[1])
        assert len(read(path)[0]) == count
    if role == "ward_staff":
        assert client.get("/analysis/downloads/responses.xlsx?unit=00070").status_code == 404
        assert client.get("/analysis/downloads/responses.sav?unit=01").status_code == 404


def test_flagged_responses_can_be_left_out(app, stocked, db):
    db.execute(
        "UPDATE responses SET flags = '[\"too_fast\"]' WHERE point_id = ?", [stocked["point"]["id"]]
    )
    client = client_as(app, stocked, "analyst")
    assert len(rows_of(client.get("/analysis/downloads/responses.csv"))) == 4
    assert len(rows_of(client.get("/analysis/downloads/responses.csv?unflagged=y"))) == 3


def test_excel_row_limit_is_a_translated_400(app, stocked, monkeypatch):
    monkeypatch.setattr(xlsxout, "MAX_ROWS", 3)
    client = client_as(app, stocked, "analyst")
    response = client.get("/analysis/downloads/responses.xlsx", headers={"Accept-Language": "vi"})
    assert response.status_code == 400
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    message = page.select_one(".error-summary").get_text(" ", strip=True)
    assert "3 phiếu" in message and "Excel" in message and "CSV" in message
    assert fetch(client, "/analysis/downloads/responses.xlsx?unit=01")[0] == 200


def test_missing_pyreadstat_is_said_on_the_page(app, stocked, monkeypatch):
    monkeypatch.setattr(statout, "available", lambda: False)
    client = client_as(app, stocked, "analyst")
    for url in ("/analysis/downloads/responses.dta", "/analysis/downloads/codebook.sav"):
        response = client.get(url, headers={"Accept-Language": "en"})
        assert response.status_code == 501
        page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        assert "pip install 'papi-pulse[stats]'" in page.select_one(".error-summary").get_text()


def test_codebook_in_every_format(app, stocked, tmp_path):
    client = client_as(app, stocked, "ward_staff")
    page = BeautifulSoup(client.get("/analysis/downloads/").get_data(as_text=True), "html.parser")
    links = [a["href"] for a in page.select("a[href*=codebook]")]
    for fmt in ("xlsx", "sav", "dta"):
        url = f"/analysis/downloads/codebook.{fmt}?questionnaire=papi-pulse-core:1"
        assert url in links
        with client.get(url) as response:
            assert response.status_code == 200
            assert response.mimetype == exportfiles.MIMETYPES[fmt]
    path = tmp_path / "c.xlsx"
    path.write_bytes(fetch(client, "/analysis/downloads/codebook.xlsx")[1])
    assert openpyxl.load_workbook(path)["codebook"]["A2"].value == "sex"


def test_csv_with_format_csv_is_the_same_file(app, stocked):
    client = client_as(app, stocked, "analyst")
    plain = client.get("/analysis/downloads/responses.csv?labels=vi").get_data()
    assert client.get("/analysis/downloads/responses.csv?labels=vi&format=csv").get_data() == plain


def test_the_temporary_file_is_deleted_once_sent(app, stocked, tmp_path, monkeypatch):
    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    client = client_as(app, stocked, "analyst")
    with client.get("/analysis/downloads/responses.xlsx") as response:
        assert response.get_data()[:2] == b"PK"
        assert list(spool.iterdir())  # still there while the response is open
    assert list(spool.iterdir()) == []


@pytest.mark.parametrize("fmt", ["xlsx", "sav", "dta"])
def test_files_too_big_for_the_page_point_to_the_command_line(app, stocked, monkeypatch, fmt):
    monkeypatch.setattr(downloads, "WEB_FILE_ROWS", 2)
    client = client_as(app, stocked, "analyst")
    response = client.get(f"/analysis/downloads/responses.{fmt}", headers={"Accept-Language": "vi"})
    assert response.status_code == 400
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    message = page.select_one(".error-summary").get_text(" ", strip=True)
    assert "3 phiếu" in message and f"papi-pulse export responses --format {fmt}" in message
    assert fetch(client, f"/analysis/downloads/responses.{fmt}?unit=01")[0] == 200


@pytest.mark.parametrize("version", ["²", "x", "99"])
def test_a_questionnaire_version_that_is_no_number_is_a_404_and_one_cli_line(
    app, runner, world, version
):
    """ "²" passes str.isdigit() but not int(): it names no version, like any other text."""
    name = f"papi-pulse-core:{version}"
    client = client_as(app, world, "administrator")
    response = client.get("/analysis/downloads/codebook.csv", query_string={"questionnaire": name})
    assert response.status_code == 404
    result = runner.invoke(args=["export", "codebook", "--questionnaire", name])
    assert result.exit_code != 0 and not isinstance(result.exception, ValueError)
    assert "Traceback" not in result.output and name in result.output

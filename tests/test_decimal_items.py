"""Decimal questions (#13.4): an XLSForm ``decimal`` imported, answered without JavaScript in
Vietnamese, stored exactly, read back, printed with a decimal comma, typed in from paper, and
exported to CSV (round trip), xlsx, sav and dta."""

import json
import tomllib
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from bs4 import BeautifulSoup

from survey import create_app, exports, responses
from survey.questionnaire import QuestionnaireError, catalogue, decimals, loads
from survey.questionnaire.decimals import DecimalError
from survey.xlsform.reader import check_with, read_form
from survey.xlsform.writer import rows as xlsform_rows
from tests.citizen.citizen_helpers import answer_page, complete, page_path
from tests.factories import make_point
from tests.xlsform_helpers import decimal_workbook

TEST_CONFIG = {
    "TESTING": True,
    "WTF_CSRF_ENABLED": False,
    "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
    "BASE_URL": "https://khaosat.example.vn",
}
PROVINCE_FILE = """id = "hcm-2026"
version = 1
base = "papi-pulse-core:1"
include = ["do_ngap"]
insert_before = "closing"
"""


@pytest.fixture
def province_app(app, runner, tmp_path):
    """Import the decimal module (asked of everyone) and start an app that uses hcm-2026."""
    path = decimal_workbook(tmp_path / "do_ngap.xlsx")
    result = runner.invoke(args=["questionnaire", "import", str(path), "--core"])
    assert result.exit_code == 0, result.output
    folder = Path(app.instance_path) / "questionnaires"
    (folder / "hcm-2026-v1.toml").write_text(PROVINCE_FILE, encoding="utf-8")
    yield create_app(TEST_CONFIG | {"QUESTIONNAIRE": "hcm-2026"})
    catalogue.use_instance(None)


@pytest.fixture
def province_db(province_app):
    from survey.webdb import open_db

    handle = open_db(province_app)
    yield handle
    handle.close()


# The reading rules, on the area question's range (0 to 5000, one place) unless told.
@pytest.mark.parametrize(
    ("typed", "places", "high", "expected"),
    [
        ("2,5", 1, "5000", "2.5"),
        ("2.5", 1, "5000", "2.5"),
        ("12", 1, "5000", "12.0"),
        ("1.234,5", 1, "5000", "1234.5"),
        ("1,234.5", 1, "5000", "1234.5"),
        ("1 234,5", 1, "5000", "1234.5"),
        (",5", 1, "5000", "0.5"),
        ("２,５", 1, "5000", "2.5"),  # full-width digits, as some keyboards type them
        ("2,50", 1, "5000", "2.5"),  # a trailing zero is not a second place
        ("1.000", 2, "5", "1.00"),  # a thousand is out of range: only one reading is left
        ("1.000", 1, "5000", "ambiguous"),
        ("2,555", 3, "5000", "ambiguous"),
        ("abc", 1, "5000", "unreadable"),
        ("1,2,3", 1, "5000", "unreadable"),
        ("1.2.3", 1, "5000", "unreadable"),
        ("2,", 1, "5000", "unreadable"),
        ("١٢", 1, "5000", "unreadable"),  # other scripts' digits are not read as numbers
        ("1e3", 1, "5000", "unreadable"),
        ("2,55", 1, "5000", "places"),
        ("0,755", 2, "5", "places"),  # not 755 out of range: a place too many
        ("9999,99", 1, "5000", "range"),
        ("6000", 1, "5000", "range"),
        ("-1", 1, "5000", "range"),
    ],
)
def test_typed_numbers_are_read_exactly_or_refused_with_a_reason(typed, places, high, expected):
    try:
        got = decimals.parse(typed, places, Decimal(0), Decimal(high))
    except DecimalError as error:
        got = error.kind
    assert got == expected


def test_stored_text_reads_one_way_only_when_shown_again():
    assert decimals.unambiguous(Decimal("1.000"), 3, ",") == "1"
    assert decimals.unambiguous(Decimal("1000.0"), 1, ",") == "1000"
    assert decimals.unambiguous(Decimal("1.234"), 3, ",") == "1,2340"
    assert decimals.unambiguous(Decimal("2.50"), 2, ".") == "2.5"
    assert decimals.stored(Decimal("-0"), 1) == "0.0"
    assert decimals.parse(decimals.unambiguous(Decimal("1.234"), 3, ","), 3, 0, 5000) == "1.234"


DECIMAL_ITEM = """
id = "t"
version = 1
title_vi = "T"
title_en = "T"
intro_vi = "T"
intro_en = "T"
organiser_vi = "T"
organiser_en = "T"
rotating_modules_per_response = 0
[[modules]]
id = "m"
title_vi = "M"
title_en = "M"
core = true
[[modules.pages]]
id = "p"
title_vi = "P"
title_en = "P"
[[modules.pages.items]]
id = "weight"
type = "decimal"
text_vi = "Cân nặng?"
text_en = "Weight?"
unit_vi = "kg"
unit_en = "kg"
role = "respondent"
"""


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ("decimals = 1\nmin = 0\nmax = 300.5", None),
        ('decimals = 2\nmin = "0.10"\nmax = 0.3', None),
        ("min = 0\nmax = 300", "item weight: missing field 'decimals'"),
        ("decimals = 0\nmin = 0\nmax = 300", "decimals must be from 1 to 6"),
        ("decimals = 1\nmin = 0.25\nmax = 300", "item weight: min 0.25 has more than 1 decimal"),
        ("decimals = 1\nmin = 5\nmax = 1", "item weight: min 5.0 is greater than max 1.0"),
        ('decimals = 1\nmin = "a"\nmax = 1', "field 'min' must be a number, like 0 or 2.5"),
        (
            'decimals = 1\nmin = 0\nmax = 300\nscoring = { dimension = "d1", subdimension = '
            '"1.1", indicator = "w", direction = "higher_better", anchors = [0, 300] }',
            "item weight: decimal questions cannot be scored",
        ),
    ],
)
def test_the_loader_checks_places_bounds_and_refuses_scoring(fields, message):
    text = DECIMAL_ITEM + fields + "\n"
    if message is None:
        item = loads(text).items["weight"]
        assert item.type == "decimal" and item.decimals in (1, 2)
        assert decimals.places_of(item.max) <= item.decimals
        assert str(item.min) == decimals.stored(item.min, item.decimals)  # exact, with places
        return
    with pytest.raises(QuestionnaireError) as failed:
        loads(text)
    assert any(str(e).startswith(message) or message in str(e) for e in failed.value.errors), [
        str(e) for e in failed.value.errors
    ]


def test_the_xlsform_decimal_is_imported_exactly_and_exported_as_decimal(app, runner, tmp_path):
    path = decimal_workbook(tmp_path / "do_ngap.xlsx")
    result = runner.invoke(args=["questionnaire", "import", str(path)])
    assert result.exit_code == 0, result.output
    written = Path(app.instance_path) / "questionnaires" / "modules" / "do_ngap.toml"
    module = tomllib.loads(written.read_text(encoding="utf-8"))
    depth = module["pages"][0]["items"][0]
    area = module["pages"][1]["items"][0]
    assert (depth["type"], depth["min"], depth["max"], depth["decimals"]) == (
        "decimal", "0.00", "5.00", 2
    )  # fmt: skip
    assert (area["min"], area["max"], area["decimals"]) == ("0.0", "5000.0", 1)
    assert module["pages"][2]["items"][0]["show_if"] == {"item": "do_sau_ngap", "gte": 0.5}
    # The writer gives back the type and the bounds with every place; they read back the same.
    form = read_form(path)
    table = catalogue.table("papi-pulse-core", 1)
    joined = check_with(form, table | {"id": "with-decimals"}, "test")
    survey, _choices, _settings = xlsform_rows(joined, "do_ngap")
    written_rows = {row[1]: row for row in survey[1:] if row[0] not in ("begin_group", "end_group")}
    assert written_rows["do_sau_ngap"][0] == "decimal"
    assert written_rows["do_sau_ngap"][8] == ". >= 0.00 and . <= 5.00"
    assert written_rows["dien_tich_ngap"][8] == ". >= 0.0 and . <= 5000.0"
    assert written_rows["so_ngay_ngap"][7] == "${do_sau_ngap} >= 0.5"
    out = tmp_path / "again.xlsx"
    exported = runner.invoke(args=["questionnaire", "export", "--xlsform", "-o", str(out)])
    assert exported.exit_code == 0, exported.output


def _walk_to(client, token, page_id):
    """Answer pages as citizen_helpers does until page_id; return (path, page)."""
    location = client.post(f"/s/{token}/start").headers["Location"]
    while True:
        page = client.get(location)
        if page_path(location).endswith(f"/p/{page_id}"):
            return page_path(location), page
        response = client.post(page_path(location), data=answer_page(page.text))
        assert response.status_code == 303, response.text[:1000]
        location = response.headers["Location"]


def _errors(page) -> list[str]:
    soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")
    return [p.get_text(" ", strip=True).removeprefix("Lỗi:").strip() for p in soup.select(".error")]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("abc", "Xin ghi số bằng chữ số, ví dụ 2,5."),
        ("1,2,3", "Xin ghi số bằng chữ số, ví dụ 2,5."),
        ("6000", "Xin ghi một số từ 0,0 đến 5.000,0."),
        ("2,55", "Chỉ ghi tối đa 1 chữ số sau dấu phẩy."),
        (
            "1.000",
            "“1.000” có thể hiểu là 1000 hoặc 1. Xin ghi lại là 1000 hoặc 1, đúng số ông/bà "
            "muốn ghi.",
        ),
        ("", "Xin ghi một số."),
    ],
)
def test_bad_decimals_are_shown_again_with_a_vietnamese_message(province_app, province_db,
                                                                typed, message):  # fmt: skip
    client = province_app.test_client()
    path, page = _walk_to(client, make_point(province_db)["token"], "dien_tich")
    box = BeautifulSoup(page.text, "html.parser").select_one("input#dien_tich_ngap")
    assert box["inputmode"] == "decimal" and "<script" not in page.text
    data = answer_page(page.text) | {"dien_tich_ngap": typed}
    held = client.post(path, data=data)
    assert held.status_code == 303 and page_path(held.headers["Location"]) == path
    again = client.get(held.headers["Location"])  # the same page again, with what was typed
    assert again.status_code == 200
    assert _errors(again) == [message]
    shown = BeautifulSoup(again.text, "html.parser").select_one("input#dien_tich_ngap")
    assert shown["value"] == typed and shown["aria-invalid"] == "true"
    assert not province_db.execute("SELECT 1 FROM responses").fetchall()


def test_a_citizen_answers_a_decimal_with_a_comma_and_it_is_stored_exactly(
    province_app, province_db
):
    client = province_app.test_client()
    token = make_point(province_db)["token"]
    path, page = _walk_to(client, token, "muc_nuoc")
    answered = client.post(path, data=answer_page(page.text) | {"do_sau_ngap": "0,75"})
    assert answered.status_code == 303
    after = client.get(answered.headers["Location"])
    assert "Ở trang trước, ông/bà đã ghi 0,75." in after.text  # read back, Vietnamese digits
    back = client.get(path)  # shown again unambiguously, in the locale's digits
    box = BeautifulSoup(back.text, "html.parser").select_one("input#do_sau_ngap")
    assert box["value"] == "0,75"
    assert "Ông/bà đã ghi 0,75." in back.text
    location = answered.headers["Location"]
    while "/thanks" not in location:
        page = client.get(location)
        data = answer_page(page.text)
        if "dien_tich_ngap" in data:
            data["dien_tich_ngap"] = "1.234,5"
        response = client.post(page_path(location), data=data)
        assert response.status_code == 303, _errors(response)
        location = response.headers["Location"]
    [stored] = province_db.execute("SELECT answers FROM responses").fetchall()
    answers = json.loads(stored[0])
    assert answers["do_sau_ngap"] == "0.75" and answers["dien_tich_ngap"] == "1234.5"
    assert answers["so_ngay_ngap"] == 3  # its show_if (depth >= 0.5) held exactly


def test_a_shallow_depth_skips_the_follow_up_exactly_at_the_threshold(province_app, province_db):
    client = province_app.test_client()
    for typed, shown in (("0,49", False), ("0,5", True)):
        token = make_point(province_db)["token"]
        path, page = _walk_to(client, token, "muc_nuoc")
        response = client.post(path, data=answer_page(page.text) | {"do_sau_ngap": typed})
        visited = []
        location = response.headers["Location"]
        while "/thanks" not in location:
            visited.append(page_path(location).rsplit("/", 1)[1])
            page = client.get(location)
            response = client.post(page_path(location), data=answer_page(page.text))
            location = response.headers["Location"]
        assert ("so_ngay_ngap_page" in visited) is shown


def _export(db) -> bytes:
    table = exports.export_responses(db, exports.Filters(questionnaire=("hcm-2026", 1)))
    return b"".join(exports.stream(table))


@pytest.fixture
def answered(province_app, province_db):
    """Return the database after two citizens answered: 3 (the helper's number) and 0,75."""
    complete(province_app.test_client(), make_point(province_db)["token"])
    client = province_app.test_client()
    path, page = _walk_to(client, make_point(province_db, "00001")["token"], "muc_nuoc")
    location = client.post(path, data=answer_page(page.text) | {"do_sau_ngap": "0,75"}).headers[
        "Location"
    ]
    while "/thanks" not in location:
        page = client.get(location)
        location = client.post(page_path(location), data=answer_page(page.text)).headers["Location"]
    return province_db


def test_csv_holds_the_stored_text_and_round_trips_byte_for_byte(province_app, answered, tmp_path):
    first = _export(answered)
    lines = first.decode("utf-8").splitlines()
    header = lines[0].split(",")
    depth = header.index("do_sau_ngap")
    assert sorted(line.split(",")[depth] for line in lines[1:]) == ["0.75", "3.00"]
    from survey.webdb import open_db

    other = create_app(TEST_CONFIG | {"QUESTIONNAIRE": "hcm-2026",
                                      "DATABASE": str(tmp_path / "b.db")})  # fmt: skip
    second = open_db(other)
    try:
        make_point(second), make_point(second, "00001")  # the same points, ids 1 and 2
        path = tmp_path / "export.csv"
        path.write_bytes(first)
        result = other.test_cli_runner().invoke(args=["import", "responses", str(path)])
        assert result.exit_code == 0, result.output
        again = _export(second)
        stored = [json.loads(r[0]) for r in second.execute("SELECT answers FROM responses")]
    finally:
        second.close()
    assert again == first
    assert sorted(a["do_sau_ngap"] for a in stored) == ["0.75", "3.00"]  # text, not floats


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("0,75", "'0,75' is not a number written like 2.5"),
        ("0.755", "'0.755' has more than 2 decimal places"),
        ("5.01", "'5.01' is outside 0.00 to 5.00"),
    ],
)
def test_an_imported_decimal_cell_is_read_strictly(answered, cell, message):
    from survey import importer

    data = _export(answered).decode("utf-8")
    bad = data.replace(",0.75,", f',"{cell}",', 1)
    assert bad != data
    import io

    with pytest.raises(importer.ImportFailed) as failed:
        importer.import_responses(answered, io.BytesIO(bad.encode("utf-8")))
    assert message in str(failed.value)


def test_xlsx_holds_a_decimal_as_a_number(province_app, answered, tmp_path):
    path = tmp_path / "r.xlsx"
    result = province_app.test_cli_runner().invoke(
        args=["export", "responses", "--format", "xlsx", "--questionnaire", "hcm-2026:1",
              "-o", str(path)]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(path)["responses"]
    header = [cell.value for cell in sheet[1]]
    column = header.index("do_sau_ngap")
    values = sorted(row[column].value for row in sheet.iter_rows(min_row=2))
    assert values == [0.75, 3]
    assert all(
        row[column].data_type == "n" for row in sheet.iter_rows(min_row=2)
    )  # numbers, not text
    # shown with the declared places, so 3.00 reads "3.00" (Excel: "3,00" in Vietnamese), not 3
    assert {row[column].number_format for row in sheet.iter_rows(min_row=2)} == {"0.00"}
    others = header.index("response_id")
    assert sheet.cell(2, others + 1).number_format == "General"


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_stats_files_hold_a_decimal_as_a_labelled_number(province_app, answered, tmp_path, fmt):
    pyreadstat = pytest.importorskip("pyreadstat", reason="pyreadstat is the [stats] extra")
    path = tmp_path / f"r.{fmt}"
    result = province_app.test_cli_runner().invoke(
        args=["export", "responses", "--format", fmt, "--questionnaire", "hcm-2026:1",
              "-o", str(path)]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    read = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
    frame, meta = read(str(path))
    assert sorted(frame["do_sau_ngap"].tolist()) == [0.75, 3.0]
    assert meta.readstat_variable_types["do_sau_ngap"] == "double"
    assert meta.column_names_to_labels["do_sau_ngap"] == (
        "Nước ngập trong nhà sâu nhất bao nhiêu mét?"
    )
    if fmt == "sav":
        assert meta.original_variable_types["do_sau_ngap"] == "F16.2"


def test_the_codebook_gives_a_decimal_its_type_and_bounds_with_places(province_app, answered):
    table = exports.export_codebook(catalogue.get("hcm-2026", 1))
    rows = [dict(zip(table.header, row, strict=True)) for row in table.rows]
    [depth] = [row for row in rows if row["item_id"] == "do_sau_ngap"]
    assert (depth["type"], depth["min"], depth["max"]) == ("decimal", "0.00", "5.00")


def _pdf_text(data: bytes) -> str:
    import io
    import re

    from pypdf import PdfReader

    pages = PdfReader(io.BytesIO(data)).pages
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pages))


def test_the_paper_form_prints_digit_boxes_with_a_decimal_comma(province_app, tmp_path):
    out = tmp_path / "form.pdf"
    result = province_app.test_cli_runner().invoke(args=["print", "questionnaire", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = _pdf_text(out.read_bytes())
    assert "Nước ngập trong nhà sâu nhất bao nhiêu mét?" in text
    assert "Ghi mỗi ô một chữ số: phần số nguyên trước dấu phẩy, phần số lẻ sau dấu phẩy." in text
    from survey.paper import layout, wording

    with province_app.app_context():
        questionnaire = catalogue.get("hcm-2026", 1)
        form = layout.build(questionnaire, layout.all_modules(questionnaire), False)
        [sheet] = [wording.sheet(form, "vi", None)]
    printed = {q.text[0]: q for s in sheet.sections for q in s.questions}
    depth = printed["Nước ngập trong nhà sâu nhất bao nhiêu mét?"]
    area = printed["Diện tích nhà bị ngập khoảng bao nhiêu mét vuông?"]
    assert (depth.kind, depth.digits, depth.places) == ("decimal", 1, 2)
    assert (area.digits, area.places) == (4, 1)
    number = form.numbers()["do_sau_ngap"]
    follow_up = printed["Nước ngập trong bao nhiêu ngày?"]
    assert follow_up.only_if == (
        f"Chỉ trả lời câu này nếu ở câu {number} ông/bà ghi từ 0,5 trở lên.",
    )


def test_the_print_page_draws_the_same_boxes(province_app, province_db):
    from tests.factories import make_user
    from tests.staff_helpers import sign_in

    point = make_point(province_db)
    client = province_app.test_client()
    sign_in(client, make_user(province_db, "clerk", "ward_staff", [point["ward_code"]]))
    reserved = client.post(
        f"/staff/points/{point['id']}/paper",
        data={"copies": "1", "language": "vi", "modules": "all"},
    )
    assert reserved.status_code in (200, 303), reserved.status_code
    page = client.get(f"/staff/points/{point['id']}/paper/print?first=1&last=1")
    assert page.status_code == 200, page.status_code
    soup = BeautifulSoup(page.text, "html.parser")
    written = [p for p in soup.select("p.write") if p.select(".comma")]
    assert [len(p.select(".dbox")) for p in written] == [3, 5]  # 1 + 2 and 4 + 1 digits
    assert all(p.select_one(".comma").get_text() == "," for p in written)


def test_a_decimal_typed_from_paper_is_stored_as_the_same_answer_online(province_app, province_db):
    from survey.paper import layout
    from tests.factories import make_user
    from tests.staff_helpers import sign_in

    point = make_point(province_db)
    client = province_app.test_client()
    path, page = _walk_to(client, point["token"], "muc_nuoc")
    location = client.post(path, data=answer_page(page.text) | {"do_sau_ngap": "0,75"}).headers[
        "Location"
    ]
    while "/thanks" not in location:
        page = client.get(location)
        data = answer_page(page.text)
        if "dien_tich_ngap" in data:
            data["dien_tich_ngap"] = "1.234,5"
        location = client.post(page_path(location), data=data).headers["Location"]
    online = responses.decode(next(iter(province_db.query("SELECT * FROM responses"))))
    questionnaire = catalogue.get("hcm-2026", 1)
    province_db.execute(
        "INSERT INTO paper_forms (point_id, form_number, questionnaire_id, questionnaire_version,"
        " modules, drawn, printed_at) VALUES (?, 1, 'hcm-2026', 1, ?, 1, "
        "'2026-03-01T00:00:00+00:00')",
        [point["id"], json.dumps(online["modules"])],
    )
    form = layout.build(questionnaire, online["modules"], True, 1)
    data = {"form_number": "1"}
    for question in form.questions:
        item, value = question.item, online["answers"].get(question.item.id)
        numbers = layout.box_numbers(item)
        if value is None:
            continue
        if item.type == "decimal":
            data[item.id] = value.replace(".", ",")  # as written in the boxes
        elif item.type == "text" or isinstance(value, int):
            data[item.id] = str(value)
        elif isinstance(value, list):
            data[item.id] = " ".join(str(numbers[code]) for code in value)
        else:
            data[item.id] = str(numbers[value])
    clerk = province_app.test_client()
    sign_in(clerk, make_user(province_db, "clerk", "ward_staff", [point["ward_code"]]))
    url = f"/staff/points/{point['id']}/paper/entry"
    confirm = clerk.post(url, data=data)
    assert confirm.status_code == 200
    assert "0,75" in confirm.text and "1.234,5" in confirm.text  # read back before saving
    saved = clerk.post(url, data=dict(data, action="save"))
    assert saved.status_code == 303
    paper = responses.decode(
        next(iter(province_db.query("SELECT * FROM responses WHERE mode = 'paper'")))
    )
    assert paper["answers"] == online["answers"]
    assert paper["answers"]["do_sau_ngap"] == "0.75"
    reserve = "INSERT INTO paper_forms (point_id, form_number, questionnaire_id,"
    reserve += " questionnaire_version, modules, drawn, printed_at) VALUES (?, 2, 'hcm-2026', 1, ?,"
    reserve += " 1, '2026-03-01T00:00:00+00:00')"
    province_db.execute(reserve, [point["id"], json.dumps(online["modules"])])
    for typed, message in (
        ("0,755", "Chỉ ghi tối đa 2 chữ số sau dấu phẩy."),
        ("1,2,3", "Xin ghi số bằng chữ số, ví dụ 2,5."),
        ("7", "Xin ghi một số từ 0,00 đến 5,00."),
    ):
        bad = clerk.post(url, data=dict(data, form_number="2", do_sau_ngap=typed))
        assert bad.status_code == 422, bad.status_code
        soup = BeautifulSoup(bad.text, "html.parser")
        shown = [p.get_text(" ", strip=True) for p in soup.select("#do_sau_ngap-group .error")]
        assert shown == [f"Lỗi: {message}"]
    assert len(province_db.execute("SELECT 1 FROM responses").fetchall()) == 2

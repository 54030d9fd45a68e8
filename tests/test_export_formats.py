"""Excel, SPSS and Stata exports read back as an analyst's program reads them."""

import io
import re
import subprocess
import unicodedata
from datetime import datetime

import openpyxl
import pyreadstat
import pytest

from survey import exportfiles, exports, statout, xlsxout
from survey.csvout import reader
from survey.questionnaire import get
from tests.factories import BASE_ANSWERS, make_export_places, make_varied_responses
from tests.test_csvout import _soffice

V1 = ("papi-pulse-core", 1)  # the version these tests' answers are stored in
pytestmark = pytest.mark.usefixtures("pin_v1")

READERS = {"sav": pyreadstat.read_sav, "dta": pyreadstat.read_dta}
CORE = get(*V1)


@pytest.fixture
def stocked(db):
    """Return the database with places and varied responses, and the places."""
    places = make_export_places(db)
    make_varied_responses(db, places)
    return db, places


def workbook(path):
    """Return the workbook at path as openpyxl reads it (values, not formulas)."""
    return openpyxl.load_workbook(path)


def sheet_dicts(sheet) -> list[dict]:
    """Return a sheet's rows as dicts keyed by its header."""
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def csv_ids(db, filters) -> list[str]:
    """Return the response ids of the CSV export for the filters, in order."""
    data = b"".join(exports.stream(exports.export_responses(db, filters)))
    return [row[0] for row in list(reader(io.BytesIO(data)))[1:]]


def test_xlsx_keeps_types_text_and_no_formula(stocked, tmp_path):
    db, places = stocked
    path = tmp_path / "r.xlsx"
    count = exportfiles.write_responses(
        db, path, "xlsx", exports.Filters(questionnaire=V1, include_excluded=True)
    )
    assert count == 5
    book = workbook(path)
    assert book.sheetnames == ["responses", "codebook"]
    sheet = book["responses"]
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]][:3] == [
        "response_id",
        "questionnaire_id",
        "questionnaire_version",
    ]
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    rows = {row["response_id"]: row for row in sheet_dicts(sheet)}
    first = rows[f"{1:032x}"]
    hanoi = rows[f"{4:032x}"]
    assert hanoi["ward_code"] == places["c"]["ward_code"] and hanoi["ward_code"].startswith("0")
    assert hanoi["province_code"] == "01"
    assert first["submitted_at"] == datetime(2026, 2, 2, 1, 5, 1)
    assert first["point_id"] == places["a"]["id"] and first["duration_seconds"] == 301
    assert first["sipas_access"] == 4 and first["land_extra_amount"] == 500000
    assert first["sipas_result"] == "dont_know" and first["sex"] == "nu"
    assert first["services_used"] == "certification;land_certificate"
    text = first["pressing_issue"]
    assert text.encode() == unicodedata.normalize("NFC", BASE_ANSWERS["pressing_issue"]).encode()
    assert rows[f"{5:032x}"]["pressing_issue"] == "@cmd"  # text, not a formula, no apostrophe
    assert rows[f"{2:032x}"]["pressing_issue"].startswith("- Thiếu chỗ gửi xe\nở")
    assert rows[f"{2:032x}"]["land_extra_amount"] is None
    cell = next(c for c in sheet["A"] if c.value == f"{1:032x}")
    assert (
        sheet.cell(cell.row, 7).is_date
        and sheet.cell(cell.row, 7).number_format == "yyyy-mm-dd hh:mm:ss"
    )
    assert sheet.column_dimensions["A"].width >= 32


def test_xlsx_codebook_sheet_has_labels_in_both_languages(stocked, tmp_path):
    db, _ = stocked
    path = tmp_path / "r.xlsx"
    exportfiles.write_responses(db, path, "xlsx", exports.Filters(questionnaire=V1))
    rows = sheet_dicts(workbook(path)["codebook"])
    by_variable = [r for r in rows if r["variable"] == "sex"]
    assert by_variable[0]["label_vi"] == CORE.items["sex"].text_vi
    assert by_variable[0]["label_en"] == CORE.items["sex"].text_en
    options = {
        r["value"]: (r["value_label_vi"], r["value_label_en"], r["missing"])
        for r in by_variable[1:]
    }
    refused = CORE.items["sex"].special[0]
    assert options == {
        "nam": ("Nam", "Male", None),
        "nu": ("Nữ", "Female", None),
        "refused": (refused.vi, refused.en, "yes"),
    }
    ward = next(r for r in rows if r["variable"] == "ward_code")
    assert ward["label_vi"] == "Mã phường, xã" and ward["type"] == "text"


def test_xlsx_with_labels(stocked, tmp_path):
    db, _ = stocked
    path = tmp_path / "r.xlsx"
    exportfiles.write_responses(db, path, "xlsx", exports.Filters(questionnaire=V1), labels="vi")
    first = sheet_dicts(workbook(path)["responses"])[0]
    assert first["sex"] == "Nữ"
    assert first["pressing_issue"].startswith("=1+1 Đường")


@pytest.mark.parametrize("fmt", ["xlsx", "sav", "dta"])
@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"include_excluded": True},
        {"include_flagged": False},
        {"unit": ("province", "79")},
        {"unit": ("ward", "26506")},
        {"period": "2026-Q1"},
        {"mode": "web"},
    ],
)
def test_every_format_takes_the_csv_filters(stocked, tmp_path, fmt, filters):
    db, _ = stocked
    if "period" in filters:
        from survey.periods import parse_period

        filters = dict(filters, period=parse_period(filters["period"]))
    if "unit" in filters and filters["unit"][0] == "ward":
        ward = next(db.query("SELECT code FROM wards WHERE province_code = '79' LIMIT 1"))["code"]
        filters = dict(filters, unit=("ward", ward))
    chosen = exports.Filters(**{"questionnaire": V1} | filters)
    path = tmp_path / f"r.{fmt}"
    exportfiles.write_responses(db, path, fmt, chosen)
    if fmt == "xlsx":
        ids = [r["response_id"] for r in sheet_dicts(workbook(path)["responses"])]
    else:
        ids = list(READERS[fmt](path)[0]["response_id"])
    assert ids == csv_ids(db, chosen)
    assert ids


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_stats_files_have_vietnamese_labels_and_one_variable_per_option(stocked, tmp_path, fmt):
    db, places = stocked
    path = tmp_path / f"r.{fmt}"
    exportfiles.write_responses(
        db, path, fmt, exports.Filters(questionnaire=V1, include_excluded=True)
    )
    frame, meta = READERS[fmt](path, user_missing=True)
    labels = meta.column_names_to_labels
    assert labels["sex"] == CORE.items["sex"].text_vi
    assert labels["ward_code"] == "Mã phường, xã"
    sex_labels = {
        k: v for k, v in meta.variable_value_labels["sex"].items() if v != "Không muốn trả lời"
    }
    assert sex_labels == {1: "Nam", 2: "Nữ"}
    assert meta.variable_value_labels["lives_here"] == {1: "Có", 0: "Không"}
    assert meta.variable_value_labels["sipas_access"][5] == CORE.items["sipas_access"].options[4].vi
    first = frame[frame["response_id"] == f"{1:032x}"].iloc[0]
    assert first["pressing_issue"] == BASE_ANSWERS["pressing_issue"]
    assert first["ward_code"] == places["a"]["ward_code"]
    assert frame[frame["response_id"] == f"{4:032x}"].iloc[0]["ward_code"].startswith("0")
    assert first["sex"] == 2 and first["sipas_access"] == 4 and first["land_extra_amount"] == 500000
    dummies = [f"services_used_{n}" for n in range(1, 5)]  # option order
    assert [labels[d].rsplit(" – ", 1)[1] for d in dummies] == [
        o.vi for o in CORE.items["services_used"].options
    ]
    assert [first[d] for d in dummies] == [1, 1, 0, 0]
    second = frame[frame["response_id"] == f"{2:032x}"].iloc[0]
    assert [second[d] for d in dummies] == [0, 0, 0, 1]
    quality = [c for c in frame.columns if c.startswith("certification_quality_")]
    assert len(quality) == len(CORE.items["certification_quality"].options)
    assert (
        frame[quality].isna().all(axis=1).tolist()
        == frame["certification_quality_1"].isna().tolist()
    )
    for name in frame.columns:
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,31}", name), name
    # Special codes are declared missing values with their own labels.
    refused = second["sex"]
    assert meta.variable_value_labels["sex"][refused] == "Không muốn trả lời"
    plain, _ = READERS[fmt](path)  # without user_missing: special codes read as missing
    assert plain[plain["response_id"] == f"{2:032x}"]["sex"].isna().all()
    if fmt == "sav":
        assert meta.missing_ranges["sex"] == [{"lo": refused, "hi": refused}]
    else:
        assert refused in meta.missing_user_values["sex"]


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_stats_labels_in_english(stocked, tmp_path, fmt):
    db, _ = stocked
    path = tmp_path / f"r.{fmt}"
    exportfiles.write_responses(db, path, fmt, exports.Filters(questionnaire=V1), labels="en")
    _, meta = READERS[fmt](path)
    assert meta.column_names_to_labels["sex"] == CORE.items["sex"].text_en
    assert meta.variable_value_labels["sex"][2] == "Female"


def test_names_follow_stata_rules():
    names = statout.Names()
    made = [names(n) for n in ("in", "1st", "tên câu hỏi", "a" * 40, "a" * 40, "SEX", "sex")]
    assert made[0] == "in_" and made[1] == "v1st" and made[2] == "t_n_c_u_h_i"
    assert len(made[3]) <= statout.MAX_NAME and made[3] != made[4]
    assert made[5].lower() != made[6].lower()


def test_labels_are_cut_on_a_character_boundary():
    text = "Ông/bà có hài lòng với thái độ của cán bộ " * 10
    spss = statout.cut_label(text, "sav")
    assert len(spss.encode()) <= 255 and text.startswith(spss)
    assert len(statout.cut_label(text, "dta")) == 80


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_decimals_beside_special_codes_stay_numbers(tmp_path, fmt):
    missing = statout.special_codes(CORE, fmt)["dont_know"]
    column = statout.Column("amount", "Số tiền", "number", {missing: "Không biết"},
                            {"dont_know": missing}, "scale", [1.5, None, missing, 2])  # fmt: skip
    path = tmp_path / f"d.{fmt}"
    statout.write(path, [column], fmt)
    frame, meta = READERS[fmt](path, user_missing=True)
    assert frame["amount"].tolist()[0] == 1.5 and frame["amount"].tolist()[3] == 2
    assert frame["amount"].tolist()[2] == missing
    assert meta.readstat_variable_types["amount"] == "double"


@pytest.mark.parametrize("fmt", ["xlsx", "sav", "dta"])
def test_cli_formats_and_codebook(stocked, runner, tmp_path, fmt):
    path = tmp_path / f"r.{fmt}"
    result = runner.invoke(
        args=["export", "responses", "--format", fmt, "--unit", "79", "-o", str(path)]
    )
    assert result.exit_code == 0, result.output
    assert path.stat().st_size > 0
    book = tmp_path / f"c.{fmt}"
    result = runner.invoke(args=["export", "codebook", "--format", fmt, "-o", str(book)])
    assert result.exit_code == 0, result.output
    if fmt == "xlsx":
        loaded = workbook(book)
        assert loaded.sheetnames == ["codebook", "variables"]
        assert loaded["codebook"]["A2"].value == "sex"
    else:
        frame, meta = READERS[fmt](book)
        assert frame["item_id"][0] == "sex" and meta.column_names_to_labels["wording_vi"]


def test_cli_csv_format_is_the_default_byte_for_byte(stocked, runner, tmp_path):
    plain, explicit = tmp_path / "a.csv", tmp_path / "b.csv"
    assert runner.invoke(args=["export", "responses", "-o", str(plain)]).exit_code == 0
    result = runner.invoke(args=["export", "responses", "--format", "csv", "-o", str(explicit)])
    assert result.exit_code == 0
    assert plain.read_bytes() == explicit.read_bytes()


def test_excel_row_limit_is_refused_in_one_line(stocked, runner, tmp_path, monkeypatch):
    monkeypatch.setattr(xlsxout, "MAX_ROWS", 4)  # a header and 3 responses
    path = tmp_path / "r.xlsx"
    result = runner.invoke(args=["export", "responses", "--format", "xlsx", "-o", str(path)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert "4 rows" in lines[0] and "3 an Excel sheet holds" in lines[0] and "--unit" in lines[0]
    assert not path.exists() and not list(tmp_path.glob("*.part"))
    result = runner.invoke(
        args=["export", "responses", "--format", "xlsx", "--unit", "01", "-o", str(path)]
    )
    assert result.exit_code == 0 and path.exists()


def test_missing_pyreadstat_is_said_plainly(stocked, runner, tmp_path, monkeypatch):
    monkeypatch.setattr(statout, "available", lambda: False)
    result = runner.invoke(
        args=["export", "responses", "--format", "sav", "-o", str(tmp_path / "r.sav")]
    )
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: SPSS and Stata files need the optional package pyreadstat:"
        " pip install 'papi-pulse[stats]'"
    ]


def test_excel_flag_is_for_csv_only(stocked, runner, tmp_path):
    result = runner.invoke(
        args=["export", "codebook", "--format", "xlsx", "--excel", "-o", str(tmp_path / "c")]
    )
    assert result.exit_code == 2 and "--excel applies to CSV only" in result.output


def test_xlsx_to_standard_output(stocked, runner):
    result = runner.invoke(args=["export", "codebook", "--format", "xlsx"])
    assert result.exit_code == 0
    assert result.stdout_bytes[:2] == b"PK"
    assert workbook(io.BytesIO(result.stdout_bytes))["codebook"]["A1"].value == "item_id"


@pytest.mark.parametrize("fmt", ["xlsx", "sav", "dta"])
def test_estimates_in_every_format(stocked, runner, tmp_path, fmt):
    path = tmp_path / f"e.{fmt}"
    args = ["export", "estimates", "--period", "2026", "--unit-type", "ward"]
    result = runner.invoke(args=[*args, "--format", fmt, "-o", str(path)])
    assert result.exit_code == 0, result.output
    if fmt == "xlsx":
        rows = sheet_dicts(workbook(path)["estimates"])
        hanoi = next(r for r in rows if r["unit_code"] == "00070")
        assert hanoi["period_start"] == datetime(2026, 1, 1) and isinstance(hanoi["n"], int)
        assert "codebook" in workbook(path).sheetnames
    else:
        frame, meta = READERS[fmt](path)
        assert "00070" in set(frame["unit_code"])
        assert str(frame["period_start"].iloc[0]) == "2026-01-01"
        assert meta.column_names_to_labels["n_eff"] == "Cỡ mẫu hiệu dụng"


def test_libreoffice_reads_the_workbook_as_written(stocked, tmp_path):
    """LibreOffice Calc (which cannot open .sav or .dta files) converts the xlsx to CSV."""
    soffice = _soffice()
    db, places = stocked
    source = tmp_path / "r.xlsx"
    exportfiles.write_responses(
        db, source, "xlsx", exports.Filters(questionnaire=V1, include_excluded=True)
    )
    subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
         "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir",
         str(tmp_path / "out"), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    data = (tmp_path / "out" / "r.csv").read_bytes()
    rows = list(reader(io.BytesIO(data)))
    header, cells = rows[0], {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert header[:2] == ["response_id", "questionnaire_id"]
    hanoi, first = cells[f"{4:032x}"], cells[f"{1:032x}"]
    assert hanoi["ward_code"] == places["c"]["ward_code"] and hanoi["ward_code"].startswith("0")
    assert first["submitted_at"] == "2026-02-02 01:05:01"
    assert first["pressing_issue"] == BASE_ANSWERS["pressing_issue"]  # not run: no "2"
    assert cells[f"{5:032x}"]["pressing_issue"] == "@cmd"
    assert first["land_extra_amount"] == "500000"

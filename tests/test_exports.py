"""Responses and codebook exports: columns, codes, labels, filters, formulas, order."""

import io

import pytest

from survey import exports
from survey.csvout import reader
from survey.periods import parse_period
from tests.factories import make_export_places, make_varied_responses

V1 = ("papi-pulse-core", 1)  # the version these tests' answers are stored in
pytestmark = pytest.mark.usefixtures("pin_v1")


@pytest.fixture
def stocked(db):
    """Return the database with places and varied responses, and the places."""
    places = make_export_places(db)
    make_varied_responses(db, places)
    return db, places


def csv_rows(table, dialect="plain"):
    """Return the exported CSV parsed back, as a list of dicts."""
    data = b"".join(exports.stream(table, dialect))
    rows = list(reader(io.BytesIO(data)))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]], data


def test_one_row_per_response_one_column_per_item(stocked):
    db, places = stocked
    rows, data = csv_rows(exports.export_responses(db, exports.Filters(questionnaire=V1)))
    header = data.split(b"\n")[0].decode().split(",")
    base = len(exports.BASE_COLUMNS)
    assert header[:base] == list(exports.BASE_COLUMNS) and header[base - 1] == "mode"
    assert header[base : base + 3] == ["sex", "age_band", "lives_here"]
    assert header[-1] == "pressing_issue"
    assert len(rows) == 4  # the excluded response is left out by default
    first = rows[0] if rows[0]["response_id"].endswith("1") else rows[1]
    assert first["services_used"] == "certification;land_certificate"  # option order
    assert first["sipas_access"] == "4" and first["sipas_result"] == "dont_know"
    assert first["land_extra_amount"] == "500000"
    assert first["pressing_issue"] == "'=1+1 Đường ngập nước, “rất” khó đi"
    assert first["modules_shown"] == "core;procedures;environment;closing"
    assert first["submitted_at"] == "2026-02-02T01:05:01+00:00"
    assert first["ward_code"] == places["a"]["ward_code"] and first["province_code"] == "79"
    assert first["knows_slogan"] == ""  # module not shown
    assert first["mode"] == "web"
    assert b",500000," in data and b",3," in data  # numbers unquoted


def test_special_codes_missing_answers_and_flags(stocked):
    db, _ = stocked
    rows, _ = csv_rows(exports.export_responses(db, exports.Filters(questionnaire=V1)))
    by_id = {row["response_id"][-1]: row for row in rows}
    assert by_id["2"]["land_extra_amount"] == ""
    assert by_id["2"]["sex"] == "refused" and by_id["2"]["services_used"] == "none"
    assert by_id["2"]["pressing_issue"] == '\'- Thiếu chỗ gửi xe\nở trụ sở; "gấp"'
    assert by_id["3"]["flags"] == "too_fast" and by_id["3"]["review_status"] == "included"
    assert by_id["1"]["flags"] == ""


@pytest.mark.parametrize(
    ("lang", "sex", "result"), [("vi", "Nữ", "Không biết"), ("en", "Female", "Don't know")]
)
def test_labels_replace_codes(stocked, lang, sex, result):
    db, _ = stocked
    rows, _ = csv_rows(exports.export_responses(db, exports.Filters(questionnaire=V1), labels=lang))
    first = next(row for row in rows if row["response_id"].endswith("1"))
    assert first["sex"] == sex and first["sipas_result"] == result
    assert first["services_used"].count(";") == 1
    assert first["land_extra_amount"] == "500000" and first["sipas_access"] in (
        "Hài lòng",
        "Satisfied",
    )


def test_filters(stocked):
    db, places = stocked

    def ids(**filters):
        table = exports.export_responses(db, exports.Filters(**{"questionnaire": V1} | filters))
        return sorted(row[0][-1] for row in table.rows)

    assert ids() == ["1", "2", "3", "4"]
    assert ids(include_excluded=True) == ["1", "2", "3", "4", "5"]
    assert ids(include_flagged=False) == ["1", "2", "4"]
    assert ids(unit=("province", "79")) == ["1", "2", "3"]
    assert ids(unit=("ward", places["b"]["ward_code"])) == ["3"]
    assert ids(unit=("point", str(places["c"]["id"]))) == ["4"]
    assert ids(period=parse_period("2026-Q1")) == ["1", "2", "3"]
    assert ids(period=parse_period("2026-04")) == ["4"]
    assert ids(scope=("w.province_code IN (?)", ["01"])) == ["4"]


@pytest.mark.parametrize(
    ("text", "kind"), [("ward:26743", ("ward", "26743")), ("79", ("province", "79")),
                       ("point:3", ("point", "3")), ("26743", ("ward", "26743"))]
)  # fmt: skip
def test_parse_unit(text, kind):
    assert exports.parse_unit(text) == kind


@pytest.mark.parametrize("text", ["abc", "7", "city:79", ""])
def test_bad_units_are_refused(text):
    with pytest.raises(exports.ExportError, match="unit"):
        exports.parse_unit(text)


def test_unknown_filters_are_refused(stocked):
    db, _ = stocked
    with pytest.raises(exports.ExportError, match="unknown ward"):
        exports.export_responses(db, exports.Filters(questionnaire=V1, unit=("ward", "99999")))
    with pytest.raises(exports.ExportError, match="questionnaire"):
        exports.parse_questionnaire("nope:1")
    with pytest.raises(exports.ExportError, match="labels"):
        exports.export_responses(db, exports.Filters(questionnaire=V1), labels="fr")


def test_codebook_has_one_row_per_option():
    questionnaire = exports.parse_questionnaire("papi-pulse-core:1")
    rows, data = csv_rows(exports.export_codebook(questionnaire), "excel")
    assert data.startswith(b"\xef\xbb\xbfitem_id,type,wording_vi")
    sex = [row for row in rows if row["item_id"] == "sex"]
    assert [row["option_code"] for row in sex] == ["nam", "nu", "refused"]
    assert sex[0]["role"] == "weighting" and sex[0]["weighting_variable"] == "sex"
    assert sex[2]["special"] == "yes" and sex[0]["option_label_vi"] == "Nam"
    access = [row for row in rows if row["item_id"] == "sipas_access"]
    assert access[0]["skip_condition"] == "came_for_procedure in (yes)"
    quality = next(row for row in rows if row["item_id"] == "certification_quality")
    assert quality["skip_condition"] == "services_used includes any of (certification)"
    amount = [row for row in rows if row["item_id"] == "land_extra_amount"]
    assert amount[0]["min"] == "0" and amount[0]["max"] == "1000000"
    assert amount[0]["required"] == "no"
    text = [row for row in rows if row["item_id"] == "pressing_issue"]
    assert len(text) == 1 and text[0]["option_code"] == ""
    scored = [row for row in rows if row["dimension"]]
    assert scored and all(row["direction"] in ("higher_better", "lower_better") for row in scored)
    assert len(rows) == sum(
        max(1, len(i.options + i.special)) for i in questionnaire.items.values()
    )

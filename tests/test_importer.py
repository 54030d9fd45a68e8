"""Importing the responses export: validation with line numbers, all or nothing, round trip."""

import io

import pytest

from survey import exports, importer, privacy, responses
from survey.csvout import reader, to_bytes
from survey.webdb import open_db
from tests.factories import make_export_places, make_varied_responses
from tests.privacy_cases import MASKED

V1 = ("papi-pulse-core", 1)  # the version these tests' answers are stored in
pytestmark = pytest.mark.usefixtures("pin_v1")


def export_bytes(db, **filters) -> bytes:
    """Return the responses export of db (plain dialect) as bytes."""
    table = exports.export_responses(db, exports.Filters(**{"questionnaire": V1} | filters))
    return b"".join(exports.stream(table))


@pytest.fixture
def stocked(db):
    """Return the database with places and varied responses."""
    places = make_export_places(db)
    make_varied_responses(db, places)
    return db, places


def test_round_trip_is_byte_identical(stocked, runner, tmp_path):
    db, _ = stocked
    first = export_bytes(db, include_excluded=True)
    assert "Đường ngập nước".encode() in first and b"'=1+1" in first and b"'@cmd" in first
    from survey import create_app

    other = create_app(
        {"TESTING": True, "SECRET_KEY": "x" * 40, "DATABASE": str(tmp_path / "b.db")}
    )
    second_db = open_db(other)
    try:
        make_export_places(second_db)
        path = tmp_path / "export.csv"
        path.write_bytes(first)
        result = other.test_cli_runner().invoke(args=["import", "responses", str(path)])
        assert result.exit_code == 0, result.output
        assert "Imported 5 response(s)." in result.output
        again = export_bytes(second_db, include_excluded=True)
        stored = responses.get_response(second_db, f"{1:032x}")
    finally:
        second_db.close()
    assert again == first
    assert stored["answers"]["land_extra_amount"] == 500000
    assert stored["answers"]["services_used"] == ["certification", "land_certificate"]
    assert stored["answers"]["pressing_issue"].startswith("=1+1 Đường")


def test_cli_export_then_import_refuses_duplicates(stocked, runner, tmp_path):
    path = tmp_path / "r.csv"
    result = runner.invoke(args=["export", "responses", "--excel", "-o", str(path)])
    assert result.exit_code == 0, result.output
    assert path.read_bytes().startswith(b"\xef\xbb\xbfresponse_id,")
    result = runner.invoke(args=["import", "responses", str(path)])
    assert result.exit_code == 1
    assert "line 2, column response_id: response" in result.output
    assert "is already stored" in result.output and "Nothing was imported" in result.output


def edit(data: bytes, record: int, column: str, value: str) -> bytes:
    """Return the export with one cell of record number `record` (header is 0) changed."""
    rows = list(reader(io.BytesIO(data)))
    rows[record][rows[0].index(column)] = value
    return to_bytes(None, rows)


def start_line(data: bytes, record: int) -> int:
    """Return the physical line on which record number `record` starts."""
    rows = reader(io.BytesIO(data))
    line = 1
    for _ in range(record):
        next(rows)
        line = rows.line_num + 1
    return line


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("sex", "male", "'male' is not one of nam, nu, refused"),
        ("services_used", "certification;none", "'none' cannot be chosen with other answers"),
        ("services_used", "certification;certification", "listed twice"),
        ("land_extra_amount", "-5", "-5 is outside 0 to 1000000"),
        ("land_extra_amount", "12.5", "is not a whole number"),
        ("knows_slogan", "yes", "module participation was not shown"),
        ("point_id", "999", "unknown collection point 999"),
        ("ward_code", "00001", "expected"),
        ("province_code", "01", "the ward's province"),
        ("submitted_at", "2026-02-30T00:00:00+00:00", "is not an ISO 8601 time"),
        ("submitted_at", "2026-02-03T00:00:00", "has no time zone"),
        ("review_status", "maybe", "is not one of"),
        ("modules_shown", "procedures;closing", "core module(s) core missing"),
        ("questionnaire_version", "2", "expected '1'"),
        ("response_id", "a b", "a response id has"),
        # A spreadsheet reads a cell starting with "-" as a formula: such an id is refused.
        ("response_id", "-A1-A2", "starting with a letter or digit"),
    ],
)
def test_invalid_cells_are_reported_with_line_and_column(stocked, column, value, message):
    db, _ = stocked
    data = export_bytes(db)
    record = 3
    bad = edit(data, record, column, value)
    db.execute("DELETE FROM responses")
    with pytest.raises(importer.ImportFailed) as failed:
        importer.import_responses(db, io.BytesIO(bad))
    problems = [(p.line, p.column) for p in failed.value.problems]
    assert problems[:1] == [(start_line(bad, record), column)]
    assert message in str(failed.value)
    assert responses.count(db) == 0


def test_answer_hidden_by_skip_logic_is_refused(stocked):
    db, _ = stocked
    data = export_bytes(db)
    rows = list(reader(io.BytesIO(data)))
    record = next(i for i, r in enumerate(rows) if "too_fast" in r)  # came_for_procedure=no
    bad = edit(data, record, "sipas_access", "4")
    db.execute("DELETE FROM responses")
    with pytest.raises(importer.ImportFailed, match="skip logic hides it"):
        importer.import_responses(db, io.BytesIO(bad))


def test_duplicate_ids_in_the_file_and_all_problems_reported(stocked):
    db, _ = stocked
    data = export_bytes(db)
    rows = list(reader(io.BytesIO(data)))
    doubled = to_bytes(None, rows[:2] + rows[1:2] + rows[2:])
    bad = edit(doubled, 4, "sex", "x")
    db.execute("DELETE FROM responses")
    with pytest.raises(importer.ImportFailed) as failed:
        importer.import_responses(db, io.BytesIO(bad))
    found = [(p.line, p.column) for p in failed.value.problems]
    assert (3, "response_id") in found and (start_line(bad, 4), "sex") in found
    assert "appears twice in the file" in str(failed.value)
    assert responses.count(db) == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"\xff\xfe\x00bad", "not a UTF-8 CSV"),
        (b"a,b\n1,2\n", "the first columns must be"),
    ],
)
def test_unreadable_files_are_refused(db, data, message):
    with pytest.raises(importer.ImportFailed, match=message):
        importer.import_responses(db, io.BytesIO(data))


def test_labels_export_is_refused(stocked):
    db, _ = stocked
    table = exports.export_responses(db, exports.Filters(questionnaire=V1), labels="vi")
    data = b"".join(exports.stream(table))
    db.execute("DELETE FROM responses")
    with pytest.raises(importer.ImportFailed, match="is not one of"):
        importer.import_responses(db, io.BytesIO(data))


def amount_record(db) -> int:
    """Return the number of the first exported record that answers the amount with a number."""
    rows = list(reader(io.BytesIO(export_bytes(db))))
    column = rows[0].index("land_extra_amount")
    return next(i for i, row in enumerate(rows) if row[column].isdigit())


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("500 nghìn", 500), ("1,5 triệu", 1500), ("50.000đ", 50), ("1tr2", 1200), ("500000", 500000)],
)
def test_amounts_typed_from_paper_are_read_as_the_citizen_pages_read_them(stocked, typed, stored):
    db, _ = stocked
    data, record = export_bytes(db), amount_record(db)
    data = edit(data, record, "land_extra_amount", typed)
    response_id = list(reader(io.BytesIO(data)))[record][0]
    db.execute("DELETE FROM responses")
    assert importer.import_responses(db, io.BytesIO(data)) >= 3
    assert responses.get_response(db, response_id)["answers"]["land_extra_amount"] == stored


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("500.000", "'500.000' can mean 500 or 500000 (thousand dong): write the unit"),
        ("1,5", "'1,5' is not a whole number of thousand dong"),
        ("2 tỷ", "'2 tỷ' is outside 0 to 1000000 thousand dong"),
        ("một trăm nghìn", "is not a whole number or one of refused"),
    ],
)
def test_amounts_from_paper_that_cannot_be_stored_are_problems(stocked, typed, message):
    db, _ = stocked
    data = edit(export_bytes(db), amount_record(db), "land_extra_amount", typed)
    db.execute("DELETE FROM responses")
    with pytest.raises(importer.ImportFailed) as failed:
        importer.import_responses(db, io.BytesIO(data))
    assert message in str(failed.value)
    assert responses.count(db) == 0


def fresh_instance(tmp_path, name: str):
    """Return an app on a new database with the same places, and its open connection."""
    from survey import create_app

    other = create_app(
        {"TESTING": True, "SECRET_KEY": "x" * 40, "DATABASE": str(tmp_path / f"{name}.db")}
    )
    db = open_db(other)
    make_export_places(db)
    return other, db


def test_import_masks_free_text_as_the_citizen_pages_do(stocked, tmp_path):
    db, _ = stocked
    rows = list(reader(io.BytesIO(export_bytes(db))))
    header, template = rows[0], rows[1]
    column, flags = header.index("pressing_issue"), header.index("flags")
    limit = 300  # pressing_issue's max_length: a text at the limit may grow when masked
    texts = [f"Có gì gọi {raw} nhé" for raw, _ in MASKED]
    texts.append("Đường " * 40 + "gọi 0912 345 678" + "." * (limit - 256))
    assert len(texts[-1]) == limit
    written = []
    for number, text in enumerate(texts):
        row = list(template)
        row[0], row[column], row[flags] = f"pii{number:03d}", text, ""
        written.append(row)
    db.execute("DELETE FROM responses")
    assert importer.import_responses(db, io.BytesIO(to_bytes(header, written))) == len(texts)
    for number, text in enumerate(texts):
        stored = responses.get_response(db, f"pii{number:03d}")
        assert stored["answers"]["pressing_issue"] == privacy.mask(text)[0] != text
        assert stored["flags"] == ["pii_masked"]
    masked_export = export_bytes(db)
    other, second_db = fresh_instance(tmp_path, "masked")
    try:
        assert importer.import_responses(second_db, io.BytesIO(masked_export)) == len(texts)
        assert export_bytes(second_db) == masked_export
    finally:
        second_db.close()

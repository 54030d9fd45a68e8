"""`export estimates --unit`: one ward's or one province's estimates, and a clear refusal."""

import io

import openpyxl
import pytest

from survey.csvout import reader
from tests.factories import make_export_places, make_varied_responses

# The factories store version 1 answers; the current questionnaire is a later version.
V1 = ["--questionnaire", "papi-pulse-core:1"]
BASE = ["export", "estimates", *V1, "--period", "2026-Q1"]


@pytest.fixture
def stocked(db):
    """Return the places of a database with answers in two HCMC wards and one Hanoi ward."""
    places = make_export_places(db)
    make_varied_responses(db, places)
    with db.atomic():  # wards of known population combine into their province
        db.execute("UPDATE wards SET population = 5000")
    return places


def table(result) -> list[dict]:
    """Return the CSV rows a command printed, as dicts."""
    assert result.exit_code == 0, result.output
    rows = list(reader(io.BytesIO(result.stdout_bytes)))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_a_ward_gets_its_own_rows_the_same_as_in_the_whole_export(stocked, runner):
    ward = stocked["a"]["ward_code"]
    rows = table(runner.invoke(args=[*BASE, "--unit", f"ward:{ward}"]))
    assert rows and {(r["unit_type"], r["unit_code"]) for r in rows} == {("ward", ward)}
    everything = table(runner.invoke(args=BASE))
    assert rows == [r for r in everything if (r["unit_type"], r["unit_code"]) == ("ward", ward)]


def test_a_province_alone_or_its_wards(stocked, runner):
    rows = table(runner.invoke(args=[*BASE, "--unit", "province:79"]))
    assert {(r["unit_type"], r["unit_code"]) for r in rows} == {("province", "79")}
    wards = table(runner.invoke(args=[*BASE, "--unit", "province:79", "--unit-type", "ward"]))
    expected = {stocked["a"]["ward_code"], stocked["b"]["ward_code"]}
    assert {r["unit_code"] for r in wards} == expected
    assert {r["province_code"] for r in wards} == {"79"}


def test_a_ward_in_another_format(stocked, runner, tmp_path):
    ward = stocked["c"]["ward_code"]
    path = tmp_path / "ward.xlsx"
    args = ["export", "estimates", *V1, "--period", "2026", "--unit", f"ward:{ward}"]
    args += ["--format", "xlsx", "-o", str(path)]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(path)["estimates"]
    header, *rows = list(sheet.iter_rows(values_only=True))
    codes = {row[header.index("unit_code")] for row in rows}
    assert rows and codes == {ward}


@pytest.mark.parametrize(
    "unit, extra, says",
    [
        ("ward:99999", [], "There is no ward 99999."),
        ("province:99", [], "There is no province 99."),
        ("point:1", [], "ward:CODE or province:CODE"),
        ("somewhere", [], "not understood"),
        ("province:79", ["--unit-type", "all"], None),
        ("ward:{a}", ["--unit-type", "province"], "has no province estimates inside it"),
        ("ward:{a}", ["--period", "2025-Q1"], "has no answers in 2025-Q1"),
    ],
)
def test_a_unit_outside_the_data_is_refused_in_one_line(stocked, runner, unit, extra, says):
    unit = unit.format(a=stocked["a"]["ward_code"])
    result = runner.invoke(args=[*BASE, "--unit", unit, *extra])
    if says is None:  # --unit-type all is the default: the unit itself
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and says in lines[0], result.output
    assert "Traceback" not in result.output

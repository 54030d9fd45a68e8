"""The shipped province populations: one row per current province, sources named, plausible."""

import csv
import io
import unicodedata
from importlib import resources

from survey import units
from tests.factories import load_units


def shipped_rows():
    """Return the rows of survey/data/province_population.csv as the installed package has it."""
    text = resources.files("survey").joinpath("data/province_population.csv").read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def test_one_row_per_current_province_of_the_units_table(db):
    """The codes and names are exactly the 34 provinces loaded from vietnam-provinces."""
    load_units(db)
    loaded = dict(db.execute("SELECT code, name FROM provinces").fetchall())
    rows = shipped_rows()
    assert len(rows) == 34 == len(loaded)
    assert {r["province_code"]: r["name"] for r in rows} == loaded


def test_figures_are_plausible_and_each_names_its_source():
    """Each province between 0.4 and 15 million; the country between 100 and 115 million.

    The total is above the GSO's 101.3 million (average population 2024) because the 23 merged
    provinces carry Resolution 202/2025/QH15's "quy mô dân số", a larger count
    (docs/METHODOLOGY.md, section 6); a typo of one digit would leave these bounds.
    """
    rows = shipped_rows()
    assert all(400_000 <= int(r["population"]) <= 15_000_000 for r in rows)
    assert 100_000_000 <= sum(int(r["population"]) for r in rows) <= 115_000_000
    assert {r["basis"] for r in rows} == set(units.POPULATION_BASES)
    assert sum(r["basis"] == "nq202_2025_qh15" for r in rows) == 23
    assert all(r["source"] and r["reference"] for r in rows)


def test_text_is_nfc():
    """Names and sources are stored NFC-normalised, as all text."""
    for row in shipped_rows():
        for value in row.values():
            assert unicodedata.normalize("NFC", value) == value


def test_lookup_returns_the_row_or_none():
    """The units module gives a province's figure and basis; an unknown code gives None."""
    assert units.province_population("79")["population"] == 14_002_598
    assert units.province_population("01")["basis"] == "gso_yearbook_2024"
    assert units.province_population("99") is None

"""Coverage: the share of an area's population the combined wards hold, from what is known.

The area's population is its wards' sum when every ward's is known, else the province's shipped
figure (survey/data/province_population.csv), else unknown; never more than 100 %.
"""

import pytest
from estimates_helpers import rows_by, tiny

from survey.estimation import parse_periods, run
from tests.factories import load_units, make_margins, make_point, make_response, make_wards

HCMC_POPULATION = 14_002_598  # Resolution 202/2025/QH15, the shipped figure


def margins(total):
    """Return a ward's sex and age margins adding up to total."""
    half, third = total // 2, total // 3
    return {
        "sex": {"m": half, "f": total - half},
        "age_band": {"a18_34": third, "a35_54": third, "a55_plus": total - 2 * third},
    }


def answer(db, ward, count=40):
    """Store count tiny answers at a ward in 2026-Q1."""
    bands = ["a18_34", "a35_54", "a55_plus"]
    for i in range(count):
        answers = {"sex": "mf"[i % 2], "age_band": bands[i % 3], "q1": "yes" if i % 4 else "no"}
        make_response(db, ward, answers=answers, questionnaire_id="tiny")


def area(db, unit_type="province", code=None):
    """Return the q1 'yes' row of the area (a province or the country)."""
    rows = list(run(db, tiny(), [parse_periods("2026-Q1")], ("ward", "province", "all")))
    found = rows_by(rows, unit_type=unit_type, key="q1", option="yes")
    return [r for r in found if code is None or r["unit_code"] == code]


def test_one_ward_of_168_holds_a_small_share_of_the_city(db):
    """Hồ Chí Minh City's 168 wards have no populations; margins only for the one that answered."""
    load_units(db)
    make_point(db, "26743", "UBND", "office")  # Bến Thành, a real ward of the city
    wards = db.execute("SELECT count(*) FROM wards WHERE province_code = '79'").fetchone()[0]
    assert wards == 168
    make_margins(db, {"26743": margins(47_000)})
    answer(db, "26743")
    [city] = area(db, code="79")
    assert city["coverage"] == pytest.approx(47_000 / HCMC_POPULATION)  # about 0.3 %, not 100 %
    assert "population_base=nq202_2025_qh15" in city["weighting_note"]


def test_every_ward_known_gives_a_share_of_their_sum(db):
    """Both wards' populations are known: the province is their sum, not the shipped figure."""
    make_wards(db, wards=["26001", "26002"], populations=[10_000, 30_000])
    answer(db, "26001")
    [province] = area(db)
    assert province["coverage"] == pytest.approx(0.25)
    assert "population_base=wards" in province["weighting_note"]


def test_a_province_with_no_shipped_population_and_a_ward_unknown_is_unknown(db):
    """A made-up province (code 99) has no shipped figure: with a ward unknown, so is the share."""
    make_wards(db, province="99", wards=["99001", "99002"], populations=[10_000, None])
    answer(db, "99001")
    [province] = area(db)
    assert province["coverage"] == ""
    assert "population_base" not in province["weighting_note"]


def test_a_share_above_the_shipped_figure_is_capped_and_noted(db):
    """Margins on another basis than the shipped figure can exceed it: 100 %, and said so."""
    make_wards(db, wards=["26001", "26002"], populations=[None, None])
    make_margins(db, {"26001": margins(HCMC_POPULATION + 1_000_000)})
    answer(db, "26001")
    [province] = area(db)
    assert province["coverage"] == 1.0
    assert "coverage_capped" in province["weighting_note"]


def test_the_country_is_the_sum_of_its_provinces(db):
    """A province of known wards and one of the shipped figure add up; one unknown: unknown."""
    make_wards(db, wards=["26001", "26002"], populations=[10_000, None])
    make_wards(db, province="01", wards=["00001"], populations=[5_000])
    answer(db, "26001")
    answer(db, "00001")
    [country] = area(db, "all")
    assert country["coverage"] == pytest.approx(15_000 / (HCMC_POPULATION + 5_000))
    assert "population_base=provinces" in country["weighting_note"]
    make_wards(db, province="99", wards=["99001"], populations=[None])
    [country] = area(db, "all")
    assert country["coverage"] == ""

"""Baselines: the shipped official scores load and blend for merged provinces."""

import pytest

from survey import baselines

HEADER = (
    "year,legacy_province,province_2025,d1_participation,d2_transparency,"
    "d3_accountability,d4_corruption_control,d5_admin_procedures,d6_public_services,"
    "d7_environment,d8_e_governance,total,source_note\n"
)


def test_shipped_file_loads_and_hcmc_2024_is_a_population_blend(db):
    """Ho Chi Minh City 2024 blends the old city, Bình Dương and Bà Rịa - Vũng Tàu."""
    baselines.ensure_shipped(db)
    blend = baselines.blend(db, "79")
    assert blend["year"] == 2024
    assert set(blend["legacy"]) == {"Thành phố Hồ Chí Minh", "Bình Dương", "Bà Rịa - Vũng Tàu"}
    pops = baselines.LEGACY_POPULATION
    expected = (
        pops["Thành phố Hồ Chí Minh"] * 4.8062
        + pops["Bình Dương"] * 4.8679
        + pops["Bà Rịa - Vũng Tàu"] * 4.6066
    ) / (pops["Thành phố Hồ Chí Minh"] + pops["Bình Dương"] + pops["Bà Rịa - Vũng Tàu"])
    assert blend["values"]["d1"] == pytest.approx(expected)
    assert 4.6066 < blend["values"]["d1"] < 4.8679


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("2024,Atlantis,,5,5,5,5,5,5,5,5,40,x\n", "unknown legacy province"),
        ("2024,Quảng Ninh,,11,5,5,5,5,5,5,5,40,x\n", "outside the PAPI scale"),
        ("20x4,Quảng Ninh,,5,5,5,5,5,5,5,5,40,x\n", "is not a year"),
    ],
)
def test_bad_rows_are_refused(db, row, message):
    """Unknown provinces, out-of-scale values and bad years are refused, nothing stored."""
    with pytest.raises(baselines.BaselineError, match=message):
        baselines.load(db, (HEADER + row).encode())
    assert db.execute("SELECT count(*) FROM baselines").fetchone()[0] == 0


def test_analyst_file_adds_a_year(db):
    """An added file's rows attach to the current province through the crosswalk."""
    baselines.load(db, (HEADER + "2025,Quảng Ninh,,5,5,5,5,5,5,5,5,40,x\n").encode())
    assert baselines.blend(db, "22")["year"] == 2025

"""Baselines: the shipped official scores load and blend for merged provinces."""

import pytest

from survey import baselines, units

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
    pops = baselines.LEGACY_POPULATION  # by legacy code: 79 the old city, 74, 77
    expected = (pops["79"] * 4.8062 + pops["74"] * 4.8679 + pops["77"] * 4.6066) / (
        pops["79"] + pops["74"] + pops["77"]
    )
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


@pytest.mark.parametrize(
    ("spelling", "code", "stored"),
    [
        ("Hà Nội", "01", "Thành phố Hà Nội"),
        ("Thành phố Hà Nội", "01", "Thành phố Hà Nội"),
        ("Ha\u0300 Nô\u0323i", "01", "Thành phố Hà Nội"),  # decomposed (NFD) diacritics
        ("  thành phố  hà nội ", "01", "Thành phố Hà Nội"),
        ("Tỉnh Quảng Ninh", "22", "Quảng Ninh"),
        ("TP. Hồ Chí Minh", "79", "Thành phố Hồ Chí Minh"),
        ("Bà Rịa–Vũng Tàu", "77", "Bà Rịa - Vũng Tàu"),
        ("Thành phố Huế", "46", "Thừa Thiên Huế"),
    ],
)
def test_official_workbook_spellings_are_matched_to_the_legacy_code(db, spelling, code, stored):
    """The 2023 workbook writes "Hà Nội": it, the crosswalk's name and other spellings match."""
    baselines.load(db, (HEADER + f"2023,{spelling},,5,5,5,5,5,5,5,5,40,x\n").encode())
    rows = {(r["legacy_code"], r["legacy_province"]) for r in baselines.list_baselines(db)}
    assert rows == {(code, stored)}


def test_two_spellings_of_one_province_are_one_baseline(db):
    """A later file that spells the province differently replaces the value, not adds one."""
    baselines.load(db, (HEADER + "2023,Thành phố Hà Nội,,5,5,5,5,5,5,5,5,40,x\n").encode())
    baselines.load(db, (HEADER + "2023,Hà Nội,,6,5,5,5,5,5,5,5,41,y\n").encode())
    assert db.execute("SELECT count(*) FROM baselines WHERE dimension = 'd1'").fetchone()[0] == 1
    assert baselines.blend(db, "01")["values"]["d1"] == 6


def test_a_legacy_code_column_wins_over_the_name(db):
    """A file may give legacy_code; the row is then matched on it whatever the name says."""
    header = HEADER.replace("source_note", "source_note,legacy_code")
    baselines.load(db, (header + "2023,Bình Duong (cũ),,5,5,5,5,5,5,5,5,40,x,74\n").encode())
    assert baselines.list_baselines(db)[0]["legacy_province"] == "Bình Dương"
    assert baselines.blend(db, "79")["legacy"] == ["Bình Dương"]


def test_blend_weights_by_legacy_code(db):
    """Populations are found by legacy code, whatever spelling the file used."""
    units.load_units(db)
    db.execute("UPDATE legacy_provinces SET population = 1 WHERE legacy_code = '79'")
    db.execute("UPDATE legacy_provinces SET population = 3 WHERE legacy_code = '74'")
    rows = (
        "2024,TP. Hồ Chí Minh,,4,5,5,5,5,5,5,5,40,x\n2024,Tỉnh Bình Dương,,8,5,5,5,5,5,5,5,40,x\n"
    )
    baselines.load(db, (HEADER + rows).encode())
    blend = baselines.blend(db, "79")
    assert blend["values"]["d1"] == pytest.approx((1 * 4 + 3 * 8) / 4)
    assert blend["legacy"] == ["Bình Dương", "Thành phố Hồ Chí Minh"]


def test_cli_loads_the_workbook_spelling(runner):
    """`baselines load` takes a file that writes "Hà Nội" and says how many values it stored."""
    import pathlib
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = pathlib.Path(folder) / "hn.csv"
        path.write_text(HEADER + "2023,Hà Nội,,5,5,5,5,5,5,5,5,40,x\n", encoding="utf-8")
        result = runner.invoke(args=["baselines", "load", str(path)])
    assert result.exit_code == 0, result.output
    assert "9" in result.output


def test_a_legacy_code_int_cannot_read_is_an_unknown_province(db):
    """ "²" is a digit to str.isdigit() but not to int(): refused with the line, no ValueError."""
    header = HEADER.replace("source_note", "source_note,legacy_code")
    with pytest.raises(baselines.BaselineError, match="line 2: unknown legacy province"):
        baselines.load(db, (header + "2023,Bình Dương,,5,5,5,5,5,5,5,5,40,x,²\n").encode())

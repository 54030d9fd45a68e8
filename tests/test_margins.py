"""Margins: the whole file is validated, all or nothing, and replacements keep history."""

import pytest

from survey import margins
from tests.factories import make_wards

GOOD = (
    "unit_code,variable,category,population\n"
    "26734,sex,nam,480\n26734,sex,nu,520\n"
    "26734,age_band,18_29,300\n26734,age_band,30_44,300\n"
    "26734,age_band,45_59,250\n26734,age_band,60_plus,150\n"
)


@pytest.fixture
def ward(db):
    """Insert one ward."""
    make_wards(db)
    return db


def test_good_file_loads_and_replacement_keeps_history(ward):
    """A second load supersedes the first; both sets stay."""
    first = margins.load(ward, GOOD.encode(), "a.csv", "an")
    second = margins.load(
        ward,
        GOOD.replace("480", "481")
        .replace("300\n26734,age_band,30", "301\n26734,age_band,30")
        .encode(),
        "b.csv",
        "an",
    )
    assert margins.current_set(ward)["id"] == second != first
    sets = margins.list_sets(ward)
    assert [s["id"] for s in sets] == [second, first] and sets[1]["superseded_at"]
    assert ward.execute("SELECT count(*) FROM margins").fetchone()[0] == 12


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (GOOD.replace("26734,sex,nam", "99999,sex,nam"), "unit"),
        (GOOD.replace("sex,nam", "gender,nam"), "variable"),
        (GOOD.replace("sex,nu", "sex,female"), "category"),
        (GOOD.replace("480", "-480"), "population"),
        (GOOD.replace("480", "480.5"), "population"),
        (GOOD + "26734,sex,nu,520\n", "duplicate"),
        (GOOD.replace("520", "521"), "totals"),
        (GOOD.replace("26734,age_band,60_plus,150\n", ""), "missing"),
        ("unit,variable,category,population\n", "header"),
        (GOOD.replace("26734,sex,nam,480", "26734,sex,nam"), "columns"),
    ],
)
def test_bad_files_are_refused_whole(ward, text, code):
    """Each kind of problem is reported, and nothing is stored."""
    with pytest.raises(margins.MarginError) as info:
        margins.load(ward, text.encode(), "bad.csv", "an")
    assert code in [p.code for p in info.value.problems]
    assert ward.execute("SELECT count(*) FROM margin_sets").fetchone()[0] == 0


def test_wrong_encoding_is_refused(ward):
    """A Windows-1258 file (đ is one byte there) is not UTF-8: refused with that reason."""
    with pytest.raises(margins.MarginError) as info:
        margins.load(ward, GOOD.replace("nam", "Đà").encode("cp1258"), "x.csv", "an")
    assert info.value.problems[0].code == "encoding"


def test_cli_loads_and_refuses(runner, app, tmp_path):
    """`papi-pulse margins load` prints one line on success and exits non-zero on errors."""
    from survey.webdb import open_db

    db = open_db(app)
    make_wards(db)
    db.close()
    good, bad = tmp_path / "m.csv", tmp_path / "bad.csv"
    good.write_text(GOOD)
    bad.write_text(GOOD.replace("520", "521"))
    ok = runner.invoke(args=["margins", "load", str(good)])
    assert ok.exit_code == 0 and "Loaded margin set" in ok.output
    refused = runner.invoke(args=["margins", "load", str(bad)])
    assert refused.exit_code != 0 and "26734" in refused.output

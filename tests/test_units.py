"""Administrative units: the full 2025 map loads once, idempotently, and search folds accents."""

import pytest

from survey import units
from survey.db import connect
from survey.migrations import apply


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """Return a database with every unit loaded (once for the module: it takes a moment)."""
    db = connect(str(tmp_path_factory.mktemp("units") / "units.sqlite3"))
    apply(db)
    first = units.load_units(db)
    yield db, first
    db.close()


def test_totals_and_hcmc(loaded):
    db, counts = loaded
    assert (counts["provinces"], counts["wards"], counts["legacy_provinces"]) == (34, 3321, 63)
    assert db.execute("SELECT count(*) FROM wards WHERE province_code = '79'").fetchone()[0] == 168
    assert units.get_province(db, "79")["name"] == "Thành phố Hồ Chí Minh"


def test_load_is_idempotent(loaded):
    db, _ = loaded
    logged = db.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    again = units.load_units(db)
    assert again == {
        "provinces": 34, "wards": 3321, "legacy_provinces": 63, "added": 0, "changed": 0,
        "moved": 0,
    }  # fmt: skip
    assert db.execute("SELECT count(*) FROM audit_log").fetchone()[0] == logged  # nothing changed


def test_a_load_that_changes_units_is_audited_with_the_wards_it_moved(loaded):
    import json

    from tests.factories import make_point, make_response

    db, _ = loaded
    first = db.execute(
        "SELECT username, action, object_type, detail FROM audit_log ORDER BY id LIMIT 1"
    ).fetchone()
    assert first[:3] == ("(cli)", "load_units", "units")
    assert json.loads(first[3])["added"] == 34 + 3321 + 63
    point = make_point(db, "25747")
    make_response(db, point, 1)
    # As if an older map had Thủ Dầu Một in Hà Nội (its answer given there), another ward
    # under an old name, a province under another name, a ward of another kind, a legacy code.
    with db.atomic():
        db.execute("UPDATE wards SET province_code = '01' WHERE code = '25747'")
        db.execute("UPDATE responses SET province_code = '01' WHERE ward_code = '25747'")
        db.execute("UPDATE wards SET name = 'Tên cũ' WHERE code = '25750'")
        db.execute("UPDATE wards SET kind = 'xã' WHERE code = '25760'")
        db.execute("UPDATE provinces SET name = 'Tỉnh cũ' WHERE code = '04'")
        db.execute(
            "UPDATE legacy_provinces SET legacy_code = '00' WHERE legacy_name = 'Bình Dương'"
        )
    admin = {"id": 7, "username": "quan.tri"}
    counts = units.load_units(db, admin)
    assert (counts["moved"], counts["changed"]) == (1, 5)
    assert units.get_ward(db, "25747")["province_code"] == "79"
    answer = db.execute("SELECT province_code FROM responses WHERE ward_code = '25747'")
    assert answer.fetchone() == ("79",)  # the answer went with its ward
    entry = db.execute(
        "SELECT user_id, username, detail FROM audit_log ORDER BY id DESC LIMIT 1"
    ).fetchone()
    assert entry[:2] == (7, "quan.tri")
    assert json.loads(entry[2]) == {"added": 0, "changed": 5, "moved": ["25747"]}


def test_legacy_provinces_of_hcmc_use_papi_names(loaded):
    db, _ = loaded
    names = {row["legacy_name"] for row in units.legacy_provinces(db, "79")}
    assert names == {"Thành phố Hồ Chí Minh", "Bình Dương", "Bà Rịa - Vũng Tàu"}
    assert {row["legacy_name"] for row in units.legacy_provinces(db, "96")} == {
        "Cà Mau",
        "Bạc Liêu",
    }


@pytest.mark.parametrize("text", ["Ben Thanh", "bến thành", "BEN   THANH", "ben-thanh"[:3]])
def test_search_with_or_without_diacritics(loaded, text):
    db, _ = loaded
    names = [ward["name"] for ward in units.search_wards(db, text, limit=500)]
    assert "Phường Bến Thành" in names


def test_search_respects_scope_and_wildcards(loaded):
    db, _ = loaded
    assert units.search_wards(db, "Ben Thanh", "w.province_code = ?", ["01"]) == []
    assert units.search_wards(db, "%") == []


def test_fold_handles_d_and_spaces():
    assert units.fold("  Đắk  Lắk ") == "dak lak"


def test_cli_load_and_search(runner):
    result = runner.invoke(args=["units", "load"])
    assert result.exit_code == 0 and "34 provinces, 3321 wards" in result.output
    result = runner.invoke(args=["units", "search", "Ben Thanh"])
    assert "26743  Phường Bến Thành, Thành phố Hồ Chí Minh" in result.output
    assert runner.invoke(args=["units", "search", "zzzz"]).exit_code != 0

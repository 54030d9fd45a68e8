"""The access policy (survey/access.py): each role's permissions and each scope decision.

The world (tests/factories.py): Ho Chi Minh City (79) holds Bến Thành (26743, with the
secret point) and Sài Gòn (26734, with another point); Hà Nội (01) holds Hoàn Kiếm (00070).
"""

import io
from datetime import date

import pytest

from survey import access, notes, points
from tests.factories import BEN_THANH, HANOI, HCMC, HOAN_KIEM, SAI_GON
from tests.staff_helpers import client_as

ALL_ROLES = ("administrator", "province_manager", "ward_staff", "analyst")
# The policy written out once more by hand: a change to access.PERMISSIONS must change this.
EXPECTED = {
    "edit_points": {"administrator", "province_manager", "ward_staff"},
    "import_points": {"administrator", "province_manager"},
    "import_responses": {"administrator"},
    "print_province_posters": {"administrator", "province_manager", "analyst"},
    "decide_reviews": {"administrator", "province_manager", "ward_staff"},
    "write_notes": {"administrator", "province_manager", "ward_staff"},
    "decide_notes": {"administrator", "province_manager"},
    "publish": {"administrator", "province_manager"},
    "manage_users": {"administrator"},
    "read_audit": {"administrator"},
    "set_margins": {"administrator", "analyst"},
    "load_baselines": {"administrator", "analyst"},
    "set_targets": {"administrator", "analyst", "province_manager"},
    "see_country": {"administrator", "analyst"},
}


def user(role: str, *scopes: str) -> dict:
    """Return a user as current_user() gives it."""
    return {"id": 1, "username": role, "role": role, "scopes": list(scopes)}


CLERK = user("ward_staff", BEN_THANH)
MANAGER = user("province_manager", HCMC)
ANALYST = user("analyst")
ADMIN = user("administrator")
BEN_THANH_WARD = {"code": BEN_THANH, "province_code": HCMC}
SAI_GON_WARD = {"code": SAI_GON, "province_code": HCMC}
HOAN_KIEM_WARD = {"code": HOAN_KIEM, "province_code": HANOI}


def test_the_permission_table_is_the_expected_policy():
    assert set(access.PERMISSIONS) == set(EXPECTED)
    assert set(access.ROLES) == set(ALL_ROLES)


@pytest.mark.parametrize("action", sorted(EXPECTED))
@pytest.mark.parametrize("role", ALL_ROLES)
def test_can_by_role_and_action(role, action):
    assert access.can(user(role), action) is (role in EXPECTED[action])


def test_the_command_line_may_do_everything_and_an_unknown_role_nothing():
    stranger = user("auditor", HCMC)  # a role no version of the app has written
    for action in EXPECTED:
        assert access.can(None, action)
        assert not access.can(stranger, action)
    assert access.scope_clause(stranger) == ("0", [])
    assert not access.can_see_ward(stranger, BEN_THANH_WARD)
    assert not access.can_see_province(stranger, HCMC)


def test_an_unknown_action_is_an_error_not_a_refusal():
    with pytest.raises(KeyError):
        access.can(ADMIN, "edit_point")  # a typo must not quietly answer False


def test_scope_clause_by_role():
    assert access.scope_clause(ANALYST) == ("1", [])
    assert access.scope_clause(ADMIN) == ("1", [])
    assert access.scope_clause(user("ward_staff")) == ("0", [])
    assert access.scope_clause(MANAGER) == ("w.province_code IN (?)", [HCMC])
    assert access.scope_clause(user("ward_staff", BEN_THANH, SAI_GON)) == (
        "w.code IN (?,?)",
        [BEN_THANH, SAI_GON],
    )
    assert access.scope_clause(CLERK, "p.ward_code", "p.province_code")[0] == "p.ward_code IN (?)"


@pytest.mark.parametrize(
    ("who", "ward", "seen"),
    [
        (CLERK, BEN_THANH_WARD, True),
        (CLERK, SAI_GON_WARD, False),  # a ward clerk asking for another ward of the province
        (CLERK, HOAN_KIEM_WARD, False),
        (MANAGER, SAI_GON_WARD, True),
        (MANAGER, HOAN_KIEM_WARD, False),  # a province manager asking for another province
        (ANALYST, HOAN_KIEM_WARD, True),
        (ADMIN, HOAN_KIEM_WARD, True),
        (user("province_manager"), BEN_THANH_WARD, False),
    ],
)
def test_can_see_ward(who, ward, seen):
    assert access.can_see_ward(who, ward) is seen
    row = {"ward_code": ward["code"], "province_code": ward["province_code"], "id": 3}
    assert access.can_see_row(who, row) is seen


@pytest.mark.parametrize(
    ("who", "province", "seen"),
    [
        (CLERK, HCMC, False),  # a ward is not the whole province
        (MANAGER, HCMC, True),
        (MANAGER, HANOI, False),
        (ANALYST, HANOI, True),
        (ADMIN, HANOI, True),
    ],
)
def test_can_see_province(who, province, seen):
    assert access.can_see_province(who, province) is seen


def test_ownership_checks_combine_role_and_scope():
    point = {"ward_code": BEN_THANH, "province_code": HCMC}
    assert access.can_edit_ward(CLERK, BEN_THANH_WARD)
    assert not access.can_edit_ward(CLERK, SAI_GON_WARD)
    assert not access.can_edit_ward(ANALYST, BEN_THANH_WARD)  # sees it, may not change it
    assert not access.can_edit_ward(MANAGER, HOAN_KIEM_WARD)
    assert access.can_decide_review(CLERK, point)
    assert not access.can_decide_review(ANALYST, point)
    assert not access.can_decide_review(user("ward_staff", SAI_GON), point)
    assert access.can_write_note(CLERK, BEN_THANH_WARD)
    assert not access.can_write_note(CLERK, SAI_GON_WARD)
    assert not access.can_write_note(ANALYST, BEN_THANH_WARD)
    assert access.can_decide_note(MANAGER, BEN_THANH_WARD)
    assert not access.can_decide_note(CLERK, BEN_THANH_WARD)  # writes, the province approves
    assert not access.can_decide_note(MANAGER, HOAN_KIEM_WARD)
    assert access.can_decide_note(ADMIN, HOAN_KIEM_WARD)
    assert access.can_publish(MANAGER, HCMC)
    assert not access.can_publish(MANAGER, HANOI)
    assert not access.can_publish(ANALYST, HCMC)
    assert access.can_publish(None, HANOI)


def test_province_lists_by_role():
    assert access.managed_province_codes(ADMIN) is None
    assert access.managed_province_codes(user("province_manager", HCMC, HANOI)) == [HANOI, HCMC]
    assert access.managed_province_codes(CLERK) == []
    assert access.target_provinces(MANAGER) == [HCMC]
    assert access.target_provinces(ANALYST) is None


@pytest.mark.parametrize(
    ("role", "wards"),
    [
        ("ward_staff", [BEN_THANH]),
        ("other_ward", [SAI_GON]),
        ("province_manager", [BEN_THANH, SAI_GON]),
        ("hanoi_manager", [HOAN_KIEM]),
        ("analyst", [BEN_THANH, HOAN_KIEM, SAI_GON]),
        ("administrator", [BEN_THANH, HOAN_KIEM, SAI_GON]),
    ],
)
def test_visible_wards(db, world, role, wards):
    found = access.visible_wards(db, world["users"][role])
    assert [w["code"] for w in found] == wards  # by unaccented name: Bến Thành, Hoàn Kiếm, Sài Gòn
    assert access.visible_ward_codes(db, world["users"][role]) == set(wards)


@pytest.mark.parametrize(
    ("role", "whole", "touched"),
    [
        ("ward_staff", [], [HCMC]),
        ("province_manager", [HCMC], [HCMC]),
        ("hanoi_manager", [HANOI], [HANOI]),
        ("analyst", [HANOI, HCMC], [HANOI, HCMC]),
    ],
)
def test_visible_and_touched_provinces(db, world, role, whole, touched):
    who = world["users"][role]
    assert sorted(p["code"] for p in access.visible_provinces(db, who)) == whole
    assert sorted(p["code"] for p in access.provinces_touched(db, who)) == touched


def test_the_scope_clause_limits_points_to_the_scope(db, world):
    names = {
        role: [p["id"] for p in points.list_points(db, *access.scope_clause(world["users"][role]))]
        for role in ("ward_staff", "other_ward", "hanoi_manager", "province_manager")
    }
    assert names["ward_staff"] == [world["point"]["id"]]
    assert names["other_ward"] == [world["other_point"]["id"]]
    assert names["hanoi_manager"] == []
    assert sorted(names["province_manager"]) == sorted(
        [world["point"]["id"], world["other_point"]["id"]]
    )


@pytest.mark.parametrize(
    ("role", "kind", "code", "seen", "touched"),
    [
        ("ward_staff", "ward", BEN_THANH, True, True),
        ("ward_staff", "ward", SAI_GON, False, False),  # another ward's data
        ("ward_staff", "province", HCMC, False, True),  # its rows are limited to the ward
        ("ward_staff", "province", HANOI, False, False),
        ("ward_staff", "point", "{point}", True, True),
        ("ward_staff", "point", "{other_point}", False, False),
        ("province_manager", "province", HCMC, True, True),
        ("province_manager", "province", HANOI, False, False),  # another province
        ("province_manager", "ward", HOAN_KIEM, False, False),
        ("hanoi_manager", "point", "{point}", False, False),
        ("analyst", "province", HANOI, True, True),
        ("administrator", "ward", "99999", False, False),  # no such ward
        ("administrator", "province", "98", False, False),
        ("administrator", "point", "999999", False, False),
        ("administrator", "point", "9" * 30, False, False),  # longer than any SQLite integer
        ("administrator", "point", "abc", False, False),
        ("administrator", "point", "²", False, False),  # a digit to str.isdigit(), not to int()
    ],
)
def test_can_see_and_touches_a_unit(db, world, role, kind, code, seen, touched):
    code = code.format(point=world["point"]["id"], other_point=world["other_point"]["id"])
    who = world["users"][role]
    assert access.can_see(db, who, kind, code) is seen
    assert access.touches(db, who, kind, code) is touched


def test_the_role_names_accounts_store_are_the_policys():
    from survey import accounts

    assert accounts.ROLES == access.ROLES
    assert accounts.ADMINISTRATOR == access.ADMINISTRATOR


def _jpeg() -> bytes:
    """Return a small JPEG picture."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, "JPEG")
    return out.getvalue()


@pytest.mark.parametrize(("role", "status"), [("ward_staff", 200), ("other_ward", 404)])
def test_ward_staff_see_their_own_wards_note_photos_only(app, db, world, role, status):
    """A note row carries ward_code, not code: the photo check once failed (500) for ward staff."""
    note = notes.write(
        db, None, BEN_THANH, "d5", "Không có ghế", "Thêm ghế", date(2026, 3, 3), "Một cửa", _jpeg()
    )
    response = client_as(app, world, role).get(f"/staff/notes/{note['id']}/photo.jpg")
    assert response.status_code == status
    if status == 200:
        assert response.mimetype == "image/jpeg" and response.data[:2] == b"\xff\xd8"

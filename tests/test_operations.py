"""Every write is one operation ``op(db, actor, ...)``: access checked, one transaction with its
audit row, the fresh row back or a coded error. These tests use no Flask app.
"""

import io
import json
from datetime import date

import pytest

from survey import (
    accounts,
    audit,
    baselines,
    importer,
    margins,
    migrations,
    notes,
    point_import,
    points,
    responses,
    retention,
    reviews,
    targets,
)
from survey.db import connect
from survey.domain_errors import DomainError, Refused
from survey.paper import store
from survey.questionnaire import latest
from tests.factories import (
    BEN_THANH,
    HANOI,
    HCMC,
    HOAN_KIEM,
    MATRIX_RESPONSE_ID,
    SAI_GON,
    make_flagged_response,
    make_units,
    make_user,
)

CORE = latest("papi-pulse-core")
TARGETS = f"province_code,year,dimension,target\n{HCMC},2026,total,45.5\n".encode()

MARGINS = (
    "unit_code,variable,category,population\n"
    f"{SAI_GON},sex,nam,480\n{SAI_GON},sex,nu,520\n"
    f"{SAI_GON},age_band,18_29,300\n{SAI_GON},age_band,30_44,300\n"
    f"{SAI_GON},age_band,45_59,250\n{SAI_GON},age_band,60_plus,150\n"
).encode()
BASELINES = (
    "year,legacy_province,province_2025,d1_participation,d2_transparency,"
    "d3_accountability,d4_corruption_control,d5_admin_procedures,d6_public_services,"
    "d7_environment,d8_e_governance,total,source_note\n"
    "2023,Quảng Ninh,,5,5,5,5,5,5,5,5,40,x\n"
).encode()
CSV = f"ward_code,name\n{BEN_THANH},Bưu điện phường\n{SAI_GON},Nhà văn hóa\n".encode()


@pytest.fixture
def db(tmp_path):
    """Return a migrated database with two provinces and three wards, opened without Flask."""
    handle = connect(str(tmp_path / "ops.sqlite3"))
    migrations.apply(handle)
    make_units(handle)
    yield handle
    handle.close()


@pytest.fixture
def people(db):
    """One account per role that matters here."""
    return {
        "admin": make_user(db, "admin", "administrator"),
        "manager": make_user(db, "manager", "province_manager", [HCMC]),
        "ward": make_user(db, "ward.staff", "ward_staff", [BEN_THANH]),
        "analyst": make_user(db, "analyst", "analyst"),
    }


def audit_rows(db):
    return db.execute(
        "SELECT username, action, object_type, object_id, detail FROM audit_log"
    ).fetchall()


def count(db, table):
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


@pytest.fixture
def failing_audit(monkeypatch):
    """Make the audit row's write succeed, then the operation fail right after it."""
    real = audit.record

    def record_then_fail(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("the disk went away after the audit row")

    monkeypatch.setattr(audit, "record", record_then_fail)


def _point(db, people):
    """Create the point the operations change, with one flagged answer for the review."""
    point = points.create(db, people["admin"], BEN_THANH, "Một cửa")
    make_flagged_response(db, point)
    return point


# (name, operation on (db, people, point)) of every point and account write
OPERATIONS = {
    "create_user": lambda db, p, pt: accounts.create(
        db, p["admin"], "lan", "long enough pw", "analyst"
    ),
    "update_user": lambda db, p, pt: accounts.update(
        db, p["admin"], p["ward"]["id"], "analyst", "", True
    ),
    "change_password": lambda db, p, pt: accounts.change_password(
        db, p["ward"], "correct horse battery", "a new long password"
    ),
    "login": lambda db, p, pt: accounts.record_login(
        db, p["ward"], accounts.throttle_keys("w", "c", "s")
    ),
    "create_point": lambda db, p, pt: points.create(db, p["ward"], BEN_THANH, "Bưu điện"),
    "update_point": lambda db, p, pt: points.update(
        db, p["ward"], pt["id"], "Tên mới", "reception"
    ),
    "rotate": lambda db, p, pt: points.rotate(db, p["ward"], pt["id"]),
    "retire": lambda db, p, pt: points.set_state(db, p["ward"], pt["id"], False),
    "import": lambda db, p, pt: point_import.import_file(db, p["manager"], CSV),
    "margins": lambda db, p, pt: margins.upload(db, p["analyst"], MARGINS, "m.csv"),
    "baselines": lambda db, p, pt: baselines.upload(db, p["admin"], BASELINES, "b.csv"),
    "targets": lambda db, p, pt: targets.load(db, p["manager"], TARGETS, "t.csv"),
    "review": lambda db, p, pt: reviews.decide(
        db, p["ward"], MATRIX_RESPONSE_ID, "excluded", "twice"
    ),
    "print_forms": lambda db, p, pt: store.reserve(db, pt["id"], CORE, 2, False, p["ward"]),
    "enter_form": lambda db, p, pt: store.enter(db, 1, _paper_record(pt), p["ward"]),
    "write_note": lambda db, p, pt: notes.write(
        db, p["ward"], BEN_THANH, "d7", "Rác", "Thêm thùng rác", date(2026, 2, 1), "UBND"
    ),
}


def _paper_record(point, response_id="a" * 32):
    now = responses.now_iso()
    return {
        "id": response_id,
        "point_id": point["id"],
        "ward_code": point["ward_code"],
        "province_code": point["province_code"],
        "questionnaire_id": CORE.id,
        "questionnaire_version": CORE.version,
        "modules": [m.id for m in CORE.core_modules],
        "answers": {},
        "locale": "vi",
        "started_at": now,
        "submitted_at": now,
    }


def _snapshot(db):
    return (
        db.execute("SELECT * FROM points ORDER BY id").fetchall(),
        db.execute(
            "SELECT id, username, role, password_hash, active FROM users ORDER BY id"
        ).fetchall(),
        db.execute("SELECT * FROM user_scopes ORDER BY user_id, unit_code").fetchall(),
        db.execute("SELECT * FROM retired_tokens").fetchall(),
        db.execute("SELECT * FROM margin_sets").fetchall(),
        db.execute("SELECT * FROM margins").fetchall(),
        db.execute("SELECT * FROM baselines").fetchall(),
        db.execute("SELECT * FROM plan_targets").fetchall(),
        db.execute("SELECT * FROM target_sets").fetchall(),
        db.execute("SELECT id, review_status, reviewed_by FROM responses ORDER BY id").fetchall(),
        db.execute("SELECT * FROM paper_forms").fetchall(),
        db.execute("SELECT id, status FROM ward_notes").fetchall(),
        audit_rows(db),
    )


@pytest.mark.parametrize("name", OPERATIONS)
def test_each_operation_writes_its_audit_row(db, people, name):
    point = _point(db, people)
    before = count(db, "audit_log")
    OPERATIONS[name](db, people, point)
    assert count(db, "audit_log") > before


@pytest.mark.parametrize("name", OPERATIONS)
def test_a_failure_after_the_write_stores_neither_the_change_nor_its_audit_row(
    db, people, name, request
):
    point = _point(db, people)
    before = _snapshot(db)
    request.getfixturevalue("failing_audit")
    with pytest.raises(RuntimeError):
        OPERATIONS[name](db, people, point)
    assert not db.conn.in_transaction
    assert _snapshot(db) == before


def test_create_user_returns_the_fresh_row_and_audits_it(db, people):
    user = accounts.create(
        db, people["admin"], "Lan.Nguyen", "long enough pw", "ward_staff", "Lan", [BEN_THANH]
    )
    assert user == accounts.get_user(db, user["id"])
    assert user["scopes"] == [BEN_THANH]
    assert audit_rows(db)[-1][:4] == ("admin", "create", "user", str(user["id"]))
    assert json.loads(audit_rows(db)[-1][4]) == {
        "username": "lan.nguyen",
        "role": "ward_staff",
        "scopes": [BEN_THANH],
    }


@pytest.mark.parametrize("role", ["manager", "ward", "analyst"])
def test_only_an_administrator_creates_or_changes_accounts(db, people, role):
    with pytest.raises(Refused) as refused:
        accounts.create(db, people[role], "lan", "long enough pw", "analyst")
    assert refused.value.code == "not_allowed"
    with pytest.raises(Refused):
        accounts.update(db, people[role], people["ward"]["id"], "administrator", "", True)
    assert accounts.find_user(db, "lan") is None
    assert accounts.get_user(db, people["ward"]["id"])["role"] == "ward_staff"
    assert audit_rows(db) == []


def test_an_administrator_cannot_remove_their_own_access(db, people):
    me = people["admin"]
    for role, active in (("analyst", True), ("administrator", False)):
        with pytest.raises(accounts.AccountError) as error:
            accounts.update(db, me, me["id"], role, "", active)
        assert error.value.code == "own_access"
    assert accounts.get_user(db, me["id"])["role"] == "administrator"


def test_update_user_records_what_changed_and_a_password_reset(db, people):
    changed = accounts.update(
        db,
        people["admin"],
        people["ward"]["id"],
        "ward_staff",
        "Bình",
        True,
        [SAI_GON],
        "another password",
    )
    assert changed["scopes"] == [SAI_GON]
    assert accounts.authenticate(db, "ward.staff", "another password")
    assert json.loads(audit_rows(db)[-1][4]) == {
        "display_name": ["", "Bình"],
        "scopes": [[BEN_THANH], [SAI_GON]],
        "password_reset": True,
    }


def test_change_password_wants_the_current_one(db, people):
    with pytest.raises(accounts.AccountError) as error:
        accounts.change_password(db, people["ward"], "not my password", "a new long password")
    assert error.value.code == "wrong_password"
    assert audit_rows(db) == []
    changed = accounts.change_password(
        db, people["ward"], "correct horse battery", "a new long password"
    )
    assert accounts.session_version(changed) != accounts.session_version(people["ward"])
    assert audit_rows(db)[-1][:2] == ("ward.staff", "change_password")


@pytest.mark.parametrize(
    ("role", "ward"),
    [("ward", SAI_GON), ("manager", HOAN_KIEM), ("analyst", BEN_THANH)],
)
def test_a_point_outside_the_actors_area_or_role_is_refused(db, people, role, ward):
    with pytest.raises(Refused) as refused:
        points.create(db, people[role], ward, "Một cửa")
    assert refused.value.code == "not_allowed"
    assert count(db, "points") == 0 and audit_rows(db) == []


@pytest.mark.parametrize(
    "change",
    [
        lambda db, actor, pid: points.rotate(db, actor, pid),
        lambda db, actor, pid: points.set_state(db, actor, pid, False),
        lambda db, actor, pid: points.update(db, actor, pid, "Tên khác", "reception"),
    ],
)
def test_changing_a_point_of_another_ward_is_refused(db, people, change):
    other = points.create(db, None, SAI_GON, "Nhà văn hóa")
    before = _snapshot(db)
    for role in ("ward", "analyst"):
        with pytest.raises(Refused):
            change(db, people[role], other["id"])
    assert _snapshot(db) == before


def test_point_errors_carry_a_code(db, people):
    for args, code in (
        ((BEN_THANH, ""), "name_required"),
        (("99999", "Một cửa"), "unknown_ward"),
        ((BEN_THANH, "x" * 121), "too_long"),
    ):
        with pytest.raises(points.PointError) as error:
            points.create(db, people["admin"], *args)
        assert isinstance(error.value, DomainError) and error.value.code == code
    with pytest.raises(points.PointError) as error:
        points.rotate(db, people["admin"], 12345)
    assert error.value.code == "unknown_point"


def test_update_point_returns_the_fresh_row_and_the_differences(db, people):
    point = _point(db, people)
    changed = points.update(db, people["ward"], point["id"], "  Bưu điện ", "reception", "Số 3")
    assert changed == points.get_point(db, point["id"])
    assert (changed["name"], changed["kind"], changed["address"]) == (
        "Bưu điện",
        "reception",
        "Số 3",
    )
    assert json.loads(audit_rows(db)[-1][4]) == {
        "name": ["Một cửa", "Bưu điện"],
        "kind": ["one_stop", "reception"],
        "address": ["", "Số 3"],
    }


def test_import_creates_each_point_through_the_create_operation(db, people, monkeypatch):
    calls = []
    real = points.create

    def spy(*args, **kwargs):
        calls.append(kwargs.get("via"))
        return real(*args, **kwargs)

    monkeypatch.setattr(points, "create", spy)
    created = point_import.import_file(db, people["manager"], CSV)
    assert calls == ["csv", "csv"] and len(created) == 2
    assert [json.loads(row[4])["via"] for row in audit_rows(db)] == ["csv", "csv"]


@pytest.mark.parametrize("role", ["ward", "analyst"])
def test_import_by_a_role_without_files_is_refused(db, people, role):
    with pytest.raises(Refused):
        point_import.import_file(db, people[role], CSV)
    assert count(db, "points") == 0


def test_import_outside_the_area_is_refused_even_when_the_caller_allows_it(db, people):
    data = f"ward_code,name\n{BEN_THANH},Một cửa\n{HOAN_KIEM},Tiếp dân\n".encode()
    with pytest.raises(Refused):
        point_import.import_file(db, people["manager"], data, allowed_wards={BEN_THANH, HOAN_KIEM})
    assert count(db, "points") == 0 and audit_rows(db) == []
    with pytest.raises(point_import.ImportRefused) as refused:
        point_import.import_file(db, people["manager"], data, allowed_wards={BEN_THANH, SAI_GON})
    assert [line["reason"] for line in refused.value.report.rejected] == ["out_of_scope"]


def test_margins_upload_returns_the_set_in_force_and_audits_it(db, people):
    loaded = margins.upload(db, people["analyst"], MARGINS, "m.csv")
    assert loaded == margins.current_set(db)
    assert (loaded["loaded_by"], loaded["row_count"]) == ("analyst", 6)
    username, action, kind, object_id, detail = audit_rows(db)[-1]
    assert (username, action, kind, object_id) == (
        "analyst",
        "load_margins",
        "margins",
        str(loaded["id"]),
    )
    assert json.loads(detail) == {"filename": "m.csv", "sha256": loaded["sha256"], "rows": 6}


def test_baselines_upload_audits_the_file(db, people):
    assert baselines.upload(db, None, BASELINES, "b.csv") == 9
    username, action, kind, object_id, detail = audit_rows(db)[-1]
    assert (username, action, kind, object_id) == ("(cli)", "load_baselines", "baselines", "b.csv")
    assert json.loads(detail) == {"filename": "b.csv", "values": 9, "years": [2023]}


@pytest.mark.parametrize("role", ["manager", "ward"])
def test_margins_and_baselines_uploads_by_other_roles_are_refused(db, people, role):
    with pytest.raises(Refused):
        margins.upload(db, people[role], MARGINS, "m.csv")
    with pytest.raises(Refused):
        baselines.upload(db, people[role], BASELINES, "b.csv")
    assert count(db, "margin_sets") == 0 and count(db, "baselines") == 0 and audit_rows(db) == []


def test_a_refused_file_is_a_coded_error(db, people):
    with pytest.raises(margins.MarginError) as error:
        margins.upload(db, people["analyst"], b"not,a,margins,file\n", "m.csv")
    assert error.value.code == "bad_file" and "unit_code" in str(error.value)
    with pytest.raises(baselines.BaselineError) as error:
        baselines.upload(db, None, BASELINES.replace(b"2023", b"20x3"), "b.csv")
    assert error.value.code == "bad_file" and "is not a year" in str(error.value)
    assert audit_rows(db) == []


def test_a_review_outside_the_area_or_role_is_refused(db, people):
    _point(db, people)
    other = make_user(db, "other.ward", "ward_staff", [SAI_GON])
    for actor in (other, people["analyst"], make_user(db, "hanoi", "province_manager", [HANOI])):
        with pytest.raises(Refused):
            reviews.decide(db, actor, MATRIX_RESPONSE_ID, "excluded", "twice")
    assert reviews.get_for_review(db, MATRIX_RESPONSE_ID)["reviewed_at"] is None
    assert [row[1] for row in audit_rows(db)] == ["create"]


def test_review_errors_carry_a_code(db, people):
    _point(db, people)
    for args, code in (
        ((MATRIX_RESPONSE_ID, "maybe", "x"), "bad_decision"),
        ((MATRIX_RESPONSE_ID, "excluded", "  "), "bad_reason"),
        (("f" * 32, "excluded", "twice"), "unknown_response"),
    ):
        with pytest.raises(reviews.ReviewError) as error:
            reviews.decide(db, people["ward"], *args)
        assert error.value.code == code
    row = reviews.decide(db, people["manager"], MATRIX_RESPONSE_ID, "excluded", "twice")
    assert (row["review_status"], row["reviewed_by"]) == ("excluded", "manager")


def test_targets_hold_a_province_manager_to_their_provinces(db, people):
    data = f"province_code,year,dimension,target\n{HANOI},2026,D1,6\n".encode()
    with pytest.raises(targets.TargetError) as error:
        targets.load(db, people["manager"], data, "t.csv", provinces=None)
    assert [problem.code for problem in error.value.problems] == ["scope"]
    for role in ("ward", "admin"):
        if role == "ward":
            with pytest.raises(Refused):
                targets.load(db, people[role], data, "t.csv")
        else:
            assert targets.load(db, people[role], data, "t.csv")["rows"] == 1
    assert [row[:2] for row in audit_rows(db)] == [("admin", "load_targets")]


def test_paper_forms_of_another_ward_are_refused(db, people):
    other = points.create(db, None, SAI_GON, "Nhà văn hóa")
    before = _snapshot(db)
    for actor in (people["ward"], people["analyst"]):
        with pytest.raises(Refused):
            store.reserve(db, other["id"], CORE, 1, False, actor)
        with pytest.raises(Refused):
            store.enter(db, 1, _paper_record(other), actor)
    assert _snapshot(db) == before
    with pytest.raises(points.PointError) as error:
        store.reserve(db, 999, CORE, 1, False, None)
    assert error.value.code == "unknown_point"
    with pytest.raises(DomainError) as error:
        store.reserve(db, other["id"], CORE, store.MAX_COPIES + 1, False, None)
    assert error.value.code == "bad_copies"


def test_an_entered_form_number_is_a_coded_error(db, people):
    point = _point(db, people)
    store.enter(db, 1, _paper_record(point), people["ward"])
    with pytest.raises(store.FormTaken) as error:
        store.enter(db, 1, _paper_record(point, "b" * 32), people["ward"])
    assert error.value.code == "form_taken" and error.value.number == 1


def test_only_an_administrator_imports_answers(db, people):
    for role in ("manager", "ward", "analyst"):
        with pytest.raises(Refused):
            importer.import_responses(db, io.BytesIO(b"id\n"), "a.csv", people[role])
    with pytest.raises(importer.ImportFailed) as error:
        importer.import_responses(db, io.BytesIO(b""), "a.csv", people["admin"])
    assert error.value.code == "bad_file" and "empty" in str(error.value)


def test_note_and_retention_errors_carry_a_code(db, people):
    with pytest.raises(notes.NoteError) as error:
        notes.decide(db, people["admin"], 999, "approved")
    assert isinstance(error.value, DomainError) and error.value.code == "unknown_note"
    with pytest.raises(DomainError) as error:
        retention.apply(db, 0)
    assert error.value.code == "bad_months"

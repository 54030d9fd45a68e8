"""Test data factories: one function per thing a test stores (place, point, user, response...).

Every factory takes ``db`` first, has defaults for everything and takes overrides, and returns
what it stored. Factories write rows directly, exactly as given: a test of what the app does to
its input (masking, validation, hashing) calls the app's own function instead.

Accounts are inserted with a password hash computed once, because scrypt takes a noticeable
fraction of a second and the role x route matrix signs in hundreds of times.
"""

import itertools
import json
import random
import uuid

from survey import accounts, exports, points, units
from survey.demo_data import synthetic_answers
from survey.estimation import stored
from survey.estimation.spec import spec_for
from survey.questionnaire import catalogue

PASSWORD = "correct horse battery"
PASSWORD_HASH = accounts.hash_password(PASSWORD)
HCMC, HANOI = "79", "01"
BEN_THANH, SAI_GON, HOAN_KIEM = "26743", "26734", "00070"
PROVINCES = {HCMC: "Thành phố Hồ Chí Minh", HANOI: "Thành phố Hà Nội"}
# The small world's wards: code -> (province, name).
WARDS = {
    BEN_THANH: (HCMC, "Phường Bến Thành"),
    SAI_GON: (HCMC, "Phường Sài Gòn"),
    HOAN_KIEM: (HANOI, "Phường Hoàn Kiếm"),
}
SECRET_POINT = "Điểm Bến Thành bí mật"
OTHER_POINT = "Điểm Sài Gòn khác"
# The flagged response of the role x route matrix (at the Bến Thành point).
MATRIX_RESPONSE_ID = "feedfacefeedfacefeedfacefeedface"
# Answers of a full core response of version 1, one of each kind of cell.
BASE_ANSWERS = {
    "sex": "nu",
    "age_band": "30_44",
    "lives_here": "yes",
    "services_used": ["land_certificate", "certification"],  # stored out of option order
    "came_for_procedure": "yes",
    "sipas_access": "4",
    "sipas_procedure": "2",
    "sipas_staff": "5",
    "sipas_result": "dont_know",
    "sipas_feedback": "3",
    "sipas_unofficial_payment": "refused",
    "certification_quality": ["fees_posted", "on_time"],
    "land_certificate_quality": ["on_time"],
    "land_extra_payment": "yes",
    "land_extra_amount": 500000,
    "pressing_issue": "=1+1 Đường ngập nước, “rất” khó đi",
}
MODULES = ["core", "procedures", "environment", "closing"]
# The columns of a flagged response, as the review queue shows them.
FLAGGED = {
    "modules": ["core", "environment", "transparency", "closing"],
    "answers": {
        "sex": "nu",
        "age_band": "30_44",
        "lives_here": "yes",
        "pressing_issue": "Đường ngập khi mưa, gọi [số điện thoại].",
    },
    "started_at": "2026-02-01T02:00:00+00:00",
    "submitted_at": "2026-02-01T02:01:00+00:00",
    "duration_seconds": 60,
    "flags": ["too_fast", "pii_masked"],
}
# Usernames made unique by a counter, not the clock: two calls can share a clock reading.
_SERIAL = itertools.count(1)
# Eight answer sheets that every respondent of make_responses copies in turn: the figures vary
# a little (so that intervals exist) but stay precise enough to be shown.
_SHEETS = 8


def make_province(db, code: str = HCMC, name: str | None = None, kind: str = "") -> str:
    """Insert a province unless it is there; return its code."""
    name = name or PROVINCES.get(code, f"Tỉnh {code}")
    kind = kind or ("thành phố trung ương" if name.startswith("Thành phố") else "tỉnh")
    db.execute(
        "INSERT OR IGNORE INTO provinces (code, name, name_ascii, kind) VALUES (?, ?, ?, ?)",
        [code, name, units.fold(name), kind],
    )
    return code


def make_ward(
    db, code: str = SAI_GON, province: str | None = None, name: str | None = None, **columns
) -> str:
    """Insert a ward (and its province) unless it is there; return its code.

    The small world's wards get their names; other columns (``population``) may be given.
    """
    known_province, known_name = WARDS.get(code, (HCMC, f"Phường {code}"))
    name = name or known_name
    row = {
        "code": code,
        "province_code": make_province(db, province or known_province),
        "name": name,
        "name_ascii": units.fold(name),
        "kind": "phường",
    } | columns
    marks = ", ".join("?" for _ in row)
    sql = f"INSERT OR IGNORE INTO wards ({', '.join(row)}) VALUES ({marks})"
    db.execute(sql, list(row.values()))
    return code


def make_units(db) -> None:
    """Insert the small world's two provinces and three wards (fast to set up)."""
    with db.atomic():
        for code in WARDS:
            make_ward(db, code)


def make_wards(db, province: str = HCMC, wards=(SAI_GON,), populations=None) -> None:
    """Insert wards of a province (populations None unless given), each with one point."""
    for i, code in enumerate(wards):
        with db.atomic():
            make_ward(db, code, province, population=populations[i] if populations else None)
        make_point(db, code, "UBND", "office")


def load_units(db) -> None:
    """Load every real province and ward once (for tests that need the whole country)."""
    if not db.execute("SELECT count(*) FROM wards").fetchone()[0]:
        units.load_units(db)


def make_point(
    db, ward_code: str = SAI_GON, name: str = "Bộ phận Một cửa", kind: str = "one_stop", **kw
) -> dict:
    """Create an active point in a ward (made if it is missing); return the point."""
    with db.atomic():
        make_ward(db, ward_code)
    return points.create_point(db, ward_code, name, kind, kw.get("address", ""))


def make_user(
    db, username: str | None = None, role: str = "analyst", scopes=(), active: bool = True
) -> dict:
    """Insert an account with the shared test password (scopes: unit codes) and return it."""
    username = username or f"{role.replace('_', '')}{len(scopes)}n{next(_SERIAL)}"
    with db.atomic():
        cursor = db.execute(
            "INSERT INTO users (username, password_hash, role, active, created_at)"
            " VALUES (?, ?, ?, ?, '2025-01-01T00:00:00+00:00')",
            [username, PASSWORD_HASH, role, int(active)],
        )
        for code in scopes:
            db.execute(
                "INSERT INTO user_scopes (user_id, unit_code) VALUES (?, ?)",
                [cursor.lastrowid, code],
            )
    return accounts.get_user(db, cursor.lastrowid)


def make_world(db) -> dict:
    """Store the small world: points in two HCMC wards and one account per role."""
    make_units(db)
    users = {
        "other_ward": make_user(db, "other.ward", "ward_staff", [SAI_GON]),
        "ward_staff": make_user(db, "ward.staff", "ward_staff", [BEN_THANH]),
        "province_manager": make_user(db, "manager", "province_manager", [HCMC]),
        "analyst": make_user(db, "analyst", "analyst"),
        "administrator": make_user(db, "admin", "administrator"),
        "hanoi_manager": make_user(db, "hanoi", "province_manager", [HANOI]),
    }
    point = make_point(db, BEN_THANH, SECRET_POINT, "one_stop", address="Số 1 Lê Lợi")
    other = make_point(db, SAI_GON, OTHER_POINT, "reception")
    return {"users": users, "point": point, "other_point": other}


def response_record(db, point, number: int | None = None, **overrides) -> dict:
    """Return a finished response's record at a point, not stored (for the app's own writers).

    ``point`` is a point or a ward code (that ward's first point). With a ``number`` the id
    and the times come from it (stable across runs); without one the id is random.
    """
    if isinstance(point, str):
        first = next(db.query("SELECT id FROM points WHERE ward_code = ? LIMIT 1", [point]))
        point = points.get_point(db, first["id"])
    day = f"2026-02-{number % 27 + 1:02d}" if number is not None else "2026-02-10"
    return {
        "id": f"{number:032x}" if number is not None else uuid.uuid4().hex,
        "point_id": point["id"],
        "ward_code": point["ward_code"],
        "province_code": point["province_code"],
        "questionnaire_id": "papi-pulse-core",
        "questionnaire_version": 1,
        "modules": MODULES,
        "answers": dict(BASE_ANSWERS),
        "locale": "vi",
        "started_at": f"{day}T01:00:00+00:00",
        "submitted_at": f"{day}T01:05:{(number or 0) % 60:02d}+00:00",
        "duration_seconds": 300 + (number or 0),
        "flags": [],
        "source": "web",
        "mode": "web",
        "review_status": "included",
    } | overrides


def make_response(db, point, number: int | None = None, **overrides) -> dict:
    """Store a finished response at a point exactly as given (no masking); return its record.

    Takes what ``response_record`` takes; any column can be overridden, ``review_status`` and
    ``mode`` included. JSON columns, the export's cells and the engine's decoded form are
    written as the app writes them.
    """
    record = response_record(db, point, number, **overrides)
    row = dict(record)
    row["modules"] = json.dumps(record["modules"])
    row["answers"] = json.dumps(record["answers"], ensure_ascii=False, sort_keys=True)
    row["flags"] = json.dumps(sorted(record["flags"]))
    try:
        questionnaire = catalogue.get(record["questionnaire_id"], record["questionnaire_version"])
    except KeyError:  # a test's own questionnaire: the export decodes the answers instead
        questionnaire = None
    if questionnaire is not None and "cells" not in overrides:
        writer = exports.cell_writer(questionnaire)
        row["cells"], row["cells_key"] = writer(row["answers"]), writer.key
    if questionnaire is not None and "decoded" not in overrides:
        spec = spec_for(questionnaire)
        row["decoded"], row["decoded_key"] = (
            stored.form(spec, row["answers"]),
            stored.decoded_key(spec),
        )
    marks = ", ".join("?" for _ in row)
    with db.atomic():
        db.execute(f"INSERT INTO responses ({', '.join(row)}) VALUES ({marks})", list(row.values()))
    return record


def make_flagged_response(
    db, point: dict, response_id: str = MATRIX_RESPONSE_ID, **overrides
) -> dict:
    """Store a core response with flags (the review queue's kind) and return its record."""
    return make_response(db, point, **(FLAGGED | {"id": response_id} | overrides))


def make_responses(db, point: dict, count: int, day: str = "2026-02-10", seed: int = 7) -> None:
    """Store count full responses to the current core questionnaire at the point on a day."""
    questionnaire = catalogue.current_questionnaire("papi-pulse-core")
    modules = [module.id for module in questionnaire.modules]
    sheets = [
        synthetic_answers(questionnaire, modules, random.Random(seed + i)) for i in range(_SHEETS)
    ]
    for i in range(count):
        make_response(
            db,
            point,
            questionnaire_id=questionnaire.id,
            questionnaire_version=questionnaire.version,
            modules=modules,
            answers=sheets[i % _SHEETS],
            started_at=f"{day}T05:00:00+00:00",
            submitted_at=f"{day}T05:05:00+00:00",
            duration_seconds=300,
        )


def make_export_places(db) -> dict:
    """Load the real units and create points in two HCMC wards and one Hà Nội ward."""
    load_units(db)
    hcmc = [
        r["code"] for r in db.query("SELECT code FROM wards WHERE province_code = '79' LIMIT 2")
    ]
    hanoi = next(db.query("SELECT code FROM wards WHERE province_code = '01' LIMIT 1"))["code"]
    return {
        "a": make_point(db, hcmc[0], "Bộ phận một cửa", "one_stop"),
        "b": make_point(db, hcmc[1], "Nhà văn hóa khu phố 3", "community_hall"),
        "c": make_point(db, hanoi, "Tiếp dân", "reception"),
    }


def make_varied_responses(db, places: dict) -> list[dict]:
    """Store responses covering every kind of cell: special codes, missing, text, numbers."""
    made = [make_response(db, places["a"], 1)]
    answers = dict(
        BASE_ANSWERS,
        pressing_issue='- Thiếu chỗ gửi xe\nở trụ sở; "gấp"',
        land_extra_amount="refused",
        services_used=["none"],
        sex="refused",
    )
    for key in ("certification_quality", "land_certificate_quality", "land_extra_payment"):
        answers.pop(key)
    answers.pop("land_extra_amount")
    made.append(make_response(db, places["a"], 2, answers=answers, locale="en"))
    minimal = {k: BASE_ANSWERS[k] for k in ("sex", "age_band", "lives_here")}
    minimal |= {"services_used": ["other_procedure"], "came_for_procedure": "no"}
    made.append(make_response(db, places["b"], 3, answers=minimal, flags=["too_fast"]))
    made.append(make_response(db, places["c"], 4, submitted_at="2026-04-01T03:00:00+00:00"))
    made.append(
        make_response(db, places["b"], 5, answers=dict(BASE_ANSWERS, pressing_issue="@cmd"))
    )
    db.execute("UPDATE responses SET review_status = 'excluded' WHERE id = ?", [f"{5:032x}"])
    return made


def make_margins(db, per_ward: dict) -> int:
    """Store a margin set directly: {ward: {variable: {category: population}}}; return its id."""
    with db.atomic():
        set_id = db.execute(
            "INSERT INTO margin_sets (loaded_at, loaded_by, filename, sha256, row_count)"
            " VALUES ('2026-01-01T00:00:00+00:00', 'test', 'm.csv', 'x', 0)"
        ).lastrowid
        for ward, variables in per_ward.items():
            for variable, cats in variables.items():
                for category, pop in cats.items():
                    db.execute(
                        "INSERT INTO margins VALUES (?, ?, ?, ?, ?)",
                        [set_id, ward, variable, category, pop],
                    )
    return set_id

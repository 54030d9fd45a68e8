"""Factories for export, import and download tests: places, points and varied responses."""

from survey import points, responses, units

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


def setup_places(db) -> dict:
    """Load the units and create points in two wards of one province and one of another."""
    units.load_units(db)
    hcmc = [
        r["code"] for r in db.query("SELECT code FROM wards WHERE province_code = '79' LIMIT 2")
    ]
    hanoi = next(db.query("SELECT code FROM wards WHERE province_code = '01' LIMIT 1"))["code"]
    made = {
        "a": points.create_point(db, hcmc[0], "Bộ phận một cửa", "one_stop"),
        "b": points.create_point(db, hcmc[1], "Nhà văn hóa khu phố 3", "community_hall"),
        "c": points.create_point(db, hanoi, "Tiếp dân", "reception"),
    }
    return made


def make_response(db, point: dict, number: int, **overrides) -> dict:
    """Store a response at a point (id and times from `number`) and return its record."""
    record = {
        "id": f"{number:032x}",
        "point_id": point["id"],
        "ward_code": point["ward_code"],
        "province_code": point["province_code"],
        "questionnaire_id": "papi-pulse-core",
        "questionnaire_version": 1,
        "modules": MODULES,
        "answers": dict(BASE_ANSWERS),
        "locale": "vi",
        "started_at": f"2026-02-{number % 27 + 1:02d}T01:00:00+00:00",
        "submitted_at": f"2026-02-{number % 27 + 1:02d}T01:05:{number % 60:02d}+00:00",
        "duration_seconds": 300 + number,
    }
    record.update(overrides)
    assert responses.store_response(db, record)
    return record


def varied_responses(db, places: dict) -> list[dict]:
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

"""Review test helpers: store a finished response with flags straight into the database."""

from survey import responses

# The flagged response of the role x route matrix (at the Bến Thành point).
MATRIX_RESPONSE_ID = "feedfacefeedfacefeedfacefeedface"


def store_flagged(db, point: dict, response_id: str = MATRIX_RESPONSE_ID, **overrides) -> dict:
    """Store one core-questionnaire response with flags at the point; return the record."""
    record = {
        "id": response_id,
        "point_id": point["id"],
        "ward_code": point["ward_code"],
        "province_code": point["province_code"],
        "questionnaire_id": "papi-pulse-core",
        "questionnaire_version": 1,
        "modules": ["environment", "transparency"],
        "answers": {
            "sex": "nu",
            "age_band": "30_44",
            "lives_here": "yes",
            "pressing_issue": "Đường ngập khi mưa, gọi [số điện thoại].",
        },
        "locale": "vi",
        "started_at": "2026-02-01T02:00:00+00:00",
        "submitted_at": "2026-02-01T02:01:00+00:00",
        "duration_seconds": 60,
        "flags": ["too_fast", "pii_masked"],
    } | overrides
    responses.store_response(db, record)
    return record

"""Public results test helpers: answers in a quarter, and a publication made from them."""

import random
import uuid

from survey import responses
from survey.demo_data import synthetic_answers
from survey.questionnaire import catalogue

# Eight answer sheets that every respondent copies in turn: the figures vary a little (so
# that intervals exist) but stay precise enough to be shown.
_SHEETS = 8


def store_answers(db, point: dict, count: int, day: str = "2026-02-10", seed: int = 7) -> None:
    """Store count full core responses at the point on the given day (UTC midday)."""
    questionnaire = catalogue.get("papi-pulse-core", 1)
    modules = [module.id for module in questionnaire.modules]
    sheets = [
        synthetic_answers(questionnaire, modules, random.Random(seed + i)) for i in range(_SHEETS)
    ]
    for i in range(count):
        responses.store_response(
            db,
            {
                "id": uuid.uuid4().hex,
                "point_id": point["id"],
                "ward_code": point["ward_code"],
                "province_code": point["province_code"],
                "questionnaire_id": questionnaire.id,
                "questionnaire_version": questionnaire.version,
                "modules": modules,
                "answers": sheets[i % _SHEETS],
                "locale": "vi",
                "started_at": f"{day}T05:00:00+00:00",
                "submitted_at": f"{day}T05:05:00+00:00",
                "duration_seconds": 300,
            },
        )

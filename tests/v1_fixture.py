"""A fixed set of v1 responses whose exports are frozen in tests/fixtures/v1_export/.

Seeded, so the same responses every run: every item type, special answers, skipped
follow-ups, non-residents and sub-dimensions with only some of their indicators answered
(the cases where v2's scoring rules differ from v1's).
"""

import random

from survey.questionnaire import get
from survey.questionnaire.logic import prune
from tests.factories import make_export_places, make_response

FOLDER = "tests/fixtures/v1_export"
PERIOD = "2026-Q1"


def _answer(item, rng):
    """Return a random answer to one item, special codes included."""
    if item.type == "text":
        return rng.choice(["", "Đường ngập nước", "Cần thêm chỗ gửi xe"])
    if item.type == "integer":
        return rng.choice([0, 200, 500, 1500, "refused"]) if item.special else rng.choice([0, 50])
    codes = list(item.all_codes())
    if item.type == "multiple":
        plain = [o.code for o in item.options if not o.exclusive]
        none = [o.code for o in item.options if o.exclusive]
        if none and rng.random() < 0.2:
            return none
        return sorted(rng.sample(plain, rng.randint(1, len(plain))))
    return rng.choice(codes)


def stock(db, version=1, count=60, months=(1, 2, 3), places=None, fixed=None) -> dict:
    """Store fixed responses to a version in three wards of two provinces; return the places."""
    q = get("papi-pulse-core", version)
    places = places or make_export_places(db)
    rng = random.Random(20260214 if version == 1 else 20260214 + version)
    rotating = [m.id for m in q.rotating_modules]
    for number in range(1, count + 1):
        modules = ["core", *sorted(rng.sample(rotating, 2)), "closing"]
        answers = {
            item.id: _answer(item, rng)
            for module in q.modules
            if module.id in modules
            for item in module.items
        }
        answers.update(fixed or {})
        answers = {k: v for k, v in prune(q, answers).items() if v != ""}
        point = places["abc"[number % 3]]
        month = months[number % len(months)]
        make_response(
            db,
            point,
            number + 1000 * (version - 1),
            modules=modules,
            answers=answers,
            questionnaire_version=version,
            submitted_at=f"2026-{month:02d}-{number % 27 + 1:02d}T02:00:{number:02d}+00:00",
        )
    return places

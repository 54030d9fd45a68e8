"""A fixed set of v1 responses whose exports are frozen in tests/fixtures/v1_export/.

Seeded, so the same responses every run: every item type, special answers, skipped
follow-ups, non-residents and sub-dimensions with only some of their indicators answered
(the cases where v2's scoring rules differ from v1's).
"""

import random

from survey.questionnaire import get
from survey.questionnaire.logic import prune
from tests.exports_helpers import make_response, setup_places

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


def stock(db) -> None:
    """Store the fixed v1 responses in three wards of two provinces."""
    q = get("papi-pulse-core", 1)
    places = setup_places(db)
    rng = random.Random(20260214)
    rotating = [m.id for m in q.rotating_modules]
    for number in range(1, 61):
        modules = ["core", *sorted(rng.sample(rotating, 2)), "closing"]
        answers = {
            item.id: _answer(item, rng)
            for module in q.modules
            if module.id in modules
            for item in module.items
        }
        answers = {k: v for k, v in prune(q, answers).items() if v != ""}
        point = places["abc"[number % 3]]
        make_response(
            db,
            point,
            number,
            modules=modules,
            answers=answers,
            submitted_at=f"2026-0{number % 3 + 1}-{number % 27 + 1:02d}T02:00:{number:02d}+00:00",
        )

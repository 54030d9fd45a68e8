"""Plausible made-up responses and margins for the demo ward, so every page has data to show.

Demo responses carry ``source = 'demo'``: exports show it, and they are easy to delete.
"""

import random
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlite_utils import Database

from survey import margins, responses
from survey.questionnaire.decimals import stored
from survey.questionnaire.logic import visible_items
from survey.questionnaire.rotation import choose_modules, pages_for

# Rough adult population of an inner-city HCMC ward by sex and age band (demo only).
DEMO_MARGINS = {
    "sex": {"nam": 13_400, "nu": 14_600},
    "age_band": {"18_29": 6_800, "30_44": 8_400, "45_59": 6_900, "60_plus": 5_900},
}
DEMO_TEXTS = (
    "Đường ngập khi mưa lớn.",
    "Thủ tục đất đai còn chậm.",
    "Cần thêm chỗ gửi xe ở trụ sở phường.",
    "Rác thải chưa được thu gom đúng giờ.",
)


def random_answer(item, rng: random.Random):
    """Return a plausible answer to one item, or None to leave an optional one blank."""
    if item.special and rng.random() < 0.04:
        return rng.choice(item.special).code
    if item.type in ("yes_no", "single"):
        return rng.choice(item.options).code
    if item.type == "multiple":
        ordinary = [o.code for o in item.options if not o.exclusive]
        exclusive = [o.code for o in item.options if o.exclusive]
        if exclusive and rng.random() < 0.2:
            return [exclusive[0]]
        return sorted(
            rng.sample(ordinary, rng.randint(1, min(3, len(ordinary)))), key=ordinary.index
        )
    if item.type == "likert5":
        return str(rng.choices(range(1, 6), weights=(1, 2, 4, 6, 4))[0])
    if item.type == "rating10":
        return str(min(10, max(0, round(rng.gauss(6.5, 2)))))
    if item.type == "integer":
        low = item.min or 0
        return rng.randint(low, low + max(1, ((item.max or 100) - low) // 20))
    if item.type == "decimal":
        step = 10**item.decimals
        low, high = int(item.min * step), int(item.max * step)
        return stored(
            Decimal(rng.randint(low, low + max(1, (high - low) // 20))) / step, item.decimals
        )
    if item.type == "text":
        return rng.choice(DEMO_TEXTS) if rng.random() < 0.3 else None
    raise ValueError(item.type)


def synthetic_answers(questionnaire, modules, rng: random.Random) -> dict:
    """Answer every item a respondent with these modules would see, following skip logic."""
    answers: dict = {}
    for page in pages_for(questionnaire, modules):
        for item in visible_items(page, answers):
            value = random_answer(item, rng)
            if value is not None:
                answers[item.id] = value
    return answers


def add_demo_responses(
    db: Database, point: dict, questionnaire, wanted: int, seed: int = 2026
) -> int:
    """Top the point's demo responses up to wanted, spread over the last six months."""
    have = db.execute(
        "SELECT count(*) FROM responses WHERE point_id = ? AND source = 'demo'", [point["id"]]
    ).fetchone()[0]
    rng = random.Random(seed + have)
    now = datetime.now(UTC)
    counts: dict[str, int] = {}
    for _ in range(max(0, wanted - have)):
        modules = choose_modules(questionnaire, counts, rng)
        for module in modules:
            counts[module] = counts.get(module, 0) + 1
        duration = rng.randint(150, 420)
        submitted = now - timedelta(minutes=rng.randint(10, 180 * 24 * 60))
        responses.store_response(
            db,
            {
                "id": uuid.UUID(int=rng.getrandbits(128)).hex,
                "point_id": point["id"],
                "ward_code": point["ward_code"],
                "province_code": point["province_code"],
                "questionnaire_id": questionnaire.id,
                "questionnaire_version": questionnaire.version,
                "modules": modules,
                "answers": synthetic_answers(questionnaire, modules, rng),
                "locale": "vi" if rng.random() < 0.9 else "en",
                "started_at": (submitted - timedelta(seconds=duration)).isoformat(
                    timespec="seconds"
                ),
                "submitted_at": submitted.isoformat(timespec="seconds"),
                "duration_seconds": duration,
                "source": "demo",
            },
        )
    return max(0, wanted - have)


def ensure_demo_margins(db: Database, ward_code: str) -> bool:
    """Load demo margins for the ward unless a margin set is already in force."""
    if margins.current_set(db) is not None:
        return False
    lines = ["unit_code,variable,category,population"]
    for variable, categories in DEMO_MARGINS.items():
        lines += [f"{ward_code},{variable},{code},{count}" for code, count in categories.items()]
    margins.load(db, "\n".join(lines).encode() + b"\n", "demo-margins.csv", "demo")
    return True

"""What to fix first: a unit's weakest sub-dimensions and indicators, against PAPI's scores.

Pure functions of the engine's rows plus storage look-ups that take ``db`` first; no Flask.
Only estimates the engine shows (reliable) are ranked. To compare a part with its dimension's
official score, each is put on the dimension's 1-10 scale as "what the dimension would score if
all of it were like this part": a sub-dimension of a dimension with k sub-dimensions (scale 1/k
to 10/k) times k, an indicator (0 to 1) as 1 + 9 x score (survey.indicators builds dimensions
exactly so). The gap is the official score minus that value; the largest gap comes first.
The share who reported the problem is 1 - score for a yes/no indicator (score = share of the
good answer); a scored indicator has no such share.
"""

import json

from survey import indicators, privacy, responses
from survey.baselines import NATIONAL
from survey.estimation.spec import spec_for

# How many parts each list shows: enough for a meeting's agenda.
TOP = 5
# Free-text comments are shown only for a unit with at least this many answers (the engine's
# smallest shown cell), so that a comment cannot be tied to one of a handful of people.
MIN_ANSWERS_FOR_COMMENTS = 5
MAX_COMMENTS = 50
COMMENT_ITEM_ROLE = "open"


def on_dimension_scale(row: dict, value):
    """Return a sub-dimension's or indicator's value on its dimension's 1-10 scale."""
    low, high = float(row["scale_low"]), float(row["scale_high"])
    return 1 + 9 * (value - low) / (high - low)


def best_published(db) -> dict[str, tuple[float, str, int]]:
    """Return {dimension: (best score, province, year)} of the latest year with scores."""
    year = db.execute(
        "SELECT max(year) FROM baselines WHERE legacy_province <> ?", [NATIONAL]
    ).fetchone()[0]
    found: dict = {}
    for dimension, value, name in db.execute(
        "SELECT dimension, value, legacy_province FROM baselines"
        " WHERE year = ? AND legacy_province <> ? ORDER BY value",
        [year, NATIONAL],
    ):
        found[dimension] = (value, name, year)  # ordered by value: the last one is the best
    return found


def rank(rows, questionnaire, baseline: dict | None, best: dict, lang: str) -> dict:
    """Return {"subdimensions": [...], "indicators": [...]}: weakest first, reliable only."""
    model = indicators.build(questionnaire)
    spec = spec_for(questionnaire)
    index = {ind.id: j for j, ind in enumerate(model.indicators)}
    values = (baseline or {}).get("values", {})
    parts = {"subdimensions": [], "indicators": []}
    for row in rows:
        if row["level"] not in ("subdimension", "indicator") or not row["shown"]:
            continue
        if row["estimate"] in ("", None):
            continue
        if row["level"] == "subdimension":
            dimension = indicators.sub_dimension(row["key"])
            entry = {"sub": row["key"]}
        else:
            ind = model.indicators[index[row["key"]]]
            dimension, binary = ind.dimension, spec.binary[index[row["key"]]]
            entry = {
                "sub": ind.subdimension,
                "questions": [questionnaire.items[i].text(lang) for i in ind.item_ids],
                "problem_share": 1 - row["estimate"] if binary else None,
                "problem_interval": (1 - row["ci_upper"], 1 - row["ci_lower"]) if binary else None,
            }
        value = on_dimension_scale(row, row["estimate"])
        official = values.get(dimension)
        top = best.get(dimension)
        entry.update(
            row=row,
            dimension=dimension,
            value=value,
            official=official,
            gap=official - value if official is not None else None,
            best=top,
            gap_best=top[0] - value if top else None,
        )
        parts[row["level"] + "s"].append(entry)
    for key, found in parts.items():
        found.sort(key=lambda e: (e["gap"] is None, -(e["gap"] or 0), e["value"]))
        parts[key] = found[:TOP]
    return parts


def comments(db, questionnaire, period, wards=None, province=None) -> list[dict]:
    """Return the unit's free-text answers (masked when stored), newest first."""
    items = [i.id for i in questionnaire.items.values() if i.role == COMMENT_ITEM_ROLE]
    if not items:
        return []
    sql, args = responses.in_scope(period, questionnaire, province, wards)
    count = db.execute(f"SELECT count(*) FROM ({sql})", args).fetchone()[0]
    if count < MIN_ANSWERS_FOR_COMMENTS:
        return []
    sql += " AND (" + " OR ".join("json_extract(answers, ?) <> ''" for _ in items) + ")"
    args += [f'$."{item}"' for item in items]
    found = []
    for submitted_at, answers in db.execute(
        sql + " ORDER BY submitted_at DESC LIMIT ?", [*args, MAX_COMMENTS]
    ):
        answers = json.loads(answers)
        for item in items:
            text = answers.get(item)
            if isinstance(text, str) and text.strip():
                found.append({"at": submitted_at, "text": _masked(text)})
    return found


def _masked(text: str) -> str:
    """Return text with phone numbers, e-mails and ID numbers masked (idempotent)."""
    return privacy.mask(text)[0]

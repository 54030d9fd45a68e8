"""A stored response decoded once into what the engine counts: weighting categories, keys, scores.

``hidden``: the response keeps answers its skip logic hides (a paper form answering a question
it said to skip, flagged ``paper_skip_violated``); they are not counted.
"""

from __future__ import annotations

import json
from typing import NamedTuple

from survey.estimation.spec import Spec
from survey.questionnaire.logic import prune


class Respondent(NamedTuple):
    """One response, decoded once: weighting categories, point, time, count keys, scores."""

    categories: tuple  # one category (or None) per weighting variable
    point_id: int
    submitted_at: str
    keys: tuple  # item keys: item id, (item id, code) and (item id, "") for numeric values
    scored: tuple  # ((indicator index, score), ...)


def decode(
    spec: Spec, point_id, submitted_at, answers_json, hidden=False, items=True
) -> Respondent:
    """Decode one stored response into the keys and scores the engine counts.

    items False: no item keys (no item is reported or compared), only categories and scores.
    """
    answers = json.loads(answers_json)
    if hidden:
        answers = prune(spec.model.questionnaire, answers)
    cats = tuple(answers.get(w.item_id) for w in spec.weighting)
    scored = tuple(spec.scorer.scores(answers))
    if not items:
        return Respondent(cats, point_id, submitted_at, (), scored)
    keys = []
    keytab = spec.keytab
    for item_id, value in answers.items():
        table = keytab.get(item_id)
        if table is None:
            continue
        if type(value) is list:
            keys.append(item_id)
            keys.extend((item_id, c) for c in value)
            continue
        found = table.get(value if type(value) is str else str(value))
        if found is None:
            if spec.kinds[item_id] != "integer" or value is None or value == "":
                continue
            found = (item_id, (item_id, str(value)))
        keys.extend(found)
    return Respondent(cats, point_id, submitted_at, tuple(keys), scored)

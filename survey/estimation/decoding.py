"""A stored response decoded once into what the engine counts: weighting categories, keys, scores.

``hidden``: the response keeps answers its skip logic hides (a paper form answering a question
it said to skip, flagged ``paper_skip_violated``); they are not counted.

An item's keys and score depend only on its own answer (skip logic and residence only decide
whether the score counts), so each distinct answer of an item is worked out once per process
and remembered (``Spec.answer_memo``); a response is then a dict lookup per answer.
``decode_slow`` is the per-item interpretation it must equal (the tests compare them).
"""

from __future__ import annotations

import json
from typing import NamedTuple

from survey.estimation.spec import Spec
from survey.indicators import average_repeats
from survey.questionnaire.logic import is_eligible, prune
from survey.questionnaire.scoring import normalise

# Distinct answers remembered per item: codes are a handful, whole numbers a few thousand; past
# this an item's answers (free numbers from a huge data set) are worked out each time.
MEMO_LIMIT = 20_000


class Respondent(NamedTuple):
    """One response, decoded once: weighting categories, point, time, count keys, scores."""

    categories: tuple  # one category (or None) per weighting variable
    point_id: int
    submitted_at: str
    keys: tuple  # numbers (Spec.key_id) of item keys: item id, (item id, code)
    scored: tuple  # ((indicator index, score), ...)
    score_ids: tuple  # numbers (Spec.key_id) of the scored pairs, in the same order


class _Decoded(NamedTuple):
    """What one answer to one item gives: its key numbers and its score, if any."""

    ids: tuple
    score: tuple | None  # (place in the scorer's plan, indicator, score, key number)
    needs_logic: bool  # the score counts only where the item is shown and eligible
    place_based: bool  # the score counts only for residents (when the rules say so)


def decode(
    spec: Spec, point_id, submitted_at, answers_json, hidden=False, items=True
) -> Respondent:
    """Decode one stored response into the keys and scores the engine counts.

    items False: no item keys (no item is reported or compared), only categories and scores.
    """
    answers = json.loads(answers_json)
    if hidden:
        answers = prune(spec.model.questionnaire, answers)
    memo = spec.answer_memo or _compile(spec)
    keys, found = [], []
    for item_id, value in answers.items():
        table = memo.get(item_id)
        if table is None:
            continue
        kind = type(value)
        memo_key = value if kind is str else tuple(value) if kind is list else (kind, value)
        try:
            entry = table.get(memo_key)
        except TypeError:  # an unhashable answer (a list holding a list): not remembered
            entry = _decode_answer(spec, item_id, value)
        else:
            if entry is None:
                entry = _decode_answer(spec, item_id, value)
                if len(table) < MEMO_LIMIT:
                    table[memo_key] = entry
        if items and entry.ids:
            keys.extend(entry.ids)
        if entry.score is not None:
            found.append(entry)
    cats = tuple(answers.get(w.item_id) for w in spec.weighting)
    if not found:
        return Respondent(cats, point_id, submitted_at, tuple(keys), (), ())
    scorer = spec.scorer
    non_resident = scorer.resident_item is not None and answers.get(scorer.resident_item) != "yes"
    plan = scorer.plan
    scores = sorted(
        e.score
        for e in found
        if not (non_resident and e.place_based)
        and not (e.needs_logic and not is_eligible(plan[e.score[0]][0], answers))
    )
    if scorer.multi and len(scores) > 1 and len({s[1] for s in scores}) < len(scores):
        scored = tuple(average_repeats([(j, y) for _, j, y, _ in scores]))
        score_ids = tuple(spec.key_id(pair) for pair in scored)
    else:
        scored = tuple((j, y) for _, j, y, _ in scores)
        score_ids = tuple(s[3] for s in scores)
    return Respondent(cats, point_id, submitted_at, tuple(keys), scored, score_ids)


def _compile(spec: Spec) -> dict:
    """Make the per-item memo of a spec: an empty table for each counted or scored item."""
    for item_id in spec.keytab:
        spec.answer_memo[item_id] = {}
    for item, *_ in spec.scorer.plan:
        spec.answer_memo[item.id] = {}
    return spec.answer_memo


def _decode_answer(spec: Spec, item_id, value) -> _Decoded:
    """Work out one item's answer: its key numbers and its score (as ``decode_slow``)."""
    ids = tuple(spec.key_id(k) for k in _item_keys(spec, item_id, value))
    for pos, (item, j, table, needs_logic) in enumerate(spec.scorer.plan):
        if item.id == item_id:
            y = _score(item, table, value)
            if y is None:
                break
            score = (pos, j, y, spec.key_id((j, y)))
            place_based = item.id in spec.scorer.place_based
            return _Decoded(ids, score, needs_logic, place_based)
    return _Decoded(ids, None, False, False)


def _item_keys(spec: Spec, item_id, value) -> list:
    """Return the count keys of one item's answer (none for an item not reported)."""
    table = spec.keytab.get(item_id)
    if table is None:
        return []
    if type(value) is list:
        return [item_id, *((item_id, c) for c in value)]
    found = table.get(value if type(value) is str else str(value))
    if found is None:
        if spec.kinds[item_id] != "integer" or value is None or value == "":
            return []
        found = (item_id, (item_id, str(value)))
    return list(found)


def _score(item, table, value):
    """Return one scored item's score for an answer, or None (as ``Scorer.scores``)."""
    if value is None or value == "" or value == []:
        return None
    if table is not None and not isinstance(value, list):
        return table.get(str(value))
    return normalise(item, value)


def decode_slow(spec: Spec, point_id, submitted_at, answers_json, hidden=False, items=True):
    """Return (categories, item keys, scores) of a response, interpreting every item each time."""
    answers = json.loads(answers_json)
    if hidden:
        answers = prune(spec.model.questionnaire, answers)
    cats = tuple(answers.get(w.item_id) for w in spec.weighting)
    keys = []
    if items:
        for item_id, value in answers.items():
            keys.extend(_item_keys(spec, item_id, value))
    return cats, tuple(keys), tuple(spec.scorer.scores(answers))

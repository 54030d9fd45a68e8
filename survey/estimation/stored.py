"""Each response's decoded form, stored beside its answers so that estimates do not re-decode.

responses.decoded holds what ``decoding.decode`` makes of a response's answers, as JSON
``[categories, keys, scores]``: the weighting categories; its item keys in order, each the
number of one of the spec's fixed keys (``Spec.key_list``, numbered in questionnaire order when
the spec is built, so every process numbers them alike) or, for a whole number's value, [item,
value] (then a fourth element, 1, says so); the scores as a flat [indicator, score, ...] list
(floats round-trip exactly through JSON). responses.decoded_key
is the fingerprint of the questionnaire content and format the form was made for.

The answers stay the record. A row whose key is not its questionnaire's current one, or NULL
(answers or questionnaire changed: a trigger clears both; or a row written by other means), is
decoded from its answers, as is one whose skip logic hides answers (``paper_skip_violated``:
the flags can change after the form was stored), so estimates never depend on the stored form.
Bump DECODED_FORMAT when what ``decode`` makes of an answer changes: stored forms then go stale.
"""

from __future__ import annotations

import hashlib
import json

from sqlite_utils import Database

from survey.db import fill_responses
from survey.estimation.decoding import Respondent, decode
from survey.estimation.spec import Spec, spec_for
from survey.questionnaire import QuestionnaireError, get

DECODED_FORMAT = 1


def decoded_key(spec: Spec) -> str:
    """Return the fingerprint of the questionnaire content and form format a form is for."""
    if not spec.stored_key:
        q = spec.model.questionnaire
        text = repr((DECODED_FORMAT, q.id, q.version, spec.key_list[: spec.fixed_keys], q))
        spec.stored_key = hashlib.sha256(text.encode()).hexdigest()[:16]
    return spec.stored_key


def form(spec: Spec, answers_json: str) -> str | None:
    """Return the stored form of a response's answers, or None where it must be decoded."""
    try:
        r = decode(spec, None, None, answers_json)
    except (ValueError, TypeError, AttributeError):
        return None  # not an answers object: the engine's own reading will say so
    if not all(c is None or type(c) is str for c in r.categories):
        return None
    keys, other = [], False
    for i in r.keys:
        if i < spec.fixed_keys:
            keys.append(i)
            continue
        key = spec.key_list[i]
        if type(key) is not tuple or not all(type(part) is str for part in key):
            return None
        keys.append(list(key))
        other = True
    scores = [v for pair in r.scored for v in pair]
    found = [list(r.categories), keys, scores] + ([1] if other else [])
    return json.dumps(found, separators=(",", ":"))


def respondent(spec: Spec, point_id, submitted_at, text: str, items=True) -> Respondent:
    """Return the Respondent of a stored form (as ``decode`` makes it from the answers)."""
    found = json.loads(text)
    keys = ()
    if items:
        keys = found[1]
        if len(found) > 3:  # keys other than the fixed ones, as [item, value]
            keys = [k if type(k) is int else spec.key_id(tuple(k)) for k in keys]
        keys = tuple(keys)
    flat = found[2]
    scored = tuple(zip(flat[::2], flat[1::2], strict=True))
    score_ids = tuple(map(spec.key_ids.get, scored))
    if None in score_ids:  # a score this process has not numbered yet
        score_ids = tuple(map(spec.key_id, scored))
    return Respondent(tuple(found[0]), point_id, submitted_at, keys, scored, score_ids)


def spec_of(questionnaire) -> Spec | None:
    """Return the engine's spec of a questionnaire, or None when it cannot be scored.

    An instance questionnaire is checked by its loader, not by the scoring model: one that
    loads but does not map every sub-dimension gets no stored form, so that storing an answer
    never fails on it (its estimates say why instead).
    """
    try:
        return spec_for(questionnaire)
    except QuestionnaireError:
        return None


def fill(db: Database) -> int:
    """Store the decoded form of each response without one (known questionnaires)."""
    specs: dict = {}

    def stored(qid, version, answers, part):
        spec = specs.get((qid, version), False)
        if spec is False:
            try:
                spec = specs[qid, version] = spec_of(get(qid, version))
            except KeyError:
                spec = specs[qid, version] = None
        if spec is None:
            return None
        return decoded_key(spec) if part == "key" else form(spec, answers)

    return fill_responses(
        db,
        "papi_decoded",
        stored,
        "decoded = papi_decoded(questionnaire_id, questionnaire_version, answers, 'form'),"
        " decoded_key = papi_decoded(questionnaire_id, questionnaire_version, NULL, 'key')",
        "decoded_key IS NULL",
    )

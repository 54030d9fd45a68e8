"""Check one typed paper form with the citizen pages' own validators (survey/citizen/forms.py).

Per question the clerk types the numbers printed beside the ticked boxes (several, separated by
spaces, where every box that applies may be ticked), the number or amount written in the box,
or the text. Box numbers become answer codes here (``layout.box_numbers``); the codes are then
validated exactly as a citizen's answers are, with two differences that paper needs: a question
left empty on paper stays empty (a phone can ask again, a form cannot), and a bare number in an
amount box is in the unit printed beside the box (``digits_in_unit``: "500" in a "nghìn đồng"
box is 500 nghìn, as the codebook says). An answer to a question the form said to skip is kept
and listed in ``skipped`` (the response is flagged ``paper_skip_violated`` for review).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field, replace

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from survey.citizen import readback
from survey.citizen.forms import validate_page
from survey.paper import layout
from survey.questionnaire import amounts, get
from survey.questionnaire.amounts import AmountError
from survey.questionnaire.logic import is_answered, is_shown
from survey.questionnaire.model import Page

SKIP_FLAG = "paper_skip_violated"
_SEPARATORS = re.compile(r"[\s,;.+/]+")


def box_field(item_id: str) -> str:
    """Return the name of the field for the ticked box of a number question (98, 99)."""
    return f"{item_id}-box"


@dataclass
class Checked:
    """A typed form: its answers, the problems found, and what was typed (to show again)."""

    answers: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)  # item id -> message
    typed: dict = field(default_factory=dict)  # field name -> text as typed
    skipped: list = field(default_factory=list)  # ids answered although the form said skip
    empty: list = field(default_factory=list)  # ids of questions that apply, left empty


@functools.cache
def _page(questionnaire_id: str, version: int, modules: tuple) -> Page:
    """Return the form's questions as one page of optional items, for validate_page."""
    questionnaire = get(questionnaire_id, version)
    form = layout.build(questionnaire, modules, False)
    items = tuple(replace(q.item, required=False) for q in form.questions)
    return Page("paper", "", "", "", items)


def typed_values(form: layout.Form, formdata) -> dict:
    """Return what was typed for each field of the form (stripped), from posted data."""
    typed = {}
    for question in form.questions:
        item_id = question.item.id
        typed[item_id] = (formdata.get(item_id) or "").strip()
        if question.item.type in ("integer", "decimal") and question.item.special:
            typed[box_field(item_id)] = (formdata.get(box_field(item_id)) or "").strip()
    return typed


def check(form: layout.Form, formdata) -> Checked:
    """Return the answers of a typed form, or the problems that stop it being stored."""
    result = Checked(typed=typed_values(form, formdata))
    posted = MultiDict()
    for question in form.questions:
        try:
            for value in _codes(question, result.typed):
                posted.add(question.item.id, value)
        except _Problem as problem:
            result.errors[question.item.id] = str(problem)
    questionnaire = form.questionnaire
    page = _page(questionnaire.id, questionnaire.version, form.modules)
    answers, errors, _raw = validate_page(page, page.items, posted)
    result.answers = answers
    result.errors = {**errors, **result.errors}
    for question in form.questions:
        item = question.item
        if item.id in answers and not is_shown(item, answers):
            result.skipped.append(item.id)
        elif not is_answered(answers.get(item.id)) and is_shown(item, answers):
            result.empty.append(item.id)
    return result


class _Problem(Exception):
    """What was typed for one question cannot be read."""


def _codes(question: layout.Question, typed: dict) -> list[str]:
    """Return the values to validate for one question: codes, a number, an amount or text."""
    item = question.item
    text = typed[item.id]
    if item.type == "text":
        return [text] if text else []
    if item.type in ("integer", "decimal"):
        values = [_number(item, text)] if text else []
        box = typed.get(box_field(item.id), "")
        return values + (_boxes(question, box, specials_only=True) if box else [])
    return _boxes(question, text) if text else []


def _boxes(question: layout.Question, text: str, specials_only: bool = False) -> list[str]:
    """Return the codes of the box numbers typed; _Problem for anything else."""
    numbers = {b.number: b.option.code for b in question.boxes}
    if specials_only:
        numbers = {b.number: b.option.code for b in question.boxes if b.option.special}
    shown = ", ".join(str(n) for n in numbers)
    codes = []
    for token in _SEPARATORS.split(unicodedata.normalize("NFKC", text)):
        if not token:
            continue
        if not (token.isascii() and token.isdigit()):
            raise _Problem(
                _(
                    "Type the numbers printed beside the ticked boxes (%(boxes)s), "
                    "separated by spaces.",
                    boxes=shown,
                )
            )
        if int(token) not in numbers:
            raise _Problem(
                _(
                    "Question %(number)s has no box %(box)s: type one of %(boxes)s.",
                    number=question.number,
                    box=int(token),
                    boxes=shown,
                )
            )
        codes.append(numbers[int(token)])
    return codes


def _number(item, text: str) -> str:
    """Return a written number as the citizen validator reads it; an amount in the box's unit.

    A decimal goes to the validator as typed ("2,5", as the boxes print it), so that paper and
    phone read it by the same rules.
    """
    unit = amounts.item_unit(item)
    if unit is None:
        return text
    low, high = readback.bounds(item)
    try:
        value = amounts.parse_amount(text, unit, low, high, digits_in_unit=True)
    except AmountError as error:
        raise _Problem(readback.message(item, error, text)) from None
    return amounts.short(value * unit)  # read back one way only by the citizen validator

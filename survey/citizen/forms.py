"""WTForms validation of one questionnaire page, built from the questionnaire model.

Fields are rendered by the macros in ``templates/_fields.html`` straight from the model (a plain
Jinja loop is several times faster than WTForms widgets); WTForms only parses and validates.
Every message is translated at request time and says what to do.
"""

import re
import unicodedata

from flask_babel import gettext as _
from wtforms import Field, Form
from wtforms.validators import StopValidation, ValidationError

from survey.citizen import readback
from survey.i18n import current_locale
from survey.questionnaire import amounts, decimals
from survey.questionnaire.amounts import AmountError
from survey.questionnaire.decimals import DecimalError

# C0 and C1 control characters other than tab and newline, and U+FFFD, which is what an
# invalid UTF-8 byte sequence decodes to: none of them belongs in a typed answer.
_FORBIDDEN_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffd]")
_WHOLE_NUMBER = re.compile(r"[+-]?\d{1,9}")
# Thousands grouped by dots or commas ("1.500"); a lone "1.5" is not a whole number, not 15.
_GROUPED_NUMBER = re.compile(r"[+-]?\d{1,3}(?:(?:\.\d{3})+|(?:,\d{3})+)")


class AnswerField(Field):
    """One item's answer: keeps every posted value so that validation sees forged extras."""

    def __init__(self, item=None, **kwargs):
        super().__init__(label=item.id if item else "", **kwargs)
        self.item = item
        self.raw: list[str] = []

    def process_formdata(self, valuelist):
        """Keep the posted strings; the item's validator turns them into an answer."""
        self.raw = [value.strip() for value in valuelist]
        self.data = None

    def pre_validate(self, form):
        """Check and convert the posted values according to the item's type."""
        self.data = _VALIDATORS[self.item.type](self.item, [v for v in self.raw if v != ""])


def _required(item, values):
    """Stop with "choose/enter an answer" when a required item is empty."""
    if not values:
        if item.required:
            raise StopValidation(_empty_message(item))
        return True
    return False


def _empty_message(item) -> str:
    """Return the instruction for a required item left empty."""
    if item.type == "multiple":
        return _("Choose at least one answer.")
    if item.type == "integer":
        return _("Enter a whole number.")
    if item.type == "decimal":
        return _("Enter a number.")
    if item.type == "text":
        return _("Write an answer.")
    return _("Choose an answer.")


def _choice(item, values):
    """Validate a one-answer item: exactly one known code."""
    if _required(item, values):
        return None
    if len(values) > 1:
        raise StopValidation(_("Choose only one answer."))
    if values[0] not in item.all_codes():
        raise StopValidation(_("Choose one of the answers shown."))
    return values[0]


def _multiple(item, values):
    """Validate a checklist: known codes, no repeats, exclusive options alone."""
    if _required(item, values):
        return None
    codes = item.all_codes()
    if any(value not in codes for value in values) or len(set(values)) != len(values):
        raise StopValidation(_("Choose from the answers shown."))
    exclusive = [
        item.option(v) for v in values if item.option(v).exclusive or item.option(v).special
    ]
    if exclusive and len(values) > 1:
        raise StopValidation(
            _(
                "“%(answer)s” cannot be chosen together with other answers.",
                answer=exclusive[0].label(_lang()),
            )
        )
    return list(values)


def _special_or_numbers(item, values):
    """Return (a chosen special code or None, the typed numbers); stop on a mix of both."""
    special = [v for v in values if v in item.all_codes()]
    numbers = [v for v in values if v not in item.all_codes()]
    if special and numbers:
        raise StopValidation(
            _(
                "Either enter a number or choose “%(answer)s”, not both.",
                answer=item.option(special[0]).label(_lang()),
            )
        )
    if special and len(values) > 1:
        raise StopValidation(_("Enter only one number."))
    return (special[0] if special else None), numbers


def _integer(item, values):
    """Validate a whole number within the item's range, or one of its special codes."""
    if _required(item, values):
        return None
    special, numbers = _special_or_numbers(item, values)
    if special:
        return special
    if amounts.item_unit(item) is not None:
        return _amount(item, numbers)
    if len(values) > 1:
        raise StopValidation(_("Enter only one number."))
    text = unicodedata.normalize("NFKC", numbers[0])
    if _GROUPED_NUMBER.fullmatch(text):
        text = text.replace(".", "").replace(",", "")
    if not _WHOLE_NUMBER.fullmatch(text):
        raise StopValidation(_("Enter a whole number using digits, like 5."))
    number = int(text)
    low = item.min if item.min is not None else 0
    high = item.max if item.max is not None else 10**9
    if not low <= number <= high:
        raise StopValidation(
            _("Enter a whole number from %(low)s to %(high)s.", low=low, high=high)
        )
    return number


def _decimal(item, values):
    """Validate a decimal number ("2,5" or "2.5") within range and places; store it as text."""
    if _required(item, values):
        return None
    special, numbers = _special_or_numbers(item, values)
    if special:
        return special
    if len(numbers) > 1:
        raise StopValidation(_("Enter only one number."))
    try:
        return decimals.parse(numbers[0], item.decimals, item.min, item.max)
    except DecimalError as error:
        raise StopValidation(readback.decimal_message(item, error, numbers[0])) from None


def _amount(item, typed):
    """Read a sum of money as typed; several values (box and chosen reading) must agree."""
    found = []
    for text in typed:
        try:
            found.append(readback.values(item, text))
        except AmountError as error:
            raise StopValidation(readback.message(item, error, text)) from None
    agreed = set.intersection(*found)
    if not agreed:
        raise StopValidation(
            _("The amount typed and the amount chosen differ: choose one, or correct the amount.")
        )
    if len(agreed) > 1:
        raise StopValidation(readback.message(item, AmountError("ambiguous"), typed[0]))
    return agreed.pop()


def _text(item, values):
    """Validate short free text: one value, readable, not too long; NFC-normalised."""
    if _required(item, values):
        return None
    if len(values) > 1:
        raise StopValidation(_("Send only one answer."))
    text = unicodedata.normalize("NFC", values[0].replace("\r\n", "\n"))
    if _FORBIDDEN_TEXT.search(text):
        raise StopValidation(
            _("The text contains characters that cannot be read. Please type it again.")
        )
    limit = item.max_length or 500
    if len(text) > limit:
        raise StopValidation(
            _(
                "Write at most %(limit)s characters (you wrote %(count)s).",
                limit=limit,
                count=len(text),
            )
        )
    return text


_VALIDATORS = {
    "yes_no": _choice,
    "single": _choice,
    "likert5": _choice,
    "rating10": _choice,
    "multiple": _multiple,
    "integer": _integer,
    "decimal": _decimal,
    "text": _text,
}


def _lang() -> str:
    """Return the active language code."""
    return current_locale()


_FORM_CLASSES: dict[int, tuple] = {}


def page_form_class(page):
    """Return (and cache) a WTForms class with one AnswerField per item of the page."""
    cached = _FORM_CLASSES.get(id(page))
    if cached is not None and cached[0] is page:
        return cached[1]
    fields = {item.id: AnswerField(item=item) for item in page.items}
    form_class = type(f"Page_{page.id}", (Form,), fields)
    # Holding the page keeps its id() from being reused by another object.
    _FORM_CLASSES[id(page)] = (page, form_class)
    return form_class


def validate_page(page, visible, formdata):
    """Validate the visible items of a page; return (answers, errors, raw posted values)."""
    form = page_form_class(page)(formdata=formdata)
    visible_ids = {item.id for item in visible}
    for item in page.items:
        if item.id not in visible_ids:
            delattr(form, item.id)
    form.validate()
    answers = {
        name: field.data
        for name, field in form._fields.items()
        if not field.errors and field.data is not None
    }
    errors = {name: field.errors[0] for name, field in form._fields.items() if field.errors}
    raw = {name: field.raw for name, field in form._fields.items()}
    return answers, errors, raw


__all__ = ["validate_page", "ValidationError"]

"""Say a typed sum of money (or decimal number) back to the citizen before the answers are sent.

Without JavaScript a page cannot react while the citizen types, so the read-back comes at the
next request: the page after an amount says what was understood ("500.000 đồng (năm trăm
nghìn đồng)") above its own questions, and a page shown again (an error, Back) says it under
the box. An amount that can be read two ways is never guessed: the page asks which one was
meant, each reading spelled out. The reading itself is `survey.questionnaire.amounts`.

Decimal numbers ("2,5 kg") are said back the same way, in the active locale's digits; one that
can be read two ways ("1.000") is refused with both readings written so that each reads one
way only ("1000" or "1"), as `survey.questionnaire.decimals` explains.
"""

from decimal import Decimal

from babel.numbers import get_decimal_symbol
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _

from survey.i18n import current_locale
from survey.questionnaire import amounts, decimals
from survey.questionnaire.amounts import AmountError
from survey.questionnaire.decimals import DecimalError


def phrase(dong: int) -> str:
    """Return a sum in đồng for people: digits in the active locale, and in Vietnamese, words."""
    number = format_decimal(dong)
    if current_locale() == "vi":
        return _("%(number)s dong (%(words)s)", number=number, words=amounts.say_vi(dong))
    return _("%(number)s dong", number=number)


def bounds(item) -> tuple[int, int | None]:
    """Return the lowest and highest value an integer item accepts."""
    return (item.min if item.min is not None else 0), item.max


def values(item, text: str) -> set[int]:
    """Return the values, in the item's unit, that a typed text can mean; AmountError if none."""
    unit = amounts.item_unit(item)
    low, high = bounds(item)
    try:
        return {amounts.parse_amount(text, unit, low, high)}
    except AmountError as error:
        if error.kind == "ambiguous":
            return set(error.readings)
        raise


def message(item, error: AmountError, typed: str) -> str:
    """Return what the citizen should do about an amount that cannot be stored as typed."""
    if error.kind == "ambiguous":
        return _(
            "“%(typed)s” can be read in more than one way: choose the amount you meant, "
            "or write the unit, for example “500 thousand” or “2 million”.",
            typed=typed,
        )
    if error.kind == "fraction":
        return _(
            "Write a whole number of %(unit)s, or write the unit, for example “1.5 million”.",
            unit=item.unit(current_locale()),
        )
    if error.kind == "range":
        low, high = bounds(item)
        unit = amounts.item_unit(item)
        return _(
            "Enter an amount from %(low)s to %(high)s.",
            low=phrase(low * unit),
            high=phrase(high * unit) if high is not None else "",
        )
    return _("Write the amount in digits, for example “500 thousand” or “1.5 million”.")


def field(item, answer) -> dict | None:
    """Return what an amount box says under itself: the value read back, or readings to choose.

    answer is the stored value (an int) or the posted strings; None when there is nothing to say.
    """
    unit = amounts.item_unit(item)
    if unit is None or answer is None:
        return None
    if isinstance(answer, int):
        return {"text": _("You entered %(amount)s.", amount=phrase(answer * unit)), "choices": []}
    if isinstance(answer, str):
        answer = [answer]
    typed = [v for v in answer if v not in item.all_codes()]
    if not typed or not typed[0]:
        return None
    try:
        found = sorted(values(item, typed[0]))
    except AmountError:
        return None
    if len(found) == 1:
        return {"text": _("You entered %(amount)s.", amount=phrase(found[0] * unit)), "choices": []}
    choices = [(amounts.short(v * unit), phrase(v * unit)) for v in found]
    return {"text": "", "choices": choices}


def box_text(item, answer) -> str:
    """Return what an amount box shows for a stored value: "2 triệu", not an ambiguous "2000"."""
    return amounts.short(answer * amounts.item_unit(item), current_locale())


def previous_page(page, answers: dict) -> list[str]:
    """Return the read-backs of the amounts answered on a page, for the page after it."""
    if page is None:
        return []
    said = []
    for item in page.items:
        unit = amounts.item_unit(item)
        answer = answers.get(item.id)
        if item.type == "decimal" and isinstance(answer, str) and decimals.STORED.match(answer):
            said.append(
                _(
                    "On the previous page you entered %(amount)s. "
                    "If that is not right, press Back to correct it.",
                    amount=decimal_phrase(item, answer),
                )
            )
        elif unit is not None and isinstance(answer, int) and not isinstance(answer, bool):
            said.append(
                _(
                    "On the previous page you entered %(amount)s. "
                    "If that is not right, press Back to correct it.",
                    amount=phrase(answer * unit),
                )
            )
    return said


def decimal_number(item, value: Decimal) -> str:
    """Return a decimal value in the active locale with the item's places: 2,5 or 2.5."""
    return format_decimal(value, format="#,##0." + "0" * item.decimals)


def decimal_phrase(item, answer: str) -> str:
    """Return a stored decimal answer for people, with its unit: "2,5 kg"."""
    number = decimal_number(item, decimals.value_of(answer))
    unit = item.unit(current_locale())
    return f"{number} {unit}" if unit else number


def decimal_box(item, answer) -> str:
    """Return what a decimal box shows again: a stored answer typed one way only, else as typed."""
    if isinstance(answer, str) and decimals.STORED.match(answer):
        point = get_decimal_symbol(current_locale())
        return decimals.unambiguous(Decimal(answer), item.decimals, point)
    return ""


def decimal_field(item, answer) -> dict | None:
    """Return what a decimal box says under itself: the stored value read back, or None."""
    if isinstance(answer, str) and decimals.STORED.match(answer):
        return {"text": _("You entered %(amount)s.", amount=decimal_phrase(item, answer))}
    return None


def decimal_message(item, error: DecimalError, typed: str) -> str:
    """Return what the citizen should do about a decimal number that cannot be stored."""
    point = get_decimal_symbol(current_locale())
    if error.kind == "ambiguous":
        large, small = error.readings[-1], error.readings[0]
        return _(
            "“%(typed)s” can mean %(large)s or %(small)s. Type the number again as %(large)s "
            "or as %(small)s, whichever you meant.",
            typed=typed,
            large=decimals.unambiguous(large, item.decimals, point),
            small=decimals.unambiguous(small, item.decimals, point),
        )
    if error.kind == "places":
        return ngettext(
            "Write at most %(num)d digit after the decimal sign.",
            "Write at most %(num)d digits after the decimal sign.",
            item.decimals,
        )
    if error.kind == "range":
        return _(
            "Enter a number from %(low)s to %(high)s.",
            low=decimal_number(item, item.min),
            high=decimal_number(item, item.max),
        )
    return _(
        "Write the number in digits, for example %(example)s.",
        example=f"2{point}5",
    )

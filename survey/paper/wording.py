"""The words of a paper form: questionnaire wording (data) and the sentences around it (gettext).

Skip instructions are composed here from the jumps and conditions of ``survey.paper.skips``,
in whole translated sentences with named placeholders, in Vietnamese and, on a bilingual form,
English, whatever the language of the page that asked for the form (as posters do). Needs an
application context (gettext and the organiser setting), not a request.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale, format_decimal
from flask_babel import gettext as _

from survey.i18n import config_text
from survey.locales import DEFAULT_LOCALE, LOCALES
from survey.questionnaire import current_questionnaire as current
from survey.questionnaire import get, placewords
from survey.questionnaire.model import Condition

from . import layout
from .layout import Form, Question
from .sheet import PrintedBox, PrintedQuestion, PrintedSection, Sheet

LANGS = ("vi", "bilingual")
TEXT_LINES = 4  # lines to write an open answer on: the shipped one allows 300 characters


def locales(lang: str) -> tuple[str, ...]:
    """Return the locales printed for a form language: vi, or vi then en."""
    if lang not in LANGS:
        raise ValueError(f"unknown form language {lang!r}; expected one of {LANGS}")
    return LOCALES if lang == "bilingual" else (DEFAULT_LOCALE,)


def current_questionnaire(config):
    """Return the questionnaire of the QUESTIONNAIRE setting in config (as citizens get it)."""
    return current(config["QUESTIONNAIRE"])


def for_point(questionnaire, point: dict | None):
    """Return the questionnaire in the point's place words, as its citizen pages say them."""
    return placewords.for_point(questionnaire, point, current_app.config)


def sheets(questionnaire, forms, lang: str, point: dict | None) -> list[Sheet]:
    """Return the sheets of reserved forms (store.PaperForm, each in its own questionnaire
    version), or of one blank form of questionnaire holding every module if there are none."""
    if not forms:
        local = for_point(questionnaire, point)
        blank = layout.build(local, layout.all_modules(local), False)
        return [sheet(blank, lang, point)]
    versions = {
        key: for_point(get(*key), point)
        for key in {(form.questionnaire_id, form.questionnaire_version) for form in forms}
    }
    return [
        sheet(
            layout.build(
                versions[(form.questionnaire_id, form.questionnaire_version)],
                form.modules,
                form.drawn,
                form.number,
            ),
            lang,
            point,
        )
        for form in forms
    ]


def sheet(form: Form, lang: str, point: dict | None) -> Sheet:
    """Return the form in words, in Vietnamese or in Vietnamese and English."""
    chosen = locales(lang)
    parts = [_in(locale, _sheet_texts, form, point) for locale in chosen]
    sections = tuple(
        PrintedSection(
            tuple(section.module.title(locale) for locale in chosen),
            tuple(_question(form, question, chosen) for question in section.questions),
        )
        for section in form.sections
    )
    keys = (
        "title", "intro", "place", "form_label", "date_line", "modules_note", "how_to", "thanks",
    )  # fmt: skip
    texts = {key: tuple(part[key] for part in parts) for key in keys}
    organiser = tuple(part["organiser"] for part in parts if part["organiser"])
    return Sheet(
        **texts,
        sections=sections,
        organiser=organiser,
        page_label=parts[0]["page_label"],
        number=form.number,
    )


def _in(locale: str, build, *args):
    """Return build(*args, locale) with gettext in that locale."""
    with force_locale(locale):
        return build(*args, locale)


def _sheet_texts(form: Form, point: dict | None, locale: str) -> dict:
    """Return the first-page and closing sentences in the active locale."""
    questionnaire = form.questionnaire
    if point is None:
        place = _("Collection point: ....................................................")
    else:
        place = _(
            "Collection point: %(point)s, %(ward)s (point number %(id)s)",
            point=point["name"],
            ward=point["ward_name"],
            id=point["id"],
        )
    if form.number is None:
        form_label = _("Form number: ..............")
        page_label = _("Page %(page)s of %(pages)s", page="{page}", pages="{pages}")
    else:
        form_label = _("Form number: %(number)s", number=form.number)
        page_label = _(
            "Form %(number)s, page %(page)s of %(pages)s",
            number=form.number,
            page="{page}",
            pages="{pages}",
        )
    return {
        "title": questionnaire.title(locale),
        "intro": questionnaire.intro(locale),
        "place": place,
        "form_label": form_label,
        "date_line": _("Date of answering: ........ / ........ / 20........ (day / month / year)"),
        "modules_note": _modules_note(form, locale),
        "how_to": _(
            "Put a cross in the box beside your answer: one box for each question, unless the "
            "question asks you to tick every box that applies. Where the form says “go to "
            "question”, skip the questions in between."
        ),
        "thanks": _("Thank you. Please hand the form back at the counter."),
        "organiser": _(
            "This survey is run by %(organiser)s.", organiser=config_text("ORGANISER", point)
        )
        if point is not None
        else "",
        "page_label": page_label,
    }


def _modules_note(form: Form, locale: str) -> str:
    """Say which parts the form holds: all of them, or those drawn for this form."""
    questionnaire = form.questionnaire
    if not form.drawn:
        return _("This form holds every part of the questionnaire.")
    drawn = [m.title(locale) for m in questionnaire.rotating_modules if m.id in form.modules]
    return _(
        "Besides the questions for everyone, this form holds the parts drawn for it at random, "
        "as on the phone: %(parts)s. Other forms hold other parts.",
        parts=", ".join(drawn) or "—",
    )


def _question(form: Form, question: Question, chosen: tuple[str, ...]) -> PrintedQuestion:
    """Return one question in words in every printed locale."""
    item = question.item
    numbers = form.numbers()
    jumped = {code for jump in question.jumps for code in jump.codes}

    def each(build):
        return tuple(_in(locale, build) for locale in chosen)

    def box(b, locale):
        return _box_label(question, b, locale)

    boxes = tuple(
        PrintedBox(b.number, tuple(box(b, loc) for loc in chosen), b.option.code in jumped)
        for b in question.boxes
        if not b.option.special
    )
    specials = tuple(
        PrintedBox(b.number, tuple(box(b, loc) for loc in chosen), b.option.code in jumped)
        for b in question.boxes
        if b.option.special
    )
    kind = {"integer": "number", "decimal": "decimal", "text": "text", "rating10": "row"}.get(
        item.type, "choice"
    )
    return PrintedQuestion(
        number=question.number,
        kind=kind,
        text=tuple(item.text(locale) for locale in chosen),
        boxes=boxes,
        specials=specials,
        hint=tuple(item.hint(locale) for locale in chosen) if item.hint("vi") else (),
        only_if=each(lambda locale: _only_if(item.show_if, numbers, locale))
        if question.only_if
        else (),
        note=each(lambda locale: _note(item)) if _note(item) else (),
        unit=tuple(item.unit(locale) for locale in chosen) if item.unit("vi") else (),
        ends=each(lambda locale: _ends(item, locale)) if kind == "row" else (),
        jumps=tuple(
            each(lambda locale, jump=jump: _jump(question, jump, locale)) for jump in question.jumps
        ),
        lines=TEXT_LINES if kind == "text" else 0,
        digits=_whole_digits(item) if kind == "decimal" else 0,
        places=item.decimals or 0 if kind == "decimal" else 0,
    )


def _whole_digits(item) -> int:
    """Return how many boxes a decimal needs before its comma: the digits of its largest bound."""
    return max(len(str(abs(int(bound)))) for bound in (item.min, item.max))


def _box_label(question: Question, box, locale: str) -> str:
    """Return a box's label; unlabelled scale ends are named by the scale's end labels."""
    item, option = question.item, box.option
    label = option.label(locale)
    if item.type == "likert5" and label == option.code:
        if option is item.options[0]:
            return item.low(locale)
        if option is item.options[-1]:
            return item.high(locale)
        return ""
    if item.type == "rating10" and not option.special:
        return ""  # the row prints the number; its ends are named below it
    return label


def _note(item) -> str:
    """Return how to answer a question, in the active locale ("" when nothing to add)."""
    if item.type == "multiple" and not item.hint("vi"):
        return _("Tick every box that applies.")
    if item.type == "integer":
        return _("Write the number in the box.")
    if item.type == "decimal":
        return _(
            "Write one digit in each box: the whole number before the comma, the decimals after it."
        )
    if item.type == "text":
        return _("Write your answer on the lines. You may leave them empty.")
    return ""  # one box: the first page says so once


def _ends(item, locale: str) -> str:
    """Return what the ends of a 0 to 10 scale mean."""
    first, last = item.options[0], item.options[-1]
    return _(
        "%(low)s means “%(low_label)s”, %(high)s means “%(high_label)s”.",
        low=first.code,
        low_label=item.low(locale),
        high=last.code,
        high_label=item.high(locale),
    )


def _answers(item, codes, locale: str) -> str:
    """Return answer labels in quotes joined with "or": “Không” hoặc “Không biết”."""
    labels = [f"“{item.option(code).label(locale)}”" for code in codes]
    text = labels[0]
    for label in labels[1:]:
        text = _("%(first)s or %(second)s", first=text, second=label)
    return text


def _jump(question: Question, jump, locale: str) -> str:
    """Return a jump as a sentence: "If you chose “No”, go to question 12."."""
    answers = _answers(question.item, jump.codes, locale)
    if jump.target is None:
        return _("If you chose %(answers)s, you have finished the form.", answers=answers)
    return _(
        "If you chose %(answers)s, go to question %(number)s.",
        answers=answers,
        number=jump.target,
    )


def _only_if(condition: Condition, numbers: dict, locale: str) -> str:
    """Return "Answer this question only if ...", the condition in words."""
    return _(
        "Answer this question only if %(condition)s.", condition=_said(condition, numbers, locale)
    )


def _said(condition: Condition, numbers: dict, locale: str) -> str:
    """Return a condition in words, with the printed numbers of the questions it reads."""
    op = condition.op
    if op in ("all", "any"):
        parts = [_said(child, numbers, locale) for child in condition.children]
        text = parts[0]
        for part in parts[1:]:
            if op == "all":
                text = _("%(first)s and %(second)s", first=text, second=part)
            else:
                text = _("%(first)s or %(second)s", first=text, second=part)
        return text
    if op == "not":
        inner = _said(condition.children[0], numbers, locale)
        return _("it is not so that %(condition)s", condition=inner)
    item = condition.item
    number = numbers.get(item.id, "?")
    if op == "answered":
        if condition.values[0]:
            return _("you answered question %(number)s", number=number)
        return _("you left question %(number)s empty", number=number)
    if op in ("gte", "lte"):
        value = condition.values[0]
        if not isinstance(value, int):
            value = format_decimal(value)  # 2,5 on a Vietnamese form
        if op == "gte":
            return _(
                "at question %(number)s you wrote %(value)s or more", number=number, value=value
            )
        return _("at question %(number)s you wrote %(value)s or less", number=number, value=value)
    answers = _answers(item, condition.values, locale)
    if op == "in":
        if item.type == "multiple":
            return _(
                "at question %(number)s you ticked %(answers)s", number=number, answers=answers
            )
        return _("at question %(number)s you chose %(answers)s", number=number, answers=answers)
    if item.type == "multiple":
        return _(
            "at question %(number)s you did not tick %(answers)s", number=number, answers=answers
        )
    return _(
        "at question %(number)s you did not choose %(answers)s", number=number, answers=answers
    )

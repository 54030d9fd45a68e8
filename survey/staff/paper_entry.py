"""Enter paper forms of a point, by keyboard only: the form number, then one box per question.

Three steps, no JavaScript needed: the form number (GET, refused at once if that number was
already entered); the questions of that form, numbered as printed, where the clerk types the
box numbers (Tab from one to the next, Enter to check); the form read back in words, with the
answers carried in hidden fields, to save or correct. Saving checks everything again and
stores the response (mode paper), the number and who typed it, with an audit row, in one
transaction (survey/paper/store.py). Editors in the point's scope only.
"""

import re
import time
import unicodedata
import uuid
from datetime import UTC, date, datetime
from datetime import time as clock

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, StopValidation

from survey import privacy, quality, responses
from survey.citizen import readback
from survey.i18n import current_locale
from survey.paper import layout, store, wording
from survey.periods import LOCAL_TZ
from survey.questionnaire import amounts, get
from survey.staff.auth import current_user, get_point_or_404, permission_required
from survey.staff.paper_check import SKIP_FLAG, box_field, check
from survey.templating import local_time
from survey.webdb import get_db

bp = Blueprint("paper_entry", __name__, url_prefix="/staff/points")
# Form numbers are printed from 1; beyond this a typed number is a slip of the finger.
MAX_FORM_NUMBER = 10**7
DAY_FIELD = "answered_on"
# 25/3/2026, 25-3-26, 25.3 (this year): day first, as Vietnamese write dates.
_DAY = re.compile(r"(\d{1,2})\s*[/.\- ]\s*(\d{1,2})(?:\s*[/.\- ]\s*(\d{4}|\d{2}))?")


def _form_number(form, field):
    """Read the form number as typed (digits, full-width ones too); store it as an int."""
    text = unicodedata.normalize("NFKC", field.data or "").strip()
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_FORM_NUMBER:
        raise StopValidation(
            _(
                "A form number is a whole number from 1 to %(max)s, as printed on the form.",
                max=MAX_FORM_NUMBER,
            )
        )
    field.number = int(text)


class NumberForm(FlaskForm):
    """The number printed (or written by hand) on the form."""

    form_number = StringField(
        _l("Form number"),
        render_kw={"autofocus": True, "inputmode": "numeric"},
        validators=[
            InputRequired(message=_l("Type the form number printed at the top of the form.")),
            _form_number,
        ],
    )


@bp.route("/<int:point_id>/paper/entry", methods=["GET", "POST"])
@permission_required("edit_points")
def entry(point_id):
    """Ask for the form number, show the form's questions, read it back, save it."""
    point = get_point_or_404(point_id)
    posted = request.method == "POST"
    # The number step is a GET form (nothing changes): no form token there.
    number_form = NumberForm() if posted else NumberForm(request.args, meta={"csrf": False})
    asked = posted or "form_number" in request.args
    if not asked:
        return _number_page(point, number_form, request.args.get("next", type=int))
    if not number_form.validate():
        return _number_page(point, number_form, None, status=400)
    number = number_form.form_number.number
    taken = store.get_form(get_db(), point_id, number)
    if taken is not None and taken.response_id is not None:
        return _taken(point, number_form, taken.number, taken.entered_at)
    form = _paper_form(taken, number)
    if not posted:
        return _questions(point, number_form, form, typed={}, errors={})
    checked = check(form, request.form)
    checked.typed[DAY_FIELD] = (request.form.get(DAY_FIELD) or "").strip()
    day, problem = answered_on(checked.typed[DAY_FIELD], taken)
    if problem:
        checked.errors[DAY_FIELD] = problem
    action = request.form.get("action", "check")
    if checked.errors:
        return _questions(point, number_form, form, checked.typed, checked.errors, status=422)
    if action == "edit":
        return _questions(point, number_form, form, checked.typed, {})
    if action == "save":
        return _save(point, number_form, form, checked, day)
    return _read_back(point, number_form, form, checked, day)


def today() -> date:
    """Return today's date in Vietnam."""
    return datetime.now(LOCAL_TZ).date()


def answered_on(text: str, taken) -> tuple[date | None, str | None]:
    """Return the day written on the form (None if left empty: today), or what is wrong."""
    if not text:
        return None, None
    match = _DAY.fullmatch(unicodedata.normalize("NFKC", text))
    problem = _(
        "Type the date written on the form as day/month/year, for example 25/3/2026, "
        "or leave it empty for today."
    )
    if match is None:
        return None, problem
    day, month, year = match.groups()
    year = today().year if year is None else int(year) + (2000 if len(year) == 2 else 0)
    try:
        found = date(year, int(month), int(day))
    except ValueError:
        return None, problem
    if found > today():
        return None, _("The date on the form is in the future: check the day, month and year.")
    printed = taken.printed_at if taken is not None else None
    if printed and found < datetime.fromisoformat(printed).astimezone(LOCAL_TZ).date():
        return None, _(
            "Form %(number)s was printed on %(printed)s: it cannot have been answered before.",
            number=taken.number,
            printed=format_date(datetime.fromisoformat(printed).astimezone(LOCAL_TZ).date()),
        )
    return found, None


def _paper_form(taken, number: int) -> layout.Form:
    """Return the printed form of a number: its reserved modules, or every module if blank."""
    if taken is None:
        questionnaire = wording.current_questionnaire(current_app.config)
        return layout.build(questionnaire, layout.all_modules(questionnaire), False, number)
    try:
        questionnaire = get(taken.questionnaire_id, taken.questionnaire_version)
    except KeyError:
        abort(404)  # printed with a questionnaire version this installation no longer ships
    return layout.build(questionnaire, taken.modules, taken.drawn, number)


def _number_page(point, number_form, suggested, status=200):
    """Render the first step: the form number, with the next one to enter suggested."""
    db = get_db()
    if suggested is None and not number_form.form_number.raw_data:
        suggested = store.next_to_enter(db, point["id"])
    if suggested and not number_form.form_number.raw_data:
        number_form.form_number.data = str(suggested)
    if number_form.form_number.errors:  # the error summary takes the focus, not the box
        number_form.form_number.render_kw = {"inputmode": "numeric"}
    return render_template(
        "staff/paper/entry.html",
        step="number",
        point=point,
        number_form=number_form,
        entered=store.entered_count(db, point["id"]),
    ), status


def _taken(point, number_form, number, entered_at):
    """Refuse a form number already entered at this point, naming it."""
    number_form.form_number.errors = [
        _(
            "Form %(number)s of this point was already entered (%(when)s). Check the number on "
            "the form: each form is entered once.",
            number=number,
            when=_when(entered_at),
        )
    ]
    return _number_page(point, number_form, None, status=409)


def _when(iso: str | None) -> str:
    """Return a stored UTC time as local time for the reader."""
    return local_time(iso) if iso else ""


def _questions(point, number_form, form, typed, errors, status=200):
    """Render the second step: one box per question, numbered as printed."""
    lang = current_locale()
    error_list = [(DAY_FIELD, errors[DAY_FIELD])] if DAY_FIELD in errors else []
    error_list += [
        (
            q.item.id,
            _("Question %(number)s: %(problem)s", number=q.number, problem=errors[q.item.id]),
        )
        for q in form.questions
        if q.item.id in errors
    ]
    return render_template(
        "staff/paper/entry.html",
        step="questions",
        point=point,
        number_form=number_form,
        form=form,
        typed=typed,
        errors=errors,
        error_list=error_list,
        lang=lang,
        modules_note=_modules(form, lang),
        legends={q.item.id: legend(q, lang) for q in form.questions},
        box_field=box_field,
        day_field=DAY_FIELD,
    ), status


def legend(question, lang: str) -> str:
    """Return the boxes of a question as printed: "1 Có · 2 Không · 98 Không biết"."""
    item = question.item
    parts = []
    for box in question.boxes:
        label = box.option.label(lang)
        if label == box.option.code:  # an unlabelled scale point: name the ends only
            if box.option is item.options[0]:
                label = item.low(lang)
            elif box.option is item.options[-1]:
                label = item.high(lang)
            else:
                label = ""
        parts.append(f"{box.number} {label}".strip())
    return " · ".join(parts)


def _modules(form, lang: str) -> str:
    """Say which parts of the questionnaire this form holds."""
    if not form.drawn:
        return _("This form holds every part of the questionnaire.")
    parts = [m.title(lang) for m in form.questionnaire.rotating_modules if m.id in form.modules]
    return _(
        "This form holds the questions for everyone and these parts: %(parts)s.",
        parts=", ".join(parts),
    )


def _read_back(point, number_form, form, checked, day):
    """Render the third step: every answer in words, to save or correct."""
    lang = current_locale()
    rows = []
    for question in form.questions:
        item = question.item
        value = checked.answers.get(item.id)
        rows.append(
            {
                "number": question.number,
                "text": item.text(lang),
                "answer": _said(question, value, lang),
                "skipped": item.id in checked.skipped,
                "empty": item.id in checked.empty,
            }
        )
    return render_template(
        "staff/paper/entry.html",
        step="confirm",
        point=point,
        number_form=number_form,
        form=form,
        typed=checked.typed,
        rows=rows,
        skipped=len(checked.skipped),
        day=format_date(day or today()),
    )


def _said(question, value, lang: str) -> str:
    """Return an answer in words with its box numbers: "2 · Không", or the amount in words."""
    item = question.item
    if value is None:
        return ""
    numbers = layout.box_numbers(item)
    if isinstance(value, list):
        return "; ".join(f"{numbers[c]} · {item.option(c).label(lang)}" for c in value)
    if item.type == "integer" and isinstance(value, int):
        unit = amounts.item_unit(item)
        if unit is not None:
            return readback.phrase(value * unit)
        return f"{value} {item.unit(lang)}".strip()
    if item.type == "decimal" and value not in item.all_codes():
        return readback.decimal_phrase(item, value)
    if item.type == "text":
        return value
    return f"{numbers[value]} · {item.option(value).label(lang)}"


def _save(point, number_form, form, checked, day):
    """Store the form as a response in one transaction; on to the next form number."""
    db = get_db()
    questionnaire = form.questionnaire
    answers, flags = privacy.mask_response(questionnaire, checked.answers)
    if checked.skipped:
        flags.append(SKIP_FLAG)
    if quality.is_straight_lined(questionnaire, list(form.modules), answers):
        flags.append("straight_lining")
    now = responses.iso_from_epoch(time.time())
    if day is not None and day != today():  # noon of the day written, in Vietnam time
        now = datetime.combine(day, clock(12), LOCAL_TZ).astimezone(UTC).isoformat("T", "seconds")
    record = {
        "id": uuid.uuid4().hex,
        "point_id": point["id"],
        "ward_code": point["ward_code"],
        "province_code": point["province_code"],
        "questionnaire_id": questionnaire.id,
        "questionnaire_version": questionnaire.version,
        "modules": list(form.modules),
        "answers": answers,
        "locale": "vi",
        "started_at": now,
        "submitted_at": now,
        "duration_seconds": None,
        "flags": sorted(flags),
    }
    try:
        store.enter(db, form.number, record, current_user())
    except store.FormTaken as taken:
        return _taken(point, number_form, taken.number, taken.entered_at)
    if checked.skipped:
        flash(
            _(
                "Form %(number)s is saved. It answers questions the form said to skip: they are "
                "kept and the form is listed under Flagged answers for review.",
                number=form.number,
            ),
            "info",
        )
    else:
        flash(_("Form %(number)s is saved.", number=form.number), "info")
    following = store.next_to_enter(db, point["id"], form.number)
    return redirect(url_for("paper_entry.entry", point_id=point["id"], next=following), 303)

"""Review of flagged responses: list (by flag, point, period, status), show, include or exclude.

Everyone signed in may read the responses of their scope (analysts: all, read only); ward
staff decide for their wards, province managers for their provinces, administrators for all.
A decision needs a reason and is audit-logged. No personal data is shown because none is kept.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from survey import access, collation, periods, points, quality, reviews
from survey.i18n import current_locale
from survey.locales import or_default
from survey.questionnaire import get as get_questionnaire
from survey.questionnaire.logic import is_shown
from survey.staff.auth import current_user, login_required, permission_required
from survey.webdb import get_db, page_number, row_int

bp = Blueprint("review", __name__, url_prefix="/staff/review")


def flag_label(flag: str) -> str:
    """Return the translated name of a quality flag."""
    return {
        "duplicate_browser": _("Second answer from the same phone"),
        "too_fast": _("Answered too fast to read"),
        "straight_lining": _("Same answer everywhere"),
        "honeypot": _("Hidden field filled (robot)"),
        "burst": _("Burst of answers at the point"),
        "pii_masked": _("Personal data masked"),
        "paper_skip_violated": _("Paper form answers a question it said to skip"),
    }.get(flag, flag)


class ReviewForm(FlaskForm):
    """The decision on a flagged response and its reason."""

    decision = SelectField(
        _l("Decision"),
        choices=[
            SelectChoice("", _l("Choose…")),
            SelectChoice("included", _l("Include: count this answer")),
            SelectChoice("excluded", _l("Exclude: do not count this answer")),
        ],
        validators=[DataRequired(message=_l("Choose whether to include or exclude the answer."))],
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[
            DataRequired(message=_l("Write the reason for the decision.")),
            Length(max=reviews.REASON_MAX, message=_l("Use at most %(max)d characters.")),
        ],
    )


def get_response_or_404(response_id: str) -> dict:
    """Return a response if the user may see its ward; 404 otherwise."""
    row = reviews.get_for_review(get_db(), response_id[:64])
    if row is None or not access.can_see_row(current_user(), row):
        abort(404)
    return row


def _filters() -> tuple[dict, str | None]:
    """Read the list filters from the query string; return them and a period error, if any."""
    flag = request.args.get("flag", "")
    status = request.args.get("status", "")
    filters = {
        "flag": flag if flag in quality.FLAGS else "",
        "point": request.args.get("point", 0, type=row_int) or "",
        "period": request.args.get("period", "")[:40].strip(),
        "status": status if status in reviews.STATUSES else "",
    }
    error = None
    query = dict(filters)
    if filters["period"]:
        try:
            query["period"] = periods.parse_period(filters["period"])
        except periods.PeriodError:
            error = _("The period is not valid: write for example 2026, 2026-Q1 or 2026-03.")
            query["period"] = ""
    return {"shown": filters, "query": query}, error


@bp.get("/")
@login_required
def index():
    """List the flagged responses in the user's scope, newest first."""
    db, user = get_db(), current_user()
    filters, period_error = _filters()
    page = page_number(request.args)
    scope = access.scope_clause(user)
    rows, total = reviews.list_flagged(db, scope, filters["query"], page)
    in_scope = points.list_points(db, *scope)
    point_choices = [(p["id"], p["name"]) for p in collation.sorted_by(in_scope, "name")[:500]]
    shown = filters["shown"]
    return render_template(
        "staff/review/index.html",
        rows=rows,
        total=total,
        page=page,
        pages=max((total + reviews.PAGE_SIZE - 1) // reviews.PAGE_SIZE, 1),
        filters=shown,
        filter_args={k: v for k, v in shown.items() if v},
        period_error=period_error,
        flags=quality.FLAGS,
        counts=reviews.flag_counts(db, scope),
        point_choices=point_choices,
        flag_label=flag_label,
    ), (400 if period_error else 200)


@bp.get("/<response_id>")
@login_required
def show(response_id):
    """Show one flagged response: its flags, answers and review state."""
    row = get_response_or_404(response_id)
    return _render_show(row, ReviewForm(formdata=None))


@bp.post("/<response_id>")
@permission_required("decide_reviews")
def decide(response_id):
    """Include or exclude a response, with a reason (audit-logged)."""
    row = get_response_or_404(response_id)
    form = ReviewForm()
    if not form.validate_on_submit():
        return _render_show(row, form, status=422)
    reviews.decide(get_db(), current_user(), row["id"], form.decision.data, form.reason.data)
    if form.decision.data == "excluded":
        flash(_("The answer is excluded: it no longer counts in results."), "info")
    else:
        flash(_("The answer is included: it counts in results."), "info")
    return redirect(url_for("review.show", response_id=row["id"]))


def _render_show(row: dict, form, status: int = 200):
    """Render one response with its answers labelled from its questionnaire."""
    return render_template(
        "staff/review/show.html",
        row=row,
        form=form,
        answers=labelled_answers(row),
        skipped=skipped_on_paper(row),
        flag_label=flag_label,
        can_decide=access.can_decide_review(current_user(), row),
    ), status


def skipped_on_paper(row: dict) -> list[str]:
    """Return the questions a paper form answers although its skips said to skip them."""
    if row.get("mode") != "paper":
        return []
    try:
        questionnaire = get_questionnaire(row["questionnaire_id"], row["questionnaire_version"])
    except KeyError:
        return []
    lang = or_default(current_locale())
    answers = row["answers"]
    return [
        item.text(lang)
        for item_id, item in questionnaire.items.items()
        if item_id in answers and not is_shown(item, answers)
    ]


def labelled_answers(row: dict) -> list[tuple[str, str]]:
    """Return (question, answer) pairs in questionnaire order, in the interface language."""
    lang = or_default(current_locale())
    try:
        questionnaire = get_questionnaire(row["questionnaire_id"], row["questionnaire_version"])
    except KeyError:
        return [(key, str(value)) for key, value in sorted(row["answers"].items())]
    pairs = []
    for item_id, item in questionnaire.items.items():
        if item_id not in row["answers"]:
            continue
        value = row["answers"][item_id]
        codes = value if isinstance(value, list) else [value]
        labels = []
        for code in codes:
            try:
                labels.append(item.option(str(code)).label(lang))
            except KeyError:
                labels.append(str(code))
        pairs.append((item.text(lang), ", ".join(labels)))
    return pairs

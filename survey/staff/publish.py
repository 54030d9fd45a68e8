"""Publishing results: a province manager or administrator publishes a province's quarter.

The web side of survey/publishing.py: a form (province in the user's scope, quarter), the list
of what was published and by whom, and the translated reason when publishing is refused.
"""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from survey import access, publishing, units
from survey.public import cache as public_cache
from survey.staff.auth import current_user, form_status, permission_required
from survey.webdb import get_db

bp = Blueprint("publish", __name__, url_prefix="/staff/publish")


class PublishForm(FlaskForm):
    """The province and the quarter to publish."""

    province = SelectField(
        _l("Province"),
        validators=[DataRequired(message=_l("Choose a province."))],
        validate_choice=False,
    )
    period = StringField(
        _l("Quarter"),
        validators=[DataRequired(message=_l("Write the quarter, for example 2026-Q1."))],
    )


def refusal(code: str) -> str:
    """Return the translated reason a publication was refused."""
    return {
        "unknown_province": _("This province is not known."),
        "not_allowed": _("You may publish only the results of your own province."),
        "bad_period": _("The quarter is not valid: write for example 2026-Q1."),
        "not_a_quarter": _("Results are published per quarter: write for example 2026-Q1."),
        "not_over": _("This quarter is not over yet: publish it once it has ended."),
        "no_answers": _("Nobody in this province answered during this quarter."),
    }.get(code, code)


def _provinces(user: dict) -> list[dict]:
    """Return the provinces the user may publish."""
    db = get_db()
    codes = access.managed_province_codes(user)
    return units.list_provinces(db, codes)


@bp.route("/", methods=["GET", "POST"])
@permission_required("publish")
def index():
    """Show the publishing form and the publications of the user's provinces; publish."""
    db, user = get_db(), current_user()
    provinces = _provinces(user)
    form = PublishForm()
    form.province.choices = [SelectChoice(p["code"], p["name"]) for p in provinces]
    if form.validate_on_submit():
        if form.province.data not in {p["code"] for p in provinces}:
            abort(404)
        config = current_app.config
        try:
            row = publishing.publish(
                db,
                user,
                form.province.data,
                form.period.data,
                cap=config["WEIGHT_TRIM_CAP"],
                prior_m=float(config["SMOOTHING_PRIOR_N"]),
                questionnaire=config["QUESTIONNAIRE"],
            )
        except publishing.PublishError as exc:
            form.period.errors = [*form.period.errors, refusal(exc.code)]
        else:
            public_cache.clear()  # this worker's copies; the others see a new publication id
            message = (
                _("The corrected results of %(period)s are published.", period=row["period"])
                if row["corrects"]
                else _("The results of %(period)s are published.", period=row["period"])
            )
            flash(message, "success")
            return redirect(url_for("publish.index"))
    names = {p["code"]: p["name"] for p in provinces}
    codes = access.managed_province_codes(user)
    return render_template(
        "staff/publish.html",
        form=form,
        rows=publishing.list_publications(db, codes),
        names=names,
    ), form_status()

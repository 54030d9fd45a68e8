"""Analysts' pages under /staff/analysis: estimates, methodology, margins, baselines.

Analysts and administrators see every unit; province managers and ward staff see the units of
their scope only (a unit outside it answers 404). The pages never compute a statistic: they
call survey.estimates, the same code as the CSV export.
"""

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms.validators import InputRequired

from survey import accounts, baselines, csvout, estimates, margins, units
from survey.estimates import COLUMNS
from survey.periods import PeriodError, quarter_of
from survey.questionnaire import catalogue
from survey.staff.auth import current_user, get_ward_or_404, login_required, role_required
from survey.webdb import get_db, open_db

bp = Blueprint("analysis", __name__, url_prefix="/staff/analysis")
QUESTIONNAIRE = ("papi-pulse-core", 1)
FLAG_REASONS = {
    "no_data": _l("no answers"),
    "hidden_small_cell": _l("fewer than 5 answers (hidden to protect respondents)"),
    "suppressed_n_eff": _l("effective sample size under 30"),
    "suppressed_width": _l("interval too wide"),
    "suppressed_relative_width": _l("interval too wide for the size of the share"),
    "no_variance": _l("too few answers for an interval"),
}


class MarginsForm(FlaskForm):
    """A margins CSV file."""

    file = FileField(
        _l("Margins file (CSV)"),
        validators=[InputRequired(message=_l("Choose a CSV file to upload."))],
    )


def _unit_or_404(unit_type, code):
    """Check the unit exists and is in the user's scope; return (provinces, ward scope)."""
    user = current_user()
    if unit_type == "ward":
        ward = get_ward_or_404(code)
        return [ward["province_code"]], {code}
    if unit_type == "province":
        if units.get_province(get_db(), code) is None:
            abort(404)
        if user["role"] not in (
            accounts.ADMINISTRATOR,
            accounts.ANALYST,
            accounts.PROVINCE_MANAGER,
        ) or (user["role"] == accounts.PROVINCE_MANAGER and code not in user["scopes"]):
            abort(404)
        return [code], None
    if user["role"] not in (accounts.ADMINISTRATOR, accounts.ANALYST):
        abort(404)
    return None, None


def _selection():
    """Return (unit type, code, period) from the query string, 400 on a bad period."""
    unit_type = request.args.get("unit", "")
    code = request.args.get("code", "").strip()
    text = request.args.get("period", "").strip()
    try:
        period = estimates.parse_periods(text) if text else quarter_of(_today())
    except PeriodError:
        abort(
            400,
            _(
                "The period is not understood: use 2026-Q1, 2026-03, 2026 or a range "
                "such as 2026-01-01..2026-02-15."
            ),
        )
    if unit_type not in ("ward", "province", "all"):
        unit_type = ""
    return unit_type, code, period


def _today():
    """Return today's date in Vietnam."""
    from datetime import datetime

    from survey.periods import LOCAL_TZ

    return datetime.now(LOCAL_TZ).date()


def _rows(unit_type, code, period):
    """Return the estimate rows (dicts) of one unit and period."""
    provinces, scope = _unit_or_404(unit_type, code)
    questionnaire = catalogue.get(*QUESTIONNAIRE)
    rows = estimates.run(
        get_db(), questionnaire, [period], (unit_type,), ward_scope=scope, provinces=provinces
    )
    return [
        dict(zip(COLUMNS, row, strict=True)) for row in rows if unit_type == "all" or row[6] == code
    ]


@bp.get("/")
@login_required
def index():
    """Show the estimates of one unit and period, each with n, flag and baseline."""
    unit_type, code, period = _selection()
    rows = _rows(unit_type, code, period) if unit_type else []
    return render_template(
        "analysis/index.html",
        rows=rows,
        unit_type=unit_type,
        code=code,
        period=period,
        reasons=FLAG_REASONS,
    )


@bp.get("/estimates.csv")
@login_required
def export():
    """Download the estimates of one unit and period as CSV (Excel preset with ?excel=1)."""
    unit_type, code, period = _selection()
    if not unit_type:
        abort(400, _("Choose a ward, a province or the whole country."))
    provinces, scope = _unit_or_404(unit_type, code)
    app = current_app._get_current_object()

    def rows():
        # The response streams after the request's connection is closed: use our own.
        db = open_db(app)
        try:
            yield from estimates.run(
                db,
                catalogue.get(*QUESTIONNAIRE),
                [period],
                (unit_type,),
                ward_scope=scope,
                provinces=provinces,
            )
        finally:
            db.close()

    dialect = "excel" if request.args.get("excel") else "plain"
    name = f"estimates-{unit_type}-{code or 'vn'}-{period.label}.csv".replace("..", "_")
    return Response(
        csvout.stream(COLUMNS, rows(), dialect),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/methodology")
@login_required
def methodology():
    """Explain the method: opt-in sample, weights, intervals, suppression, baselines."""
    return render_template("analysis/methodology.html")


@bp.route("/margins", methods=["GET", "POST"])
@role_required(accounts.ANALYST, accounts.ADMINISTRATOR)
def margins_page():
    """Upload a margins file; list the sets loaded (history)."""
    form = MarginsForm()
    problems, status = [], 200
    if request.method == "POST":
        if form.validate_on_submit():
            upload = form.file.data
            try:
                set_id = margins.load(
                    get_db(),
                    upload.read(),
                    upload.filename or "margins.csv",
                    current_user()["username"],
                )
            except margins.MarginError as exc:
                problems = [_problem(p) for p in exc.problems]
            else:
                flash(_("Margin set %(id)d is now in force.", id=set_id), "success")
                return redirect(url_for("analysis.margins_page"))
        status = 422
    return render_template(
        "analysis/margins.html", form=form, problems=problems, sets=margins.list_sets(get_db())
    ), status


def _problem(problem):
    """Return the translated sentence of a margins problem."""
    d = dict(problem.detail, line=problem.line)
    texts = {
        "encoding": _("The file is not UTF-8 text."),
        "header": _("The first line must be exactly: unit_code,variable,category,population."),
        "columns": _("Line %(line)s: expected 4 values.", **d),
        "empty": _("The file has no margin rows."),
        "unit": _("Line %(line)s: unknown ward code %(unit)s.", **d) if "unit" in d else "",
        "variable": _("Line %(line)s: unknown weighting variable %(variable)s.", **d)
        if "variable" in d and problem.code == "variable"
        else "",
        "category": _("Line %(line)s: %(category)s is not a category of %(variable)s.", **d)
        if problem.code == "category"
        else "",
        "population": _(
            "Line %(line)s: population %(value)s is not a whole number of zero or more.", **d
        )
        if problem.code == "population"
        else "",
        "duplicate": _("Line %(line)s: %(unit)s %(variable)s %(category)s was already given.", **d)
        if problem.code == "duplicate"
        else "",
        "missing": _("Ward %(unit)s: %(variable)s has no row for category %(category)s.", **d)
        if problem.code == "missing"
        else "",
        "totals": _(
            "Ward %(unit)s: %(variable)s adds up to %(total)s, but %(first)s adds up "
            "to %(expected)s.",
            **d,
        )
        if problem.code == "totals"
        else "",
    }
    return texts[problem.code]


@bp.get("/baselines")
@login_required
def baselines_page():
    """List the official PAPI scores stored as baselines."""
    baselines.ensure_shipped(get_db())
    return render_template("analysis/baselines.html", rows=baselines.list_baselines(get_db()))

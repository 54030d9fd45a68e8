"""Analysts' pages under /staff/analysis: estimates, methodology, margins, baselines.

Analysts and administrators see every unit; province managers and ward staff see the units of
their scope only (a unit outside it answers 404). The pages never compute a statistic: they
call survey.estimation, the same code as the CSV export.
"""

from datetime import datetime

from babel.numbers import format_decimal
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
from flask_babel import ngettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from survey import (
    access,
    baselines,
    csvout,
    margins,
    overview,
    responses,
    similar,
    targets,
    units,
)
from survey import estimation as estimates
from survey.analysis import picker, present
from survey.estimation import cache as estimate_cache
from survey.estimation import names as estimate_names
from survey.i18n import current_locale
from survey.periods import LOCAL_TZ, PeriodError
from survey.questionnaire import catalogue
from survey.questionnaires import current_questionnaire
from survey.staff.auth import (
    current_user,
    get_ward_or_404,
    login_required,
    permission_required,
)
from survey.webdb import get_db, open_db

bp = Blueprint("analysis", __name__, url_prefix="/staff/analysis")
PERIOD_HINT = _l("2026, 2026-Q1, 2026-03, rolling:2026-Q3 or 2026-01-01..2026-02-15")


class MarginsForm(FlaskForm):
    """A margins CSV file."""

    file = FileField(
        _l("Margins file (CSV)"),
        validators=[InputRequired(message=_l("Choose a CSV file to upload."))],
    )


class TargetsForm(FlaskForm):
    """A PAPI plan targets CSV file."""

    file = FileField(
        _l("Targets file (CSV)"),
        validators=[InputRequired(message=_l("Choose a CSV file to upload."))],
    )


class PickerForm(FlaskForm):
    """Find a ward by name, or pick a province (a GET form: no CSRF token needed)."""

    class Meta:
        csrf = False

    period = StringField(_l("Period"))
    q = StringField(_l("Name of the ward or commune"))
    code = SelectField(_l("Province"), validate_choice=False)


class CodeForm(FlaskForm):
    """Enter a unit by its code (links and bookmarks use the same parameters)."""

    class Meta:
        csrf = False

    unit = SelectField(
        _l("Unit"),
        id="entry-unit",
        choices=[
            SelectChoice("ward", _l("Ward or commune")),
            SelectChoice("province", _l("Province")),
            SelectChoice("all", _l("Whole country")),
        ],
        validate_choice=False,
    )
    code = StringField(_l("Code"), id="entry-code")
    period = StringField(_l("Period"), id="entry-period")


def _unit_or_404(unit_type, code):
    """Check the unit exists and is in the user's scope; return (provinces, ward scope, name)."""
    user = current_user()
    if unit_type == "ward":
        ward = get_ward_or_404(code)
        name = f"{ward['name']}, {ward['province_name']}"
        return [ward["province_code"]], {code}, name
    if unit_type == "province":
        province = units.get_province(get_db(), code)
        if province is None or not access.can_see_province(user, code):
            abort(404)
        return [code], None, province["name"]
    if not access.sees_country(user):
        abort(404)
    return None, None, _("Whole country")


def _selection():
    """Return (unit type, code, period, period text) from the query string, 400 if bad."""
    unit_type = request.args.get("unit", "")
    code = request.args.get("code", "").strip()
    text = request.args.get("period", "").strip()
    try:
        period = estimates.parse_periods(text) if text else None
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
    if unit_type in ("ward", "province") and not code:
        abort(400, _("Enter the code of the ward, commune or province."))
    if period is None:
        period = _opening_period(unit_type, code)
    return unit_type, code, period, text or period.label


def _opening_period(unit_type, code):
    """Return the latest quarter with a reliable estimate for the unit, or the user's scope."""
    unit = None
    if unit_type:
        provinces, wards, _name = _unit_or_404(unit_type, code)
        unit = (unit_type, code, provinces[0] if provinces else None, wards)
    where, params = access.scope_clause(current_user())
    pinned = _pinned()
    return overview.opening_period(
        get_db(), _today(), pinned or _questionnaire(), _reliable, unit, where, params,
        pinned is not None,
    )  # fmt: skip


def _pinned():
    """Return the questionnaire asked for with ?questionnaire= (400 if none such), else None."""
    return _questionnaire() if request.args.get("questionnaire", "").strip() else None


def _reliable(period, unit_type, code):
    """Tell whether a unit has a shown total or dimension in the period (rows are cached)."""
    rows = _rows(unit_type, code, period, _unit_or_404(unit_type, code))
    return any(row["shown"] and row["level"] in ("total", "dimension") for row in rows)


def _today():
    """Return today's date in Vietnam."""
    return datetime.now(LOCAL_TZ).date()


def _questionnaire(period=None, scope=None):
    """Return the questionnaire asked for (?questionnaire=id:version), 400 if there is none.

    Not asked: with a period, the version of the current questionnaire most answered in it
    within the scope (``(provinces, ward scope, name)``; none: the user's wards), so that a
    quarter answered before a change of version opens on its answers; else the current one.
    """
    text = request.args.get("questionnaire", "").strip()
    if not text:
        if period is None:
            return current_questionnaire()
        if scope is None:  # no unit: the wards the user may see (the picker's list)
            where, params = access.scope_clause(current_user())
            return overview.answered_version(
                get_db(), period, current_questionnaire(), where=where, params=params
            )
        provinces, wards = scope[:2]
        province = provinces[0] if provinces and len(provinces) == 1 else None
        return overview.answered_version(get_db(), period, current_questionnaire(), province, wards)
    qid, _sep, version = text.partition(":")
    try:
        return catalogue.get(qid, int(version))
    except (KeyError, ValueError):
        abort(
            400,
            _(
                "There is no questionnaire %(name)s: choose one of the versions listed on the "
                "estimates page.",
                name=text[:60],
            ),
        )


def _versions():
    """Return the versions of the current questionnaire's id, newest first, as id:version."""
    current = current_questionnaire()
    return [
        (f"{qid}:{version}", version)
        for qid, version in sorted(catalogue.available(), reverse=True)
        if qid == current.id
    ]


def _mode() -> str | None:
    """Return the answer mode asked for (?mode=web or paper; none: both), 400 if unknown."""
    mode = request.args.get("mode") or None
    if mode not in (None, "web", "paper"):
        abort(400, _("Choose answers on a phone, on paper, or both."))
    return mode


def _rows(unit_type, code, period, scope, questionnaire=None):
    """Return the estimate rows (dicts) of one unit and period, with the configured method.

    Without a questionnaire, the one the page shows for that period and scope (_questionnaire).
    """
    provinces, wards, _name = scope
    config = current_app.config
    return estimate_cache.unit_rows(
        get_db(),
        questionnaire or _questionnaire(period, scope),
        period,
        unit_type,
        code,
        wards,
        provinces,
        config["WEIGHT_TRIM_CAP"],
        float(config["SMOOTHING_PRIOR_N"]),
        _mode(),
    )


def _picker(period, text, province, with_list, current):
    """Return the picker's forms and lists, limited to the signed-in user's scope."""
    db, user = get_db(), current_user()
    where, params = access.scope_clause(user)
    form = PickerForm(request.args)
    form.period.data = text
    provinces = access.visible_provinces(db, user)
    form.code.choices = [SelectChoice(p["code"], p["name"]) for p in provinces]
    form.code.data = province
    entry = CodeForm(request.args)
    entry.period.data = text
    if not form.code.choices:
        entry.unit.choices = entry.unit.choices[:1]
    elif not access.sees_country(user):
        entry.unit.choices = entry.unit.choices[:2]
    key = (current.id, current.version)
    listed = (
        responses.wards_with_responses(db, period, key, where, params, picker.MAX_LISTED)
        if with_list
        else None
    )
    return {
        "form": form,
        "entry": entry,
        "found": picker.search(db, form.q.data or "", where, params),
        "country": access.sees_country(user),
        "periods": picker.suggested_periods(_today(), text),
        "listed": listed,
        "most": picker.MAX_LISTED,
    }


@bp.get("/")
@login_required
def index():
    """Pick a unit and period; show its summary, then the detail, each with n and flag."""
    unit_type, code, period, text = _selection()
    scope = _unit_or_404(unit_type, code) if unit_type else None
    questionnaire = _questionnaire(period, scope)
    report = unit_name = baseline = province = likes = before = None
    plan = {}
    if unit_type:
        unit_name = scope[2]
        rows = _rows(unit_type, code, period, scope, questionnaire)
        report = present.build(rows, questionnaire, current_locale())
        before = overview.version_before(
            get_db(), period, questionnaire, scope[0][0] if scope[0] else None, scope[1]
        )
        if scope[0] and len(scope[0]) == 1:
            province = scope[0][0]
            baseline = baselines.blend(get_db(), province)
            plan = _plan(report, province, period)
        # Wards like this one are other wards' answers: only for a user who may see them all.
        ward = get_ward_or_404(code) if unit_type == "ward" else None
        if ward and access.can_see_province(current_user(), ward["province_code"]):
            config = current_app.config
            likes = similar.compare(get_db(), questionnaire, period, ward, rows,
                                    config["WEIGHT_TRIM_CAP"], float(config["SMOOTHING_PRIOR_N"]),
                                    _mode())  # fmt: skip
    return render_template(
        "analysis/index.html",
        report=report,
        present_chart=present.chart(report.dimensions) if report else None,
        unit_type=unit_type,
        code=code,
        unit_name=unit_name,
        period=period,
        period_text=text,
        baseline=baseline,
        plan=plan,
        plan_year=period.last_day.year,
        can_set_targets=access.can(current_user(), "set_targets"),
        picker=_picker(period, text, province, not unit_type, questionnaire),
        rules=present.flag_rules(),
        hint=PERIOD_HINT,
        mode=_mode(),
        questionnaire=questionnaire,
        chosen=f"{questionnaire.id}:{questionnaire.version}"
        if request.args.get("questionnaire")
        else None,
        versions=_versions(),
        version_before=before,
        similar=likes,
    )


def _plan(report, province, period):
    """Return {summary key: (target, verdict in words)} of the province's plan that year."""
    found = targets.current(get_db(), province, period.last_day.year)
    plan = {}
    for line in report.lines():
        target = found.get(line.row["key"])
        if target is not None:
            verdict = targets.progress(line.row, target)
            plan[line.row["key"]] = (target, str(present.PROGRESS_WORDS[verdict]))
    return plan


@bp.get("/estimates.csv")
@login_required
def export():
    """Download the estimates of one unit and period as CSV (Excel preset with ?excel=1)."""
    unit_type, code, period, _text = _selection()
    if not unit_type:
        abort(400, _("Choose a ward, a province or the whole country."))
    provinces, scope, _name = _unit_or_404(unit_type, code)
    app = current_app._get_current_object()
    mode = _mode()
    lang, words = current_locale(), present.name_words()
    questionnaire = _questionnaire(period, (provinces, scope, _name))

    def rows():
        # The response streams after the request's connection is closed: use our own.
        db = open_db(app)
        try:
            found = estimates.run(
                db,
                questionnaire,
                [period],
                (unit_type,),
                cap=app.config["WEIGHT_TRIM_CAP"],
                prior_m=float(app.config["SMOOTHING_PRIOR_N"]),
                ward_scope=scope,
                provinces=provinces,
                mode=mode,
            )
            yield from estimate_names.with_names(found, db, questionnaire, lang, words)
        finally:
            db.close()

    dialect = "excel" if request.args.get("excel") else "plain"
    name = f"estimates-{unit_type}-{code or 'vn'}-{period.label}{'-' + mode if mode else ''}.csv"
    name = name.replace("..", "_")
    return Response(
        csvout.stream(estimate_names.NAMED_COLUMNS, rows(), dialect),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/methodology")
@login_required
def methodology():
    """Explain the method: opt-in sample, weights, intervals, suppression, baselines."""
    config = current_app.config
    return render_template(
        "analysis/methodology.html",
        trim_cap=format_decimal(float(config["WEIGHT_TRIM_CAP"]), locale=current_locale()),
        prior_n=format_decimal(float(config["SMOOTHING_PRIOR_N"]), locale=current_locale()),
    )


@bp.route("/margins", methods=["GET", "POST"])
@permission_required("set_margins")
def margins_page():
    """Upload a margins file; list the sets loaded (history)."""
    form = MarginsForm()
    problems, status = [], 200
    if request.method == "POST":
        if form.validate_on_submit():
            upload = form.file.data
            try:
                set_id = margins.upload(
                    get_db(), current_user(), upload.read(), upload.filename or "margins.csv"
                )["id"]
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


@bp.route("/targets", methods=["GET", "POST"])
@permission_required("set_targets")
def targets_page():
    """Upload a province's PAPI plan targets; list the targets loaded (history)."""
    form, user = TargetsForm(), current_user()
    provinces = access.target_provinces(user)
    problems, status = [], 200
    if request.method == "POST":
        if form.validate_on_submit():
            upload = form.file.data
            try:
                loaded = targets.load(
                    get_db(), user, upload.read(), upload.filename or "targets.csv", provinces
                )
            except targets.TargetError as exc:
                problems = [_target_problem(p) for p in exc.problems]
            else:
                flash(
                    ngettext("%(num)d target loaded.", "%(num)d targets loaded.", loaded["rows"]),
                    "success",
                )
                return redirect(url_for("analysis.targets_page"))
        status = 422
    return render_template(
        "analysis/targets.html",
        form=form,
        problems=problems,
        rows=targets.history(get_db(), provinces),
        names={p["code"]: p["name"] for p in units.list_provinces(get_db())},
    ), status


def _target_problem(problem):
    """Return the translated sentence of a targets problem."""
    d = dict(problem.detail, line=problem.line)
    code = problem.code
    if code == "encoding":
        return _("The file is not UTF-8 text.")
    if code == "header":
        return _("The first line must be exactly: province_code,year,dimension,target.")
    if code == "columns":
        return _("Line %(line)s: expected 4 values.", **d)
    if code == "empty":
        return _("The file has no target rows.")
    if code == "province":
        return _("Line %(line)s: unknown province code %(province)s.", **d)
    if code == "scope":
        return _("Line %(line)s: province %(province)s is not one of yours.", **d)
    if code == "year":
        return _("Line %(line)s: year %(year)s is not a year such as 2026.", **d)
    if code == "dimension":
        return _("Line %(line)s: unknown dimension %(dimension)s; use total or D1 to D8.", **d)
    if code == "target":
        return _(
            "Line %(line)s: target %(target)s is not a number from %(low)s to %(high)s.",
            line=d["line"],
            target=d["target"],
            low=format_decimal(d["low"], locale=current_locale()),
            high=format_decimal(d["high"], locale=current_locale()),
        )
    return _(
        "Line %(line)s: %(province)s %(year)s %(dimension)s was already given on line %(first)s.",
        **d,
    )

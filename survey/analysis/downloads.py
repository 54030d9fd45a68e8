"""Analysts' downloads: the responses export and the codebook as streamed CSV files.

Every signed-in staff member may download; province managers and ward staff get only the
responses of their own units (a unit outside their scope answers 404, as elsewhere).
"""

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    request,
    stream_with_context,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from survey import accounts, exports
from survey.periods import PeriodError, parse_period
from survey.questionnaire import shipped
from survey.staff.auth import current_user, login_required, scope_sql
from survey.webdb import get_db, open_db

bp = Blueprint("downloads", __name__, url_prefix="/analysis/downloads")


def _check_unit(form, field):
    """Accept ward:CODE, province:CODE, point:ID or a bare ward or province code."""
    try:
        exports.parse_unit(field.data)
    except exports.ExportError:
        raise ValidationError(
            _("Enter a ward code (5 digits), a province code (2 digits) or point:ID.")
        ) from None


def _check_period(form, field):
    """Accept the period grammar of survey.periods."""
    try:
        parse_period(field.data)
    except PeriodError:
        raise ValidationError(
            _("Enter a period such as 2026, 2026-Q1, 2026-03 or 2026-01-01..2026-02-15.")
        ) from None


def _check_questionnaire(form, field):
    """Accept an empty choice (the default questionnaire) or a shipped id:version."""
    if field.data and field.data not in [choice.value for choice in field.choices]:
        raise ValidationError(_("Choose a questionnaire from the list."))


def _questionnaire_choices() -> list:
    """Return the shipped questionnaire versions, newest first."""
    keys = sorted(shipped(), key=lambda key: (key[0], -key[1]))
    return [SelectChoice(f"{qid}:{version}", f"{qid} v{version}") for qid, version in keys]


class FilterForm(FlaskForm):
    """Which responses to download, and how (a GET form: no CSRF token needed)."""

    class Meta:
        csrf = False

    unit = StringField(_l("Ward, province or collection point"),
                       validators=[Optional(), _check_unit])  # fmt: skip
    period = StringField(_l("Period"), validators=[Optional(), _check_period])
    questionnaire = SelectField(
        _l("Questionnaire"), validate_choice=False, validators=[_check_questionnaire]
    )
    labels = SelectField(
        _l("Answers as"),
        choices=[
            SelectChoice("", _l("Codes (for R, Stata, re-import)")),
            SelectChoice("vi", _l("Vietnamese labels")),
            SelectChoice("en", _l("English labels")),
        ],
        validators=[Optional()],
    )
    excel = BooleanField(_l("For Excel (byte-order mark, Windows line ends)"))
    excluded = BooleanField(_l("Include responses excluded in review"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.questionnaire.choices = _questionnaire_choices()


@bp.get("/")
@login_required
def index():
    """Show the downloads and the filter form."""
    form = FilterForm(request.args)
    return render_template("analysis/downloads/index.html", form=form)


@bp.get("/responses.csv")
@login_required
def responses():
    """Stream the responses export for the filters, limited to the user's scope."""
    form = FilterForm(request.args)
    if not form.validate():
        return render_template("analysis/downloads/index.html", form=form), 400
    user = current_user()
    filters = exports.Filters(
        questionnaire=_key(form.questionnaire.data),
        unit=exports.parse_unit(form.unit.data) if form.unit.data else None,
        period=parse_period(form.period.data) if form.period.data else None,
        include_excluded=form.excluded.data,
    )
    if user["role"] not in (accounts.ADMINISTRATOR, accounts.ANALYST):
        filters.scope = scope_sql(user)
        if filters.unit and not _unit_in_scope(filters):
            abort(404)
    db = open_db(current_app)  # the stream outlives the request's own connection
    try:
        table = exports.export_responses(db, filters, form.labels.data or None)
    except exports.ExportError:
        db.close()
        abort(404)  # a unit that does not exist
    return _download(_closing(exports.stream(table, _dialect(form)), db), _filename(form))


def _closing(chunks, db):
    """Yield the chunks, then close the connection they were read from."""
    try:
        yield from chunks
    finally:
        db.close()


@bp.get("/codebook.csv")
@login_required
def codebook():
    """Stream the codebook of a questionnaire version."""
    form = FilterForm(request.args)
    key = _key(form.questionnaire.data) or (exports.DEFAULT_QUESTIONNAIRE, None)
    try:
        questionnaire = exports.parse_questionnaire(":".join(str(k) for k in key if k))
    except exports.ExportError:
        abort(404)
    table = exports.export_codebook(questionnaire)
    name = f"codebook-{questionnaire.id}-v{questionnaire.version}.csv"
    return _download(exports.stream(table, _dialect(form)), name)


def _key(value: str | None) -> tuple[str, int] | None:
    """Return (id, version) of a questionnaire choice, or None for the default."""
    if not value:
        return None
    qid, _sep, version = value.partition(":")
    return qid, int(version)


def _unit_in_scope(filters: exports.Filters) -> bool:
    """Tell whether the filtered unit is one the user may see."""
    kind, code = filters.unit
    where, params = filters.scope
    column = {"ward": "w.code", "province": "w.province_code"}.get(kind)
    if column is None:  # a collection point: look at its ward
        sql = f"SELECT 1 FROM points p JOIN wards w ON w.code = p.ward_code WHERE p.id = ? AND {where}"  # noqa: E501
        return get_db().execute(sql, [int(code), *params]).fetchone() is not None
    sql = f"SELECT 1 FROM wards w WHERE {column} = ? AND {where} LIMIT 1"
    return get_db().execute(sql, [code, *params]).fetchone() is not None


def _dialect(form: FilterForm) -> str:
    """Return the CSV dialect the form asks for."""
    return "excel" if form.excel.data else "plain"


def _filename(form: FilterForm) -> str:
    """Return a download name that says what the file holds."""
    parts = ["responses", (form.questionnaire.data or exports.DEFAULT_QUESTIONNAIRE)]
    parts += [form.unit.data, form.period.data]
    if form.labels.data:
        parts.append(f"labels-{form.labels.data}")
    if form.excluded.data:
        parts.append("with-excluded")
    safe = "-".join(p for p in parts if p)
    return "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in safe) + ".csv"


def _download(chunks, filename: str) -> Response:
    """Return a streamed CSV attachment."""
    response = Response(stream_with_context(chunks), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response

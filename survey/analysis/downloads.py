"""Analysts' downloads: the responses export and the codebook as CSV, Excel, SPSS or Stata.

Every signed-in staff member may download any format; province managers and ward staff get
only the responses of their own units (a unit outside their scope answers 404, as elsewhere).
CSV streams as it is read; the other formats are written to a temporary file first (their
writers need the whole file), then sent and deleted. The form submits to responses.csv with
a ``format`` field and is redirected to the URL of the chosen format, so that each format
keeps its own address and file name.
"""

import shutil
import tempfile
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wsgi import ClosingIterator, wrap_file
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from survey import access, exportfiles, exports, statout, xlsxout
from survey.periods import PeriodError, parse_period
from survey.questionnaire.catalogue import available
from survey.staff.auth import current_user, login_required
from survey.webdb import get_db, open_db

bp = Blueprint("downloads", __name__, url_prefix="/analysis/downloads")
# Responses in one xlsx, sav or dta file made by this page. The file is written before the
# first byte is sent and gunicorn ends a worker after 30 s (survey/gunicorn_conf.py): xlsx,
# the slowest, writes about 3,000 rows per CPU second (bench/export_formats.py), so 50,000
# rows (a large province's year) take about 17 s. Larger files come from the command line.
WEB_FILE_ROWS = 50_000


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
    """Accept an empty choice (the default questionnaire) or a known id:version."""
    if field.data and field.data not in [choice.value for choice in field.choices]:
        raise ValidationError(_("Choose a questionnaire from the list."))


def _questionnaire_choices() -> list:
    """Return the questionnaire versions (shipped and the instance's), newest first."""
    keys = sorted(available(), key=lambda key: (key[0], -key[1]))
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
    format = SelectField(
        _l("File type"),
        choices=[
            SelectChoice("csv", _l("CSV (UTF-8), for any program")),
            SelectChoice("xlsx", _l("Excel workbook (.xlsx), with a codebook sheet")),
            SelectChoice("sav", _l("SPSS (.sav), with variable and value labels")),
            SelectChoice("dta", _l("Stata (.dta), with variable and value labels")),
        ],
        validators=[Optional()],
        validate_choice=False,
    )
    mode = SelectField(
        _l("How people answered"),
        choices=[
            SelectChoice("", _l("On a phone and on paper")),
            SelectChoice("web", _l("On a phone only")),
            SelectChoice("paper", _l("On paper only")),
        ],
        validators=[Optional()],
    )
    excel = BooleanField(_l("For Excel (byte-order mark, Windows line ends)"))
    excluded = BooleanField(_l("Include responses excluded in review"))
    unflagged = BooleanField(_l("Leave out responses with quality flags"))

    def validate_format(self, field):
        """Accept an empty choice (CSV) or one of the formats."""
        if field.data and field.data not in exportfiles.FORMATS:
            raise ValidationError(_("Choose a file type from the list."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.questionnaire.choices = _questionnaire_choices()


@bp.get("/")
@login_required
def index():
    """Show the downloads and the filter form."""
    form = FilterForm(request.args)
    return render_template("analysis/downloads/index.html", form=form)


_FILE_FORMATS = "any(" + ", ".join(exportfiles.FILE_FORMATS) + ")"


@bp.get("/responses.csv", defaults={"ext": "csv"})
@bp.get(f"/responses.<{_FILE_FORMATS}:ext>")
@login_required
def responses(ext):
    """Send the responses export for the filters, limited to the user's scope."""
    form = FilterForm(request.args)
    if not form.validate():
        return render_template("analysis/downloads/index.html", form=form), 400
    chosen = form.format.data or ext
    if chosen != ext:
        return redirect(_url_for_format("downloads.responses", chosen))
    user = current_user()
    filters = exports.Filters(
        questionnaire=_key(form.questionnaire.data),
        unit=exports.parse_unit(form.unit.data) if form.unit.data else None,
        period=parse_period(form.period.data) if form.period.data else None,
        include_excluded=form.excluded.data,
        include_flagged=not form.unflagged.data,
        mode=form.mode.data or None,
    )
    if not access.sees_country(user):
        filters.scope = access.scope_clause(user)
        if filters.unit and not access.touches(get_db(), user, *filters.unit):
            abort(404)
    if ext != "csv":
        return _file_download(form, ext, filters)
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


def _file_download(form: FilterForm, ext: str, filters: exports.Filters) -> Response:
    """Write the responses as xlsx, sav or dta and send the file, or say why not (4xx/501)."""
    refusal = _refusal(ext, filters)
    if refusal:
        message, status = refusal
        form.format.errors = [message]
        return render_template("analysis/downloads/index.html", form=form), status
    name = _filename(form).removesuffix(".csv") + f".{ext}"
    labels = form.labels.data or None

    def write(path):
        exportfiles.write_responses(get_db(), path, ext, filters, labels)

    try:
        return _send_written(write, ext, name)
    except exports.ExportError:
        abort(404)  # a unit that does not exist


def _refusal(ext: str, filters: exports.Filters | None) -> tuple[str, int] | None:
    """Return (message, status) when this server cannot send the format, else None.

    With filters (responses), so are an xlsx of more rows than a sheet holds and any file of
    more than WEB_FILE_ROWS responses.
    """
    if ext in statout.FORMATS and not statout.available():
        return _(
            "SPSS and Stata files need the pyreadstat package, which is not installed on this"
            " server. Ask the administrator to run: %(command)s",
            command=statout.INSTALL_HINT,
        ), 501
    if filters is None:
        return None
    try:
        count = exports.count_responses(get_db(), filters)
    except exports.ExportError:
        abort(404)
    if ext == "xlsx" and count > xlsxout.data_rows_limit():
        return _(
            "These filters select %(rows)s responses, more than the %(limit)s rows an Excel"
            " sheet holds. Choose a unit or a shorter period, or download CSV, SPSS or"
            " Stata.",
            rows=format_decimal(count),
            limit=format_decimal(xlsxout.data_rows_limit()),
        ), 400
    if count > WEB_FILE_ROWS:
        return _(
            "These filters select %(rows)s responses, more than the %(limit)s that a file made"
            " on this page can hold. Choose a unit or a shorter period, download CSV, or ask an"
            " administrator for the file: %(command)s",
            rows=format_decimal(count),
            limit=format_decimal(WEB_FILE_ROWS),
            command=f"papi-pulse export responses --format {ext}",
        ), 400
    return None


def _send_written(write, ext: str, name: str) -> Response:
    """Call write(path) in a temporary folder and send the file, deleting it once sent."""
    folder = Path(tempfile.mkdtemp(prefix="papi-pulse-download-"))
    try:
        path = folder / f"download.{ext}"
        write(path)
        size = path.stat().st_size
        data = open(path, "rb")  # noqa: SIM115 (closed when the response is)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise

    def cleanup():
        data.close()
        shutil.rmtree(folder, ignore_errors=True)

    # The server closes the body it was given (WSGI): with direct_passthrough that is this
    # iterator, not the Response, so the clean-up rides on the iterator.
    body = ClosingIterator(wrap_file(request.environ, data), cleanup)
    mimetype = exportfiles.MIMETYPES[ext]
    response = Response(body, mimetype=mimetype, direct_passthrough=True)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Length"] = str(size)
    return response


def _url_for_format(endpoint: str, ext: str) -> str:
    """Return the URL of endpoint in another format, with the same query but its format."""
    args = request.args.to_dict(flat=False)
    args.pop("format", None)
    return url_for(endpoint, ext=ext, **args)


@bp.get("/codebook.csv", defaults={"ext": "csv"})
@bp.get(f"/codebook.<{_FILE_FORMATS}:ext>")
@login_required
def codebook(ext):
    """Send the codebook of a questionnaire version."""
    form = FilterForm(request.args)
    try:
        questionnaire = exports.parse_questionnaire(
            form.questionnaire.data, current_app.config["QUESTIONNAIRE"]
        )
    except exports.ExportError:
        abort(404)
    name = f"codebook-{questionnaire.id}-v{questionnaire.version}.{ext}"
    if ext == "csv":
        table = exports.export_codebook(questionnaire)
        return _download(exports.stream(table, _dialect(form)), name)
    refusal = _refusal(ext, None)
    if refusal:
        form.format.errors = [refusal[0]]
        return render_template("analysis/downloads/index.html", form=form), refusal[1]
    labels = form.labels.data or None
    return _send_written(
        lambda path: exportfiles.write_codebook(questionnaire, path, ext, labels), ext, name
    )


def _key(value: str | None) -> tuple[str, int]:
    """Return (id, version) of a questionnaire choice (none: the current questionnaire)."""
    found = exports.parse_questionnaire(value, current_app.config["QUESTIONNAIRE"])
    return found.id, found.version


def _dialect(form: FilterForm) -> str:
    """Return the CSV dialect the form asks for."""
    return "excel" if form.excel.data else "plain"


def _filename(form: FilterForm) -> str:
    """Return a download name that says what the file holds."""
    current = current_app.config["QUESTIONNAIRE"].partition(":")[0]
    parts = ["responses", (form.questionnaire.data or current)]
    parts += [form.unit.data, form.period.data]
    if form.labels.data:
        parts.append(f"labels-{form.labels.data}")
    if form.mode.data:
        parts.append(form.mode.data)
    if form.excluded.data:
        parts.append("with-excluded")
    if form.unflagged.data:
        parts.append("without-flagged")
    safe = "-".join(p for p in parts if p)
    return "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in safe) + ".csv"


def _download(chunks, filename: str) -> Response:
    """Return a streamed CSV attachment."""
    response = Response(stream_with_context(chunks), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response

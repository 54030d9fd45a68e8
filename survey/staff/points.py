"""Collection points: list, show, create, edit, deactivate, reactivate, rotate, CSV import.

Deactivating and replacing the code are asked first on a page of their own (GET), whose form
alone can confirm them (POST): one click on an old page never acts.
"""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from werkzeug.exceptions import Conflict
from wtforms import HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from survey import access, point_import, points, units
from survey.staff.auth import (
    current_user,
    form_status,
    get_point_or_404,
    login_required,
    permission_required,
)
from survey.staff.dashboard import point_links
from survey.webdb import get_db

bp = Blueprint("points", __name__, url_prefix="/staff/points")
# Enough for the largest province (168 units) in one list; beyond that, search first.
WARD_CHOICES_LIMIT = 200


def kind_label(kind: str) -> str:
    """Return the translated label of a point kind."""
    return {
        "one_stop": _("One-stop counter"),
        "reception": _("Citizen reception"),
        "community_hall": _("Community hall"),
        "outreach": _("Outreach event"),
    }.get(kind, kind)


def no_control_characters(form, field):
    """Reject invisible control characters (they break posters and exports)."""
    if field.data and points.text_problem(field.data, 10**6) == "control":
        raise ValidationError(_("Remove the invisible control characters from this text."))


class PointForm(FlaskForm):
    """A point's name, kind and address (and its ward when created)."""

    ward = SelectField(
        _l("Ward"), validate_choice=False, validators=[DataRequired(message=_l("Choose a ward."))]
    )
    name = StringField(
        _l("Name of the place"),
        validators=[
            DataRequired(message=_l("Enter the name of the place.")),
            Length(max=points.NAME_MAX, message=_l("Use at most %(max)d characters.")),
            no_control_characters,
        ],
    )
    kind = SelectField(
        _l("Kind"), validate_choice=False, validators=[DataRequired(message=_l("Choose a kind."))]
    )
    address = StringField(
        _l("Address"),
        validators=[
            Optional(),
            Length(max=points.ADDRESS_MAX, message=_l("Use at most %(max)d characters.")),
            no_control_characters,
        ],
    )

    def validate_kind(self, field):
        """Accept only the known kinds."""
        if field.data not in points.KINDS:
            raise ValidationError(_("Choose a kind."))


class ImportForm(FlaskForm):
    """The CSV file to import."""

    file = FileField(
        _l("CSV file"),
        validators=[
            FileRequired(message=_l("Choose a CSV file.")),
            FileAllowed(["csv", "txt"], message=_l("The file must be a .csv file.")),
        ],
    )


def _kind_choices():
    """Return the kinds as select choices."""
    return [SelectChoice(kind, kind_label(kind)) for kind in points.KINDS]


def _ward_choices(query: str, selected: str | None):
    """Return in-scope wards matching the search (plus the submitted one) as choices."""
    db, user = get_db(), current_user()
    where, params = access.scope_clause(user)
    wards = units.search_wards(db, query, where, params, limit=WARD_CHOICES_LIMIT)
    if selected and selected not in {w["code"] for w in wards}:
        ward = units.get_ward(db, selected)
        wards += [ward] if ward is not None and access.can_see_ward(user, ward) else []
    return [
        SelectChoice(w["code"], f"{w['name']} ({w['province_name']}) · {w['code']}") for w in wards
    ]


@bp.get("/")
@login_required
def index():
    """List the points the user may see, optionally of one ward or province."""
    rows = points.list_points(
        get_db(),
        *access.scope_clause(current_user()),
        ward_code=request.args.get("ward"),
        province_code=request.args.get("province"),
    )
    return render_template("staff/points/index.html", points=rows)


@bp.get("/<int:point_id>")
@login_required
def show(point_id):
    """Show one point: its survey address, state and actions."""
    point = get_point_or_404(point_id)
    return render_template(
        "staff/points/show.html",
        point=point,
        survey_url=f"{current_app.config['BASE_URL']}/s/{point['token']}",
        retired=points.retired_count(get_db(), point_id),
        links=point_links(point),
    )


@bp.route("/new", methods=["GET", "POST"])
@permission_required("edit_points")
def create():
    """Create a point in a ward of the user's scope; the ward list is searchable without JS."""
    query = request.args.get("q", "")
    form = PointForm()
    form.kind.choices = _kind_choices()
    form.ward.choices = _ward_choices(query, form.ward.data or request.args.get("ward"))
    if request.method == "GET" and request.args.get("ward"):
        form.ward.data = request.args["ward"]
    if form.validate_on_submit():
        if form.ward.data not in {choice.value for choice in form.ward.choices}:
            form.ward.errors.append(_("Choose a ward."))
        else:
            saved = _save(form, points.create, form.ward.data)
            if saved is not None:
                flash(_("The collection point has been created."), "info")
                return saved
    return render_template(
        "staff/points/form.html", form=form, point=None, query=query
    ), form_status()


def _save(form: PointForm, write, key):
    """Write the form's name, kind and address with write(db, user, key, ...).

    Return a redirect to the point, or None with the domain error under its field.
    """
    try:
        point = write(
            get_db(), current_user(), key, form.name.data, form.kind.data, form.address.data
        )
    except points.PointError as exc:
        _field_error(form, exc)
        return None
    return redirect(url_for("points.show", point_id=point["id"]))


def _field_error(form: PointForm, exc: points.PointError) -> None:
    """Put a point's domain error under the field it concerns."""
    column = exc.params.get("column", "name")
    if exc.code == "unknown_ward":
        form.ward.errors.append(_("Choose a ward."))
    elif exc.code == "bad_kind":
        form.kind.errors.append(_("Choose a kind."))
    elif exc.code == "too_long":
        form[column].errors.append(
            _("Use at most %(max)d characters.", max=exc.params.get("limit", 0))
        )
    elif exc.code == "control":
        form[column].errors.append(_("Remove the invisible control characters from this text."))
    else:
        form.name.errors.append(_("Enter the name of the place."))


@bp.route("/<int:point_id>/edit", methods=["GET", "POST"])
@permission_required("edit_points")
def edit(point_id):
    """Change a point's name, kind and address."""
    point = get_point_or_404(point_id)
    form = PointForm(data=point)
    del form.ward
    form.kind.choices = _kind_choices()
    if form.validate_on_submit():
        saved = _save(form, points.update, point_id)
        if saved is not None:
            flash(_("The changes have been saved."), "info")
            return saved
    return render_template(
        "staff/points/form.html", form=form, point=point, query=""
    ), form_status()


class ConfirmForm(FlaskForm):
    """The confirmation of a change that cannot be taken back by a click."""

    # Only the confirmation page sends this field (no default: a POST without it stays empty),
    # so a one-click form from an old page cannot act.
    confirm = HiddenField(validators=[DataRequired()])


def _confirmed(point_id: int, action: str):
    """Return the point if this POST came from its confirmation form, else a redirect there."""
    point = get_point_or_404(point_id)
    form = ConfirmForm()
    if form.validate_on_submit() and form.confirm.data == "yes":
        return point, None
    return point, redirect(url_for(f"points.{action}", point_id=point_id), 303)


def _confirm_page(point_id: int, action: str):
    """Show what the action will do, with a confirm button and a way back."""
    return render_template(
        "staff/points/confirm.html",
        point=get_point_or_404(point_id),
        action=action,
        form=ConfirmForm(data={"confirm": "yes"}),
    )


def _set_active(point: dict, active: bool):
    """Deactivate or reactivate a point, with its audit entry."""
    points.set_state(get_db(), current_user(), point["id"], active)
    flash(
        _("The point is active again.")
        if active
        else _("The point is deactivated: its survey no longer accepts answers."),
        "info",
    )
    return redirect(url_for("points.show", point_id=point["id"]))


@bp.get("/<int:point_id>/deactivate")
@permission_required("edit_points")
def confirm_deactivate(point_id):
    """Ask before a point stops collecting answers."""
    return _confirm_page(point_id, "deactivate")


@bp.post("/<int:point_id>/deactivate")
@permission_required("edit_points")
def deactivate(point_id):
    """Stop a point collecting answers, once confirmed."""
    point, ask = _confirmed(point_id, "confirm_deactivate")
    return ask or _set_active(point, False)


@bp.post("/<int:point_id>/reactivate")
@permission_required("edit_points")
def reactivate(point_id):
    """Let a deactivated point collect answers again (nothing is lost: no confirmation)."""
    return _set_active(get_point_or_404(point_id), True)


@bp.get("/<int:point_id>/rotate")
@permission_required("edit_points")
def confirm_rotate(point_id):
    """Ask before every printed poster of the point stops working (active points only)."""
    if not get_point_or_404(point_id)["active"]:
        _refuse_inactive()
    return _confirm_page(point_id, "rotate")


def _refuse_inactive():
    """End with 409: the code of a deactivated point is not replaced."""
    exc = Conflict()
    exc.friendly = _("This point is deactivated: reactivate it before replacing its code.")
    raise exc


@bp.post("/<int:point_id>/rotate")
@permission_required("edit_points")
def rotate(point_id):
    """Give the point a new token, once confirmed; old posters then show "code replaced"."""
    point, ask = _confirmed(point_id, "confirm_rotate")
    if ask:
        return ask
    try:
        points.rotate(get_db(), current_user(), point["id"])
    except points.PointError:
        _refuse_inactive()
    flash(_("The point has a new code. Print its new poster and remove the old ones."), "info")
    return redirect(url_for("points.show", point_id=point["id"]))


@bp.route("/import", methods=["GET", "POST"])
@permission_required("import_points")
def bulk():
    """Create many points from a CSV file: all lines valid, or nothing is written."""
    form = ImportForm()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("staff/points/import.html", form=form, report=None), status
    data = form.file.data.read(point_import.MAX_BYTES + 1)
    if len(data) > point_import.MAX_BYTES:
        abort(413)
    db = get_db()
    user = current_user()
    try:
        created = point_import.import_file(db, user, data, access.visible_ward_codes(db, user))
    except point_import.ImportRefused as exc:
        return render_template(
            "staff/points/import.html", form=form, report=exc.report, reason=import_reason
        ), 422
    flash(
        ngettext(
            "%(num)d collection point has been created.",
            "%(num)d collection points have been created.",
            len(created),
        ),
        "info",
    )
    return redirect(url_for("points.index"))


def import_reason(code: str, params: dict) -> str:
    """Return the translated explanation of a CSV problem."""
    column = params.get("column")
    messages = {
        "not_utf8": _(
            "The file is not saved as UTF-8. In Excel choose “Save as”, then "
            "“CSV UTF-8 (comma delimited)”, and upload the new file."
        ),
        "empty": _("The file has no data lines."),
        "missing_columns": _(
            "The first line must name the columns; missing: %(columns)s.",
            columns=params.get("columns", ""),
        ),
        "too_many_rows": _(
            "The file has more than %(limit)d lines; please split it.", limit=params.get("limit", 0)
        ),
        "extra_fields": _(
            "This line has more values than there are columns; put text that "
            "contains a comma in quotes."
        ),
        "unknown_ward": _("There is no ward with code %(code)s.", code=params.get("code", "")),
        "out_of_scope": _(
            "Ward %(code)s is not in the area your account manages.", code=params.get("code", "")
        ),
        "name_required": _("The name of the place is empty."),
        "bad_kind": _(
            "Unknown kind “%(kind)s”; use one of: %(kinds)s.",
            kind=params.get("kind", ""),
            kinds=params.get("kinds", ""),
        ),
        "duplicate_in_file": _(
            "Same ward and name as line %(line)d of the file.", line=params.get("first", 0)
        ),
        "already_exists": _("This ward already has a point with this name (perhaps deactivated)."),
    }
    if code == "control":
        return (
            _("The name contains invisible control characters.")
            if column == "name"
            else _("The address contains invisible control characters.")
        )
    if code == "too_long":
        return (
            _("The name is longer than %(limit)d characters.", limit=params["limit"])
            if column == "name"
            else _("The address is longer than %(limit)d characters.", limit=params["limit"])
        )
    return messages.get(code, code)


@bp.app_template_global()
def point_kind_label(kind: str) -> str:
    """Template access to the kind label."""
    return kind_label(kind)

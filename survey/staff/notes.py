"""Ward notes ("we asked, you said, we did"): staff write them, the province approves them.

The web side of survey/notes.py. Editors (ward staff, province managers, administrators) write
notes for wards in their scope; province managers and administrators approve or reject. The
list shows the stored, masked text: what the approver reads is what the public would read.
"""

from datetime import date

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from survey import access, notes, papi_names, photos
from survey.i18n import current_locale
from survey.public import cache as public_cache
from survey.questionnaire import DIMENSIONS
from survey.staff.auth import current_user, form_status, permission_required
from survey.webdb import get_db

bp = Blueprint("notes", __name__, url_prefix="/staff/notes")


class NoteForm(FlaskForm):
    """A note: ward, area of PAPI, what people said, what was done, when and by whom."""

    ward = SelectField(
        _l("Ward or commune"),
        validators=[DataRequired(message=_l("Choose the ward or commune."))],
        validate_choice=False,
    )
    dimension = SelectField(
        _l("We asked about"),
        validators=[DataRequired(message=_l("Choose the area the note is about."))],
        validate_choice=False,
    )
    said = TextAreaField(
        _l("People said"),
        validators=[
            DataRequired(message=_l("Write what people said.")),
            Length(max=notes.TEXT_MAX, message=_l("Use at most %(max)d characters.")),
        ],
    )
    did = TextAreaField(
        _l("We did"),
        validators=[
            DataRequired(message=_l("Write what was done.")),
            Length(max=notes.TEXT_MAX, message=_l("Use at most %(max)d characters.")),
        ],
    )
    acted_on = StringField(
        _l("Date of the action"),
        validators=[
            DataRequired(message=_l("Write the date of the action, for example 2026-03-03."))
        ],
    )
    photo = FileField(_l("Photo (optional)"))
    acting_unit = StringField(
        _l("Unit that acted"),
        validators=[
            DataRequired(message=_l("Write which unit acted.")),
            Length(max=notes.UNIT_MAX, message=_l("Use at most %(max)d characters.")),
        ],
    )


def refusal(code: str) -> str:
    """Return the translated reason a note was refused."""
    return {
        "not_allowed": _("You may write notes only for the wards you work for."),
        "bad_dimension": _("Choose the area the note is about."),
        "bad_said": _("Write what people said."),
        "bad_did": _("Write what was done."),
        "bad_unit": _("Write which unit acted."),
        "bad_date": _("The date is not valid or is in the future: write for example 2026-03-03."),
        "photo_too_large": _("The photo is too large: send one of at most 1.5 MB."),
        "photo_format": _("The photo must be a JPEG or PNG picture."),
        "photo_empty": _("The photo file is empty."),
    }.get(code, code)


def _wards(user: dict) -> list[dict]:
    """Return the wards the user may write notes for."""
    return access.visible_wards(get_db(), user)[:2000]


def _form(user: dict) -> NoteForm:
    """Return the note form with the user's wards and the eight areas as choices."""
    form = NoteForm()
    form.ward.choices = [SelectChoice(w["code"], w["name"]) for w in _wards(user)]
    lang = current_locale()
    form.dimension.choices = [SelectChoice("", _("Choose…"))] + [
        SelectChoice(d, papi_names.dimension_name(d, lang)) for d in DIMENSIONS
    ]
    return form


def _photo(upload) -> bytes | None:
    """Return the uploaded photo's bytes (at most one byte over the limit), or None."""
    if upload is None or not getattr(upload, "filename", ""):
        return None
    try:
        return upload.read(photos.MAX_BYTES + 1)
    finally:
        upload.close()  # a large upload is spooled to a temporary file: free it now


def _acted_on(text: str) -> date | None:
    """Return the date written as YYYY-MM-DD, or None."""
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None


@bp.route("/", methods=["GET", "POST"])
@permission_required("write_notes")
def index():
    """List the notes of the user's wards; write a new one (pending until approved)."""
    db, user = get_db(), current_user()
    form = _form(user)
    if form.validate_on_submit():
        if form.ward.data not in {choice.value for choice in form.ward.choices}:
            abort(404)
        day = _acted_on(form.acted_on.data)
        if day is None:
            form.acted_on.errors = [refusal("bad_date")]
        else:
            try:
                notes.write(
                    db,
                    user,
                    form.ward.data,
                    form.dimension.data,
                    form.said.data,
                    form.did.data,
                    day,
                    form.acting_unit.data,
                    _photo(form.photo.data),
                )
            except notes.NoteError as exc:
                target = {"bad_date": form.acted_on}.get(exc.code, form.said)
                if exc.code.startswith("photo_"):
                    target = form.photo
                target.errors = [*target.errors, refusal(exc.code)]
            else:
                flash(_("The note is saved. It is shown to the public once approved."), "success")
                return redirect(url_for("notes.index"))
    return render_template(
        "staff/notes.html",
        form=form,
        rows=notes.list_in_scope(db, access.scope_clause(user)),
        can_decide=lambda note: access.can_decide_note(user, note),
        dimension_name=lambda d: papi_names.dimension_name(d, current_locale()),
    ), form_status()


@bp.post("/<int:note_id>/decide")
@permission_required("decide_notes")
def decide(note_id):
    """Approve or reject a note of a ward in the user's province."""
    db, user = get_db(), current_user()
    decision = request.form.get("decision", "")
    note = notes.get_note(db, note_id)
    if note is None or not access.can_see_row(user, note) or decision not in notes.DECISIONS:
        abort(404)
    notes.decide(db, user, note_id, decision)
    public_cache.clear()
    flash(
        _("The note is approved and shown to the public.")
        if decision == "approved"
        else _("The note is rejected and not shown to the public."),
        "success",
    )
    return redirect(url_for("notes.index"))


@bp.get("/<int:note_id>/photo.jpg")
@permission_required("write_notes")
def photo(note_id):
    """Send a note's photo to staff of its ward, so the approver sees it before approving."""
    db = get_db()
    note = notes.get_note(db, note_id)
    if note is None or not note["has_photo"] or not access.can_see_row(current_user(), note):
        abort(404)
    response = make_response(notes.photo(db, note_id))
    response.headers["Content-Type"] = "image/jpeg"
    return response

"""Paper questionnaires of a point: reserve form numbers and print them (HTML or PDF), enter them.

Editors in the point's scope only (analysts change nothing, and reserving numbers is a change):
ward staff of its ward, province managers of its province, administrators. Reserving is a POST
(audited) that redirects to the print page of the reserved range, which any reload shows again
unchanged; the entry pages are in ``survey/staff/paper_entry.py``.
"""

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.exceptions import BadRequest
from wtforms import IntegerField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange

from survey.paper import pdf, store, wording
from survey.staff.auth import current_user, form_status, get_point_or_404, permission_required
from survey.webdb import get_db, row_int

bp = Blueprint("paper", __name__, url_prefix="/staff/points")


class PrintForm(FlaskForm):
    """How many forms to print, in which language, with which modules."""

    copies = IntegerField(
        _l("Number of forms"),
        default=20,
        validators=[
            InputRequired(message=_l("Enter how many forms to print.")),
            NumberRange(
                min=1,
                max=store.MAX_COPIES,
                message=_l("Print from %(min)s to %(max)s forms at a time."),
            ),
        ],
    )
    # Not "lang": that name chooses the language of the page itself (survey/i18n.py).
    language = SelectField(
        _l("Language"),
        choices=[
            SelectChoice("vi", _l("Vietnamese")),
            SelectChoice("bilingual", _l("Vietnamese and English")),
        ],
    )
    modules = SelectField(
        _l("Parts of the questionnaire"),
        choices=[
            SelectChoice("drawn", _l("As online: the core questions and parts drawn per form")),
            SelectChoice("all", _l("Every part on every form (longer)")),
        ],
    )


@bp.route("/<int:point_id>/paper", methods=["GET", "POST"])
@permission_required("edit_points")
def index(point_id):
    """Show the point's paper forms and the print options; reserve and print on POST."""
    point = get_point_or_404(point_id)
    form = PrintForm()
    db = get_db()
    if form.validate_on_submit():
        if not point["active"]:
            raise _bad(_("This collection point is inactive: reactivate it before printing forms."))
        questionnaire = wording.current_questionnaire(current_app.config)
        drawn = form.modules.data == "drawn"
        forms = store.reserve(db, point_id, questionnaire, form.copies.data, drawn, current_user())
        return redirect(
            url_for(
                "paper.print_forms",
                point_id=point_id,
                first=forms[0].number,
                last=forms[-1].number,
                language=form.language.data,
            ),
            303,
        )
    return render_template(
        "staff/paper/index.html",
        point=point,
        form=form,
        batches=store.batches(db, point_id),
        entered=store.entered_count(db, point_id),
        next_number=store.next_number(db, point_id),
    ), form_status()


@bp.get("/<int:point_id>/paper/print")
@permission_required("edit_points")
def print_forms(point_id):
    """Show reserved forms first to last as a print page, or as a PDF with ?format=pdf."""
    point = get_point_or_404(point_id)
    first = request.args.get("first", type=row_int)
    last = request.args.get("last", type=row_int)
    lang = request.args.get("language") or "vi"
    fmt = request.args.get("format") or "html"
    if lang not in wording.LANGS:
        raise _bad(_("Choose Vietnamese or bilingual forms."))
    if fmt not in ("html", "pdf"):
        raise _bad(_("Choose the printable page or the PDF."))
    if first is None or last is None or not 0 < first <= last or last - first >= store.MAX_COPIES:
        raise _bad(_("Choose the forms to print from the list of printed forms."))
    forms = store.forms_between(get_db(), point_id, first, last)
    if not forms:
        raise _bad(_("No form with these numbers was printed for this point."))
    questionnaire = wording.current_questionnaire(current_app.config)
    sheets = wording.sheets(questionnaire, forms, lang, point)
    title = _("Paper forms %(first)s to %(last)s: %(point)s", first=first, last=last,
              point=point["name"])  # fmt: skip
    if fmt == "pdf":
        name = f"forms-{point['ward_code']}-{point['id']}-{first}-{last}.pdf"
        response = Response(pdf.pdf(sheets, title), mimetype="application/pdf")
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return render_template(
        "staff/paper/print.html",
        point=point,
        sheets=sheets,
        title=title,
        lang=lang,
        first=first,
        last=last,
    )


def _bad(message: str) -> BadRequest:
    """Return a 400 error carrying a message for the friendly error page."""
    exc = BadRequest()
    exc.friendly = message
    return exc

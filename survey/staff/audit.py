"""The audit log for administrators: filter by person, action, kind of object; paginated.

Actions and kinds of record are stored as codes (``rotate_token``, ``point``) and always shown
as words: every code the app writes has a label here (tests/test_audit_labels.py checks it).
"""

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from survey import audit as log
from survey import collation
from survey.staff.auth import permission_required
from survey.webdb import get_db, page_number

bp = Blueprint("audit", __name__, url_prefix="/staff/audit")
FILTERS = ("username", "action", "object_type", "object_id")


def action_labels() -> dict[str, str]:
    """Return {action code: translated words} for every action the app records."""
    return {
        "create": _("Created"),
        "update": _("Changed"),
        "deactivate": _("Deactivated"),
        "reactivate": _("Reactivated"),
        "rotate_token": _("Replaced the code"),
        "include": _("Counted the answer"),
        "exclude": _("Left the answer out"),
        "import_responses": _("Imported answers from a file"),
        "retention_apply": _("Deleted old answers after counting them"),
        "login": _("Signed in"),
        "change_password": _("Changed the password"),
        "load_targets": _("Loaded PAPI plan targets"),
        "load_margins": _("Loaded population margins"),
        "load_baselines": _("Loaded official PAPI scores"),
        "load_units": _("Loaded the map of provinces and wards"),
        "print_paper_forms": _("Printed paper forms"),
        "enter_paper_form": _("Entered a paper form"),
        "publish": _("Published the results"),
        "correct_publication": _("Corrected the published results"),
        "write_note": _("Wrote a note on what was done"),
        "approve_note": _("Approved a note"),
        "reject_note": _("Turned down a note"),
    }


def object_labels() -> dict[str, str]:
    """Return {kind code: translated words} for every kind of record the app audits."""
    return {
        "point": _("Collection point"),
        "user": _("Account"),
        "response": _("Answer"),
        "responses": _("Several answers"),
        "targets": _("PAPI plan targets"),
        "margins": _("Population margins"),
        "baselines": _("Official PAPI scores"),
        "units": _("Provinces and wards"),
        "publication": _("Published results"),
        "ward_note": _("Note on what was done"),
    }


def _label(labels: dict[str, str], code: str) -> str:
    """Return the label of a code; a code unknown to this version reads without underscores."""
    return labels.get(code) or code.replace("_", " ")


def person_label(username: str) -> str:
    """Return the username, or words for the command line."""
    return _("Command on the server") if username == log.CLI_USER else username


def _choices(db, column: str, label) -> list[tuple[str, str]]:
    """Return (value, label) of a filter menu, in Vietnamese order of label."""
    pairs = [(value, label(value)) for value in log.distinct_values(db, column)]
    return sorted(pairs, key=lambda pair: collation.sort_key(pair[1]))


@bp.get("/")
@permission_required("read_audit")
def index():
    """Show one page of the audit log, newest first."""
    db = get_db()
    filters = {name: request.args.get(name, "")[:100] for name in FILTERS}
    page = page_number(request.args)
    entries, total = log.list_entries(db, filters, page)
    pages = max((total + log.PAGE_SIZE - 1) // log.PAGE_SIZE, 1)
    actions, kinds = action_labels(), object_labels()

    def action(code):
        return _label(actions, code)

    def kind(code):
        return _label(kinds, code)

    choices = {
        "username": _choices(db, "username", person_label),
        "action": _choices(db, "action", action),
        "object_type": _choices(db, "object_type", kind),
    }
    return render_template(
        "staff/audit.html",
        entries=entries,
        total=total,
        page=page,
        pages=pages,
        filters=filters,
        choices=choices,
        filter_args={k: v for k, v in filters.items() if v},
        action_label=action,
        object_label=kind,
        person_label=person_label,
    )

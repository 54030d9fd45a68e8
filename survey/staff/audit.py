"""The audit log for administrators: filter by person, action, kind of object; paginated."""

from flask import Blueprint, render_template, request

from survey import accounts
from survey import audit as log
from survey.staff.auth import role_required
from survey.webdb import get_db

bp = Blueprint("audit", __name__, url_prefix="/staff/audit")
FILTERS = ("username", "action", "object_type", "object_id")


@bp.get("/")
@role_required(accounts.ADMINISTRATOR)
def index():
    """Show one page of the audit log, newest first."""
    db = get_db()
    filters = {name: request.args.get(name, "")[:100] for name in FILTERS}
    page = max(request.args.get("page", 1, type=int), 1)
    entries, total = log.list_entries(db, filters, page)
    pages = max((total + log.PAGE_SIZE - 1) // log.PAGE_SIZE, 1)
    choices = {name: log.distinct_values(db, name) for name in FILTERS[:3]}
    return render_template(
        "staff/audit.html",
        entries=entries,
        total=total,
        page=page,
        pages=pages,
        filters=filters,
        choices=choices,
        filter_args={k: v for k, v in filters.items() if v},
    )

"""The staff home: responses per point and ward today, this week and this quarter."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, render_template, request, url_for

from survey import access, points
from survey.staff.auth import current_user, login_required
from survey.webdb import get_db

bp = Blueprint("dashboard", __name__, url_prefix="/staff")
# Wards per page: a province manager of Ho Chi Minh City (168 units) pages four times.
WARDS_PER_PAGE = 50


def period_starts(now: datetime, zone: ZoneInfo) -> dict[str, str]:
    """Return the UTC ISO start of today, this week (Monday) and this quarter in local time."""
    local = now.astimezone(zone)
    today = local.replace(hour=0, minute=0, second=0, microsecond=0)
    week = today - timedelta(days=today.weekday())
    quarter = today.replace(month=3 * ((today.month - 1) // 3) + 1, day=1)

    def iso(moment):
        return moment.astimezone(UTC).isoformat(timespec="seconds")

    return {"today": iso(today), "week": iso(week), "period": iso(quarter)}


def group_by_ward(rows: list[dict], summary: dict) -> list[dict]:
    """Group points by ward with per-ward totals and the latest response time."""
    wards = {}
    for point in rows:
        point["counts"] = summary[point["id"]]
        ward = wards.setdefault(
            point["ward_code"],
            {
                "code": point["ward_code"],
                "name": point["ward_name"],
                "province_code": point["province_code"],
                "province_name": point["province_name"],
                "points": [],
                "today": 0,
                "week": 0,
                "period": 0,
                "last": None,
            },
        )
        ward["points"].append(point)
        for label in ("today", "week", "period"):
            ward[label] += point["counts"][label] or 0
        last = point["counts"]["last"]
        if last and (ward["last"] is None or last > ward["last"]):
            ward["last"] = last
    return list(wards.values())


def point_links(point: dict) -> dict:
    """Return the poster and QR links of a point, when the posters area is installed."""
    links = {}
    for key, endpoint in (("poster", "posters.point_poster"), ("qr", "posters.point_qr")):
        if endpoint in current_app.view_functions:
            links[key] = url_for(endpoint, point_id=point["id"])
    return links


def ward_links(ward: dict, user: dict) -> dict:
    """Return the links printing a whole ward's and province's posters, as the user may."""
    links = {}
    if "posters.ward_posters" in current_app.view_functions:
        links["ward"] = url_for("posters.ward_posters", code=ward["code"])
    may_print_province = access.can(user, "print_province_posters")
    if may_print_province and "posters.province_posters" in current_app.view_functions:
        links["province"] = url_for("posters.province_posters", code=ward["province_code"])
    return links


@bp.get("/")
@login_required
def index():
    """Show each ward of the user's scope that has points, with its points' response counts."""
    db, user = get_db(), current_user()
    province = request.args.get("province") or None
    rows = points.list_points(db, *access.scope_clause(user), province_code=province)
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    summary = points.response_summary(
        db, [row["id"] for row in rows], period_starts(datetime.now(UTC), zone)
    )
    wards = group_by_ward(rows, summary)
    page = max(request.args.get("page", 1, type=int), 1)
    pages = max((len(wards) + WARDS_PER_PAGE - 1) // WARDS_PER_PAGE, 1)
    shown = wards[(page - 1) * WARDS_PER_PAGE : page * WARDS_PER_PAGE]
    for ward in shown:
        ward["links"] = ward_links(ward, user)
        for point in ward["points"]:
            point["links"] = point_links(point)
    provinces = access.provinces_touched(db, user)
    return render_template(
        "staff/dashboard.html",
        wards=shown,
        page=page,
        pages=pages,
        province=province,
        provinces=provinces,
    )

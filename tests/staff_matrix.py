"""The role x route table for every staff URL: add one line per new staff route.

"Staff URL" is every rule of the app outside ``OPEN_BLUEPRINTS`` and static files, whatever its
prefix (``/analysis/downloads/`` too), and every method of it: a POST-only rule needs a POST row.

Placeholders in URLs: {point_id} (a point of Phường Bến Thành, whose name must never reach
anyone outside its scope), {other_point_id} (a point of Phường Sài Gòn), {user_id} (the
Bến Thành ward staff account), {ward_code} (Bến Thành), {province_code} (Ho Chi Minh City),
{response_id} (a flagged answer at the Bến Thành point), {note_id} (a pending note of Bến Thành).
Roles: see ``staff_helpers.ROLES`` plus "other_province" (a Hà Nội province manager).
Anonymous visitors are always sent to the sign-in page (302).
"""

from dataclasses import dataclass, field
from datetime import date

from survey import notes
from survey.paper import store
from survey.questionnaire import latest
from tests.factories import BEN_THANH, HCMC, MATRIX_RESPONSE_ID, make_flagged_response

SIGNED_IN = (
    "other_ward",
    "other_province",
    "ward_staff",
    "province_manager",
    "analyst",
    "administrator",
)


def _table(ok, **overrides) -> dict:
    """Return {role: status}: ``ok`` for every signed-in role except the overrides."""
    return {"anonymous": 302} | dict.fromkeys(SIGNED_IN, ok) | overrides


def everyone(ok=200) -> dict:
    """Any signed-in user (pages that filter their content by scope)."""
    return _table(ok)


def in_scope(ok=200) -> dict:
    """Users whose scope covers Bến Thành; others get 404."""
    return _table(ok, other_ward=404, other_province=404)


def editors_in_scope(ok=302) -> dict:
    """Editors whose scope covers Bến Thành; analysts 403, others 404."""
    return _table(ok, other_ward=404, other_province=404, analyst=403)


def editors(ok=200) -> dict:
    """Any editor (scope checked on the submitted data); analysts 403."""
    return _table(ok, analyst=403)


def managers(ok=200) -> dict:
    """Administrators and province managers only."""
    return _table(403, province_manager=ok, other_province=ok, administrator=ok)


def admins(ok=200) -> dict:
    """Administrators only."""
    return _table(403, administrator=ok)


def add_matrix_data(db, world: dict) -> dict:
    """Add what the routes need to a ``staff_helpers.make_world`` world; return it."""
    world["users"]["other_province"] = world["users"]["hanoi_manager"]
    make_flagged_response(db, world["point"], questionnaire_version=2)  # review, publish
    store.reserve(db, world["point"]["id"], latest("papi-pulse-core"), 1, False, None)
    world["note"] = notes.write(  # for the note routes
        db, None, BEN_THANH, "d5", "Không có ghế", "Thêm ghế", date(2026, 3, 3), "Một cửa"
    )
    return world


def fill(url: str, world: dict) -> str:
    """Fill a matrix URL's placeholders from the world of ``staff_helpers.make_world``."""
    return url.format(
        point_id=world["point"]["id"],
        other_point_id=world["other_point"]["id"],
        user_id=world["users"]["ward_staff"]["id"],
        ward_code=world["point"]["ward_code"],
        province_code=HCMC,
        response_id=MATRIX_RESPONSE_ID,
        note_id=world["note"]["id"],
    )


# Stand-in ids for matching the matrix's URLs against the app's rules without a database.
PLACEHOLDER_WORLD = {
    "point": {"id": 1, "ward_code": BEN_THANH},
    "other_point": {"id": 2},
    "users": {"ward_staff": {"id": 3}},
    "note": {"id": 4},
}


@dataclass
class Route:
    """One staff URL: method, URL template, expected status by role, form data for POSTs."""

    method: str
    url: str
    expected: dict
    data: dict = field(default_factory=dict)
    changes_state: bool = False


# Staff URLs anyone may open (any method): the sign-in page, and the bare site sending to it.
PUBLIC = ("/staff/login", "/")
# Blueprints outside the matrix: they serve anyone, and their own tests cover them
# (tests/citizen/, tests/test_fuzz_citizen.py, tests/public/test_public_pages.py,
# tests/test_headers.py).
OPEN_BLUEPRINTS = ("citizen", "public", "health")

ROUTES = [
    Route("GET", "/staff/", everyone()),
    Route("GET", "/staff/points/", everyone()),
    Route("GET", "/staff/points/?ward={ward_code}", everyone()),
    Route("GET", "/staff/points/{point_id}", in_scope()),
    Route("GET", "/staff/points/new", editors()),
    Route("GET", "/staff/points/new?ward={ward_code}", editors()),
    Route(
        "POST",
        "/staff/points/new",
        editors(302) | {"other_ward": 422, "other_province": 422},
        {"ward": "26743", "name": "Điểm mới", "kind": "reception", "address": ""},
        True,
    ),
    Route("GET", "/staff/points/{point_id}/edit", in_scope() | {"analyst": 403}),
    Route(
        "POST",
        "/staff/points/{point_id}/edit",
        editors_in_scope(),
        {"name": "Tên mới", "kind": "outreach", "address": "x"},
        True,
    ),
    # Deactivating and replacing the code: a confirmation page (GET), then its form (POST).
    Route("GET", "/staff/points/{point_id}/deactivate", editors_in_scope(200)),
    Route(
        "POST", "/staff/points/{point_id}/deactivate", editors_in_scope(), {"confirm": "yes"}, True
    ),
    Route("POST", "/staff/points/{point_id}/reactivate", editors_in_scope(), {}, True),
    Route("GET", "/staff/points/{point_id}/rotate", editors_in_scope(200)),
    Route("POST", "/staff/points/{point_id}/rotate", editors_in_scope(), {"confirm": "yes"}, True),
    Route("GET", "/staff/points/import", managers()),
    Route("POST", "/staff/points/import", managers(422), {}, True),
    Route("GET", "/staff/users/", admins()),
    Route("GET", "/staff/users/new", admins()),
    Route(
        "POST",
        "/staff/users/new",
        admins(302),
        {"username": "new.user", "role": "analyst", "password": "x" * 12, "confirm": "x" * 12},
        True,
    ),
    Route("GET", "/staff/users/{user_id}/edit", admins()),
    Route(
        "POST",
        "/staff/users/{user_id}/edit",
        admins(302),
        {"role": "ward_staff", "scopes": "26743 00070", "active": "y"},
        True,
    ),
    Route("GET", "/staff/audit/", admins()),
    Route("GET", "/staff/audit/?action=create&page=2", admins()),
    Route("GET", "/staff/password", everyone()),
    Route(
        "POST",
        "/staff/password",
        everyone(422),
        {"current": "wrong password!", "new": "y" * 12, "confirm": "y" * 12},
        True,
    ),
    Route("POST", "/staff/logout", everyone(302), {}, True),
    # Posters and QR codes (survey/staff/posters.py): reading, so analysts may print too. The
    # PNG and PDF variants share these views; tests/staff/test_posters_views.py tries them per role.
    Route("GET", "/staff/points/{point_id}/qr", in_scope()),
    Route("GET", "/staff/points/{point_id}/poster", in_scope()),
    Route("GET", "/staff/points/{point_id}/poster?size=tent&lang=bilingual", in_scope()),
    Route("GET", "/staff/wards/{ward_code}/posters", in_scope()),
    # A whole province: administrators, its province managers, analysts; ward staff 403.
    Route(
        "GET",
        "/staff/provinces/{province_code}/posters",
        _table(200, other_ward=403, ward_staff=403, other_province=404),
    ),
    # Paper questionnaires (survey/staff/paper.py): reserving numbers is a change, so editors in
    # scope only; the matrix world has form 1 of the Bến Thành point reserved.
    Route("GET", "/staff/points/{point_id}/paper", editors_in_scope(200)),
    Route(
        "POST",
        "/staff/points/{point_id}/paper",
        editors_in_scope(303),
        {"copies": "1", "language": "vi", "modules": "all"},
        True,
    ),
    Route("GET", "/staff/points/{point_id}/paper/print?first=1&last=1", editors_in_scope(200)),
    Route(
        "GET",
        "/staff/points/{point_id}/paper/print?first=1&last=1&language=bilingual",
        editors_in_scope(200),
    ),
    # Paper data entry (survey/staff/paper_entry.py): the number, the boxes, read back, save.
    Route("GET", "/staff/points/{point_id}/paper/entry", editors_in_scope(200)),
    Route("GET", "/staff/points/{point_id}/paper/entry?form_number=1", editors_in_scope(200)),
    Route(
        "POST",
        "/staff/points/{point_id}/paper/entry",
        editors_in_scope(200),
        {"form_number": "1", "sex": "1"},
    ),
    Route(
        "POST",
        "/staff/points/{point_id}/paper/entry",
        editors_in_scope(303),
        {"form_number": "1", "sex": "1", "action": "save"},
        True,
    ),
    # Review of flagged answers (survey/staff/review.py): the list filters by scope; one
    # answer is in scope or 404; deciding is for editors (the flagged answer is at Bến Thành).
    Route("GET", "/staff/review/", everyone()),
    Route("GET", "/staff/review/?flag=too_fast&status=pending&period=2026-Q1", everyone()),
    Route("GET", "/staff/review/{response_id}", in_scope()),
    Route(
        "POST",
        "/staff/review/{response_id}",
        editors_in_scope(),
        {"decision": "excluded", "reason": "Cùng máy, trả lời quá nhanh"},
        True,
    ),
    # Analysts' downloads (survey/analysis/downloads.py): any staff member, responses limited
    # to the scope; a unit outside it is 404. Every format is offered to every role; the
    # form's format field redirects to the format's own URL.
    Route("GET", "/analysis/downloads/", everyone()),
    Route("GET", "/analysis/downloads/codebook.csv", everyone()),
    Route("GET", "/analysis/downloads/codebook.xlsx", everyone()),
    Route("GET", "/analysis/downloads/codebook.sav", everyone()),
    Route("GET", "/analysis/downloads/codebook.dta", everyone()),
    Route("GET", "/analysis/downloads/responses.csv", everyone()),
    Route("GET", "/analysis/downloads/responses.csv?unit={ward_code}", in_scope()),
    Route("GET", "/analysis/downloads/responses.csv?unflagged=y&excluded=y", everyone()),
    Route("GET", "/analysis/downloads/responses.csv?format=xlsx&unit={ward_code}", everyone(302)),
    Route("GET", "/analysis/downloads/responses.xlsx", everyone()),
    Route("GET", "/analysis/downloads/responses.xlsx?unit={ward_code}&labels=vi", in_scope()),
    Route("GET", "/analysis/downloads/responses.sav", everyone()),
    Route("GET", "/analysis/downloads/responses.sav?unit={ward_code}&unflagged=y", in_scope()),
    Route("GET", "/analysis/downloads/responses.dta", everyone()),
    Route(
        "GET",
        "/analysis/downloads/responses.dta?unit={province_code}",
        _table(200, other_province=404),
    ),
    # Analysis (survey/analysis/views.py): estimates filtered by scope; margins for analysts.
    Route("GET", "/staff/analysis/", everyone()),
    Route("GET", "/staff/analysis/?q=ben+thanh&period=2026-Q1", everyone()),
    Route("GET", "/staff/analysis/?unit=ward&code={ward_code}&period=2026-Q1", in_scope()),
    Route(
        "GET",
        "/staff/analysis/estimates.csv?unit=province&code={province_code}&period=2026-Q1",
        _table(200, other_ward=404, ward_staff=404, other_province=404),
    ),
    # Province overview (survey/analysis/leaders.py): provinces in scope; ward staff see none.
    Route(
        "GET",
        "/staff/analysis/province/{province_code}?period=2026-Q1",
        _table(200, other_ward=404, ward_staff=404, other_province=404),
    ),
    Route(
        "GET",
        "/staff/analysis/province/{province_code}",
        _table(200, other_ward=404, ward_staff=404, other_province=404),
    ),
    # What to fix first (survey/analysis/leaders.py): a ward in scope; provinces as above.
    Route("GET", "/staff/analysis/fix?unit=ward&code={ward_code}&period=2026-Q1", in_scope()),
    Route(
        "GET",
        "/staff/analysis/fix?unit=province&code={province_code}&period=2026-Q1",
        _table(200, other_ward=404, ward_staff=404, other_province=404),
    ),
    # Trends (survey/analysis/leaders.py): a ward in scope; provinces as the overview.
    Route("GET", "/staff/analysis/trend?unit=ward&code={ward_code}&period=2026-Q1", in_scope()),
    Route("GET", "/staff/analysis/trend.csv?unit=ward&code={ward_code}&by=month", in_scope()),
    Route(
        "GET",
        "/staff/analysis/trend?unit=province&code={province_code}",
        _table(200, other_ward=404, ward_staff=404, other_province=404),
    ),
    Route(
        "GET",
        "/staff/analysis/trend.csv?unit=province&code={province_code}&period=2026-03",
        _table(200, other_ward=404, ward_staff=404, other_province=404),
    ),
    # One-page reports (survey/analysis/leaders.py): as the estimates of the unit.
    Route(
        "GET", "/staff/analysis/report.pdf?unit=ward&code={ward_code}&period=2026-Q1", in_scope()
    ),
    Route(
        "GET",
        "/staff/analysis/report.pdf?unit=province&code={province_code}&period=2026-Q1",
        _table(200, other_ward=404, ward_staff=404, other_province=404),
    ),
    Route("GET", "/staff/analysis/methodology", everyone()),
    Route("GET", "/staff/analysis/baselines", everyone()),
    Route("GET", "/staff/analysis/margins", _table(403, analyst=200, administrator=200)),
    Route("POST", "/staff/analysis/margins", _table(403, analyst=422, administrator=422), {}, True),
    # PAPI plan targets: analysts, administrators and province managers (own provinces).
    Route(
        "GET",
        "/staff/analysis/targets",
        _table(403, analyst=200, administrator=200, province_manager=200, other_province=200),
    ),
    Route(
        "POST",
        "/staff/analysis/targets",
        _table(403, analyst=422, administrator=422, province_manager=422, other_province=422),
        {},
        True,
    ),
    # Publishing results (survey/staff/publish.py): province managers and administrators; a
    # province outside the scope is 404. The matrix's one flagged answer is in 2026-Q1.
    Route("GET", "/staff/publish/", managers()),
    Route(
        "POST",
        "/staff/publish/",
        managers(302) | {"other_province": 404},
        {"province": "79", "period": "2026-Q1"},
        True,
    ),
    Route(
        "POST",
        "/staff/publish/",
        managers(422) | {"other_province": 404},
        {"province": "79", "period": "2026-Q9"},
        True,
    ),
    # Ward notes (survey/staff/notes.py): editors write for wards in scope; province managers
    # and administrators approve ({note_id}: a pending note of Bến Thành).
    Route("GET", "/staff/notes/", editors()),
    Route(
        "POST",
        "/staff/notes/",
        editors_in_scope(),
        {
            "ward": "26743",
            "dimension": "d5",
            "said": "Không có ghế chờ",
            "did": "Đã thêm 12 ghế",
            "acted_on": "2026-03-03",
            "acting_unit": "Bộ phận Một cửa",
        },
        True,
    ),
    Route("GET", "/staff/notes/{note_id}/photo.jpg", _table(404, analyst=403)),
    Route(
        "POST",
        "/staff/notes/{note_id}/decide",
        managers(302) | {"other_province": 404},
        {"decision": "approved"},
        True,
    ),
]

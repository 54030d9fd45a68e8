"""Who may do what, and where: the one place the role x scope policy lives (no Flask).

A role says what a user may do (``PERMISSIONS``, asked through ``can``); a scope says where.
Administrators and analysts see every unit; a province manager's scopes are province codes,
a ward staff member's ward codes. Views, commands and exports ask this module; they never
compare role names or write scope SQL themselves, so that a new page cannot quietly grant
more than the table below says.

``user`` is the signed-in user (a dict with ``role`` and ``scopes``). ``None`` is the command
line, which an operator with the database in hand runs: it may do everything, as in the
domain functions' ``actor=None``. A scope condition is ``(where, params)``, SQL on the wards
table aliased ``w``, which the storage functions take as they are.
"""

from sqlite_utils import Database

from survey import units

ADMINISTRATOR = "administrator"
PROVINCE_MANAGER = "province_manager"
WARD_STAFF = "ward_staff"
ANALYST = "analyst"
ROLES = (ADMINISTRATOR, PROVINCE_MANAGER, WARD_STAFF, ANALYST)
# Roles whose scope is the whole country, whatever scope codes they hold.
COUNTRY_ROLES = (ADMINISTRATOR, ANALYST)
# Roles that may change collection points and what is collected at them (analysts read only).
EDITORS = (ADMINISTRATOR, PROVINCE_MANAGER, WARD_STAFF)
# Roles that answer for whole provinces.
MANAGERS = (ADMINISTRATOR, PROVINCE_MANAGER)
# What the scope codes of the other roles name: the table they are codes of.
SCOPE_TABLES = {PROVINCE_MANAGER: "provinces", WARD_STAFF: "wards"}

# What each role may do; where (which units) is the scope's business, below.
PERMISSIONS = {
    "edit_points": EDITORS,  # create, edit, deactivate, rotate; paper forms and their entry
    "import_points": MANAGERS,  # whole files (ward staff add points one by one)
    "import_responses": (ADMINISTRATOR,),  # files in the responses export format
    "print_province_posters": (ADMINISTRATOR, PROVINCE_MANAGER, ANALYST),
    "decide_reviews": EDITORS,
    "write_notes": EDITORS,  # and read them, with their photos
    "decide_notes": MANAGERS,
    "publish": MANAGERS,
    "manage_users": (ADMINISTRATOR,),
    "read_audit": (ADMINISTRATOR,),
    "set_margins": (ADMINISTRATOR, ANALYST),  # the margins every estimate is weighted with
    "load_baselines": (ADMINISTRATOR, ANALYST),  # the official scores beside the estimates
    "set_targets": (ADMINISTRATOR, ANALYST, PROVINCE_MANAGER),
    "see_country": COUNTRY_ROLES,  # the whole country's estimates and every response
}


def can(user: dict | None, action: str) -> bool:
    """Tell whether the user's role may do the action (a key of ``PERMISSIONS``)."""
    if user is None:
        return True
    return user["role"] in PERMISSIONS[action]


def sees_country(user: dict | None) -> bool:
    """Tell whether the user's scope is every unit of the country."""
    return can(user, "see_country")


def scope_clause(
    user: dict | None, ward_column: str = "w.code", province_column: str = "w.province_code"
) -> tuple[str, list]:
    """Return an SQL condition and its parameters limiting wards to the user's scope."""
    if sees_country(user):
        return "1", []
    codes = list(user["scopes"])
    if not codes or user["role"] not in SCOPE_TABLES:
        return "0", []
    column = province_column if user["role"] == PROVINCE_MANAGER else ward_column
    return f"{column} IN ({','.join('?' * len(codes))})", codes


def within_province(code: str) -> tuple[str, list]:
    """Return the scope condition of one whole province (for the command line and public pages)."""
    return "w.province_code = ?", [code]


def can_see_ward(user: dict | None, ward: dict) -> bool:
    """Tell whether the ward (a row with ``code`` and ``province_code``) is in the user's scope."""
    if sees_country(user):
        return True
    if user["role"] == PROVINCE_MANAGER:
        return ward["province_code"] in user["scopes"]
    return user["role"] == WARD_STAFF and ward["code"] in user["scopes"]


def can_see_province(user: dict | None, province_code: str) -> bool:
    """Tell whether all of the province is in the user's scope (ward staff: never)."""
    if sees_country(user):
        return True
    return user["role"] == PROVINCE_MANAGER and province_code in user["scopes"]


def can_see_row(user: dict | None, row: dict) -> bool:
    """Tell whether a ward's row (``ward_code``, ``province_code``) is in scope.

    Points, responses and notes each belong to one ward and carry its codes.
    """
    return can_see_ward(user, {"code": row["ward_code"], "province_code": row["province_code"]})


def can_edit_ward(user: dict | None, ward: dict) -> bool:
    """Tell whether the user may change the ward's points: an editor whose scope holds it."""
    return can(user, "edit_points") and can_see_ward(user, ward)


def can_decide_review(user: dict | None, response: dict) -> bool:
    """Tell whether the user may include or exclude a response (a row with its ward's codes)."""
    return can(user, "decide_reviews") and can_see_row(user, response)


def can_write_note(user: dict | None, ward: dict) -> bool:
    """Tell whether the user may write (and read) notes of the ward: an editor in scope."""
    return can(user, "write_notes") and can_see_ward(user, ward)


def can_decide_note(user: dict | None, ward: dict) -> bool:
    """Tell whether the user may approve the ward's notes: its province manager or an admin."""
    return can(user, "decide_notes") and can_see_province(user, ward["province_code"])


def can_publish(user: dict | None, province_code: str) -> bool:
    """Tell whether the user may publish the province's results."""
    return can(user, "publish") and can_see_province(user, province_code)


def managed_province_codes(user: dict | None) -> list[str] | None:
    """Return the province codes the user answers for (None: every province)."""
    if user is None or user["role"] == ADMINISTRATOR:
        return None
    return sorted(user["scopes"]) if user["role"] == PROVINCE_MANAGER else []


def target_provinces(user: dict | None) -> list[str] | None:
    """Return the provinces whose plan targets the user may set (None: every province)."""
    return sorted(user["scopes"]) if user and user["role"] == PROVINCE_MANAGER else None


def visible_wards(db: Database, user: dict | None) -> list[dict]:
    """Return the wards in the user's scope (code, name, province_code) by unaccented name."""
    where, params = scope_clause(user)
    sql = f"SELECT w.code, w.name, w.province_code FROM wards w WHERE {where} ORDER BY w.name_ascii"
    return list(db.query(sql, params))


def visible_ward_codes(db: Database, user: dict | None) -> set[str]:
    """Return the codes of every ward in the user's scope."""
    return {ward["code"] for ward in visible_wards(db, user)}


def visible_provinces(db: Database, user: dict | None) -> list[dict]:
    """Return the provinces the user sees whole (none for ward staff), in Vietnamese order."""
    if sees_country(user):
        return units.list_provinces(db)
    if user["role"] == PROVINCE_MANAGER:
        return units.list_provinces(db, sorted(user["scopes"]))
    return []


def provinces_touched(db: Database, user: dict | None) -> list[dict]:
    """Return the provinces holding at least one ward of the user's scope, in Vietnamese order."""
    if sees_country(user):
        return units.list_provinces(db)
    codes = sorted({ward["province_code"] for ward in visible_wards(db, user)})
    return units.list_provinces(db, codes)


def can_see(db: Database, user: dict | None, kind: str, code: str) -> bool:
    """Tell whether the unit exists and all of it is in scope (ward, province or point id)."""
    if kind == "province":
        return units.get_province(db, code) is not None and can_see_province(user, code)
    if kind == "ward":
        ward = units.get_ward(db, code)
        return ward is not None and can_see_ward(user, ward)
    # SQLite integers have 64 bits: a longer "id" names no point (and must not overflow).
    if not (str(code).isascii() and str(code).isdigit()) or len(str(code)) > 18:
        return False
    sql = (
        "SELECT p.ward_code, w.province_code FROM points p JOIN wards w ON w.code = p.ward_code"
        " WHERE p.id = ?"
    )
    rows = list(db.query(sql, [int(code)]))
    return bool(rows) and can_see_row(user, rows[0])


def touches(db: Database, user: dict | None, kind: str, code: str) -> bool:
    """Tell whether at least one ward of the unit is in scope (for rows filtered by scope)."""
    if kind == "province":
        where, params = scope_clause(user)
        sql = f"SELECT 1 FROM wards w WHERE w.province_code = ? AND ({where}) LIMIT 1"
        return db.execute(sql, [code, *params]).fetchone() is not None
    return can_see(db, user, kind, code)

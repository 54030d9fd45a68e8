"""Which units an analyst may pick on the estimates page: storage look-ups limited to a scope.

``where``/``params`` is the SQL condition of ``accounts.scope_clause`` on ``w`` (wards).
"""

from datetime import date

from survey import accounts, collation, periods, units

# The picker lists at most this many wards with answers; beyond that the search box is quicker.
MAX_LISTED = 200


def wards_with_responses(db, period, questionnaire, where="1", params=(), limit=MAX_LISTED):
    """Return the wards in scope with answers in the period: code, names, responses.

    In Vietnamese order of province and ward name; one more than ``limit`` says "more".
    """
    start, end = period.utc_bounds()
    sql = (
        "SELECT w.code, w.name, p.name AS province_name, count(*) AS responses"
        " FROM responses r JOIN wards w ON w.code = r.ward_code"
        " JOIN provinces p ON p.code = w.province_code"
        f" WHERE ({where}) AND r.submitted_at >= ? AND r.submitted_at < ?"
        " AND r.review_status <> 'excluded'"
        " AND r.questionnaire_id = ? AND r.questionnaire_version = ?"
        " GROUP BY w.code"
    )
    args = [*params, start, end, questionnaire[0], questionnaire[1]]
    found = collation.sorted_by(db.query(sql, args), "province_name", "name", "code")
    return found[: limit + 1]


def search(db, text, where="1", params=(), limit=30):
    """Return wards in scope whose name matches text, with or without diacritics."""
    if not text.strip():
        return []
    return units.search_wards(db, text, where, params, limit)


def provinces_for(db, user) -> list[dict]:
    """Return the provinces whose estimates the user may see (none for ward staff)."""
    if user["role"] in (accounts.ADMINISTRATOR, accounts.ANALYST):
        return units.list_provinces(db)
    if user["role"] == accounts.PROVINCE_MANAGER:
        return units.list_provinces(db, sorted(user["scopes"]))
    return []


def sees_country(user) -> bool:
    """Tell whether the user may see the whole country's estimates."""
    return user["role"] in (accounts.ADMINISTRATOR, accounts.ANALYST)


def suggested_periods(today: date, chosen: str) -> list[str]:
    """Return the periods offered as quick links: recent quarters, four quarters, years."""
    quarters = [periods.quarter_of(today)]
    for _ in range(3):
        quarters.append(periods.previous(quarters[-1]))
    found = [q.label for q in quarters]
    found += [f"rolling:{quarters[0].label}", str(today.year), str(today.year - 1)]
    return [text for text in found if text != chosen]

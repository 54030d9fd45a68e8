"""What the estimates page offers to pick: wards found by name, and quick periods.

Which units a user may pick is ``survey.access``'s; ``where``/``params`` is its scope
condition on ``w`` (wards).
"""

from datetime import date

from survey import periods, units

# The picker lists at most this many wards with answers; beyond that the search box is quicker.
MAX_LISTED = 200


def search(db, text, where="1", params=(), limit=30):
    """Return wards in scope whose name matches text, with or without diacritics."""
    if not text.strip():
        return []
    return units.search_wards(db, text, where, params, limit)


def suggested_periods(today: date, chosen: str) -> list[str]:
    """Return the periods offered as quick links: recent quarters, four quarters, years."""
    quarters = [periods.quarter_of(today)]
    for _ in range(3):
        quarters.append(periods.previous(quarters[-1]))
    found = [q.label for q in quarters]
    found += [f"rolling:{quarters[0].label}", str(today.year), str(today.year - 1)]
    return [text for text in found if text != chosen]

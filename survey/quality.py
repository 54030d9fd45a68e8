"""Flags for a finished response that may be junk or ballot stuffing (flagged, never deleted).

A flag only asks staff to look (survey/staff/review.py); estimates and exports count flagged
responses unless told not to, and never count excluded ones. The flags:

- ``duplicate_browser``: this browser already sent an answer at this collection point in this
  quarter (Vietnam time), recognised by a signed cookie set when an answer is sent. A family
  may share a phone, so the citizen may go on; the answer is flagged.
- ``too_fast``: finished in under ``TOO_FAST_SHARE`` of the reading estimate for the pages
  and answers actually shown (survey.questionnaire.timing, 150 words a minute plus 4 seconds
  an answer).
- ``straight_lining``: the same point of the scale on every scale item, including a whole
  block of at least ``STRAIGHT_BLOCK`` scale items and at least ``STRAIGHT_CONFIRM`` more
  elsewhere (see ``is_straight_lined``).
- ``honeypot``: a field that people cannot see nor reach was filled in (by a robot).
- ``burst``: the collection point received more than ``max(BURST_FLOOR, BURST_FACTOR x its
  usual hourly count)`` answers in the last hour.
- ``pii_masked``: a phone number, e-mail address or ID number was masked (survey/privacy.py).
- ``paper_skip_violated``: a paper form answers a question its skip instructions said to skip
  (survey/staff/paper_check.py); the answer is kept, and counts only where the skip logic
  lets it (as every answer does).

Paper forms are typed in by staff, many in an hour: ``burst`` counts web answers only.
"""

import math
import statistics
import time
from datetime import UTC, datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer
from sqlite_utils import Database

from survey import periods
from survey.locales import or_default
from survey.questionnaire.logic import prune, visible_items
from survey.questionnaire.rotation import pages_for
from survey.questionnaire.timing import estimate_seconds

FLAGS = (
    "duplicate_browser", "too_fast", "straight_lining", "honeypot", "burst", "pii_masked",
    "paper_skip_violated",
)  # fmt: skip

# The estimate assumes 150 words a minute and 4 s a tap. A fast reader skims at about three
# times that speed (about 450 words a minute) and taps in about a second, which is roughly 30%
# of the estimate: faster than that, the questions cannot have been read.
TOO_FAST_SHARE = 0.30
# SIPAS (5 items) is the block every respondent who used a service sees. A happy citizen
# answering 5,5,5,5,5 there is plausible; the same point on unrelated topics too (air quality,
# safety, school) is the pattern of tapping without reading.
STRAIGHT_BLOCK = 4
STRAIGHT_CONFIRM = 2
SCALE_RANGES = {"likert5": (1, 5), "rating10": (0, 10)}
# Wards are closed most hours, so the usual rate is the median over hours that had at least
# one answer in the last 28 days (four weeks smooths weekly patterns); 5x that, and never
# fewer than 10 an hour, is far above what a queue at one counter produces.
BURST_FACTOR = 5
BURST_FLOOR = 10
BURST_HISTORY_DAYS = 28
# Name of the honeypot field on the last page; nothing in the questionnaire uses it.
HONEYPOT_FIELD = "extra_note"
# The "already answered here" cookie lasts a little longer than a quarter.
ANSWERED_MAX_AGE = 100 * 24 * 3600


def current_period(now: float | None = None) -> str:
    """Return the label of the quarter (Vietnam time) a moment falls in, e.g. ``2026-Q1``."""
    moment = datetime.fromtimestamp(time.time() if now is None else now, UTC)
    return periods.quarter_of(moment.astimezone(periods.LOCAL_TZ).date()).label


def answered_cookie_name(point_id: int) -> str:
    """Return the name of the cookie saying this browser answered at a point."""
    return f"answered_{point_id}"


def answered_mark(secret_key: str, point_id: int, now: float | None = None) -> str:
    """Return the signed cookie value marking an answer at a point in the current quarter."""
    return _answered_signer(secret_key).dumps([point_id, current_period(now)])


def already_answered(secret_key: str, point_id: int, value: str | None, now=None) -> bool:
    """Tell whether a cookie value says this browser answered at this point this quarter."""
    if not value or len(value) > 200:
        return False
    try:
        marked = _answered_signer(secret_key).loads(value)
    except (BadSignature, UnicodeError, ValueError):
        return False
    return marked == [point_id, current_period(now)]


def _answered_signer(secret_key: str) -> URLSafeSerializer:
    """Return the signer of the "already answered" cookie."""
    return URLSafeSerializer(secret_key, salt="papi-pulse-answered")


def is_too_fast(questionnaire, modules, answers: dict, seconds, lang: str = "vi") -> bool:
    """Tell whether the time taken is under TOO_FAST_SHARE of the reading estimate."""
    if seconds is None:
        return False
    expected = estimate_seconds(questionnaire, modules, answers, or_default(lang))
    return seconds < TOO_FAST_SHARE * expected


def scale_positions(questionnaire, modules, answers: dict) -> list[list[float]]:
    """Return, page by page, the scale answers as positions from 0 (low end) to 1 (high end)."""
    answers = prune(questionnaire, answers)
    blocks = []
    for page in pages_for(questionnaire, modules):
        block = []
        for item in visible_items(page, answers):
            low_high = SCALE_RANGES.get(item.type)
            value = answers.get(item.id)
            if low_high and isinstance(value, str) and value.isdigit():
                low, high = low_high
                block.append((int(value) - low) / (high - low))
        if block:
            blocks.append(block)
    return blocks


def is_straight_lined(questionnaire, modules, answers: dict) -> bool:
    """Tell whether every scale answer is the same point, over a block and beyond it.

    Flagged when all scale answers sit at one position (5 of 5 equals 10 of 10; "don't know"
    is not a position), one page holds at least STRAIGHT_BLOCK of them, and at least
    STRAIGHT_CONFIRM more on other pages agree. A citizen who gives 5 on all of SIPAS and
    answers other topics differently, or sees no other scale item, is not flagged.
    """
    blocks = scale_positions(questionnaire, modules, answers)
    values = [value for block in blocks for value in block]
    if len(set(values)) != 1:
        return False
    largest = max(len(block) for block in blocks)
    return largest >= STRAIGHT_BLOCK and len(values) - largest >= STRAIGHT_CONFIRM


def usual_hourly_count(db: Database, point_id: int, now: float | None = None) -> float:
    """Return the median count of answers in the point's active hours of the last 28 days."""
    moment = datetime.fromtimestamp(time.time() if now is None else now, UTC)
    since = (moment - timedelta(days=BURST_HISTORY_DAYS)).isoformat(timespec="seconds")
    last_hour = (moment - timedelta(hours=1)).isoformat(timespec="seconds")
    counts = [
        row[0]
        for row in db.execute(
            "SELECT count(*) FROM responses WHERE point_id = ? AND submitted_at >= ?"
            " AND submitted_at < ? AND review_status <> 'excluded' AND mode = 'web'"
            " GROUP BY substr(submitted_at, 1, 13)",
            [point_id, since, last_hour],
        )
    ]
    return statistics.median(counts) if counts else 0.0


def is_burst(db: Database, point_id: int, now: float | None = None) -> bool:
    """Tell whether the point got more answers in the last hour than BURST allows (this one too)."""
    moment = datetime.fromtimestamp(time.time() if now is None else now, UTC)
    last_hour = (moment - timedelta(hours=1)).isoformat(timespec="seconds")
    if _recent(db, point_id, last_hour, BURST_FLOOR) + 1 <= BURST_FLOOR:
        return False  # under the floor whatever the usual rate: skip the 28-day scan
    threshold = max(BURST_FLOOR, BURST_FACTOR * usual_hourly_count(db, point_id, now))
    return _recent(db, point_id, last_hour, math.floor(threshold) + 1) + 1 > threshold


def _recent(db: Database, point_id: int, since: str, cap: int) -> int:
    """Return the point's web answers since a moment, counted no further than cap."""
    # Counting stops at the cap, where the verdict is settled: a flood at one point would
    # otherwise make every further submit there read the whole hour's rows (#10.6).
    return db.execute(
        "SELECT count(*) FROM (SELECT 1 FROM responses WHERE point_id = ? AND submitted_at >= ?"
        " AND mode = 'web' LIMIT ?)",
        [point_id, since, cap],
    ).fetchone()[0]


def flags_for(
    db: Database,
    questionnaire,
    record: dict,
    *,
    duplicate: bool = False,
    honeypot: str | None = None,
    now: float | None = None,
    burst: bool = True,
) -> list[str]:
    """Return the sorted flags of a finished response about to be stored.

    ``burst=False`` leaves out the one flag that reads the database (``is_burst``), for a
    caller that reads it inside its write transaction; ``db`` may then be None.
    """
    found = set(record.get("flags", []))
    modules, answers = record["modules"], record["answers"]
    if duplicate:
        found.add("duplicate_browser")
    if honeypot:
        found.add("honeypot")
    if is_too_fast(
        questionnaire, modules, answers, record.get("duration_seconds"), record.get("locale", "vi")
    ):
        found.add("too_fast")
    if is_straight_lined(questionnaire, modules, answers):
        found.add("straight_lining")
    if burst and is_burst(db, record["point_id"], now):
        found.add("burst")
    return sorted(found)

"""Starts and submissions per collection point and network address, counted in SQLite so the
limit holds across all workers.

Why per point and address, with a high ceiling: a ward office's Wi-Fi and a mobile network's
carrier-grade NAT put many phones behind one address (Vietnamese carriers share one public
address among many subscribers), and a busy one-stop counter must never turn a citizen away.
The limit only stops a machine flooding one point; answers under it that look like a flood are
flagged by ``burst`` and the other checks in survey/quality.py, and staff decide. A flood at
one point costs the same address nothing at another point.

Why our own limiter and not Flask-Limiter: its counters live in memory (one count per worker,
so four gunicorn workers quadruple any limit) or in Redis/Memcached/MongoDB, none of which a
province's one small server runs. It has no SQLite storage, and writing one for the ``limits``
package means implementing its whole storage interface (moving windows, expiry, reset) for the
two counters we need. The database every worker already shares does the job in one small
transaction.

How it counts: a sliding window approximated from two fixed hourly windows (the method
Cloudflare describes): ``hits now = this window's hits + last window's hits x the share of the
last window still inside the hour``. One ``BEGIN IMMEDIATE`` transaction per start or finish
reads two rows and upserts one, so concurrent workers cannot both slip under the limit;
rows two days old are deleted when a key opens a new window.

When refused, ``retry_after`` says how long until one more would fit under the same
approximation (nothing refused is counted, so waiting that long is enough), for the page to
show the real wait and for the ``Retry-After`` header.

Privacy: the address is never stored. The key is ``HMAC(salt, point id + address)`` where the
salt is ``HMAC(secret key, Vietnam-local date)``: it changes every local midnight, so
yesterday's keys cannot be linked to today's (nor one point's to another's), and counters
restart at midnight. Rows live only in ``rate_limits`` and are deleted once two days old.
"""

import hashlib
import hmac
import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlite_utils import Database

from survey.db import immediate
from survey.periods import LOCAL_TZ

WINDOW_SECONDS = 3600
# Counter rows older than this are deleted: enough for the sliding window, never longer.
KEEP_SECONDS = 2 * 24 * 3600
ACTIONS = ("start", "finish")


@dataclass(frozen=True)
class Verdict:
    """Whether an attempt was counted, and if not, the seconds until one more would fit."""

    allowed: bool
    retry_after: int = 0


def address_key(secret_key: str, point_id: int, address: str | None, now=None) -> str:
    """Return the day's salted hash of a point and a network address (never the address)."""
    moment = datetime.fromtimestamp(time.time() if now is None else now, UTC)
    day = moment.astimezone(LOCAL_TZ).date().isoformat()
    salt = hmac.new(secret_key.encode(), f"ratelimit:{day}".encode(), hashlib.sha256).digest()
    message = f"{int(point_id)} {address or 'unknown'}".encode()
    return hmac.new(salt, message, hashlib.sha256).hexdigest()[:32]


def hit(db: Database, key: str, action: str, limit: int, now: float | None = None) -> Verdict:
    """Count one attempt; refuse it (counting nothing) when it would exceed the limit.

    A limit of 0 means no limit: nothing is counted.
    """
    if action not in ACTIONS:
        raise ValueError(action)
    if limit <= 0:
        return Verdict(True)
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS) * WINDOW_SECONDS
    with immediate(db):
        counts = dict(
            db.execute(
                "SELECT window_start, hits FROM rate_limits"
                " WHERE key = ? AND action = ? AND window_start IN (?, ?)",
                [key, action, window, window - WINDOW_SECONDS],
            ).fetchall()
        )
        current, previous = counts.get(window, 0), counts.get(window - WINDOW_SECONDS, 0)
        elapsed = (now - window) / WINDOW_SECONDS
        # The tolerance absorbs float noise at the very second retry_after names.
        if current + previous * (1 - elapsed) + 1 > limit + 1e-9:
            return Verdict(False, retry_after(current, previous, limit, now))
        hits = db.execute(
            "INSERT INTO rate_limits (key, action, window_start, hits) VALUES (?, ?, ?, 1)"
            " ON CONFLICT DO UPDATE SET hits = hits + 1 RETURNING hits",
            [key, action, window],
        ).fetchone()[0]
        if hits == 1:
            # Old rows are swept when a key opens a window, not at every hit: the sweep
            # scans the table, and a busy submit path pays for it once an hour per key.
            db.execute("DELETE FROM rate_limits WHERE window_start < ?", [now - KEEP_SECONDS])
    return Verdict(True)


def retry_after(current: int, previous: int, limit: int, now: float) -> int:
    """Return the whole seconds until one more hit fits, if nothing else is counted meanwhile.

    current and previous are the hits of this and the last fixed window. Within this window
    only the last window's share shrinks; if this window alone is full, the wait runs into the
    next one, where this window's hits become the shrinking share.
    """
    window = now // WINDOW_SECONDS * WINDOW_SECONDS
    room = limit - 1  # hits that may already count when one more is let through
    if current <= room:
        # previous x (1 - elapsed) <= room - current
        until = window + WINDOW_SECONDS * (1 - (room - current) / previous)
    else:
        # next window: current x (1 - elapsed) <= room
        until = window + WINDOW_SECONDS * (2 - room / current)
    return max(1, math.ceil(until - now))


def allow(
    db: Database, secret_key: str, point_id: int, address: str | None, action: str, limit: int
) -> Verdict:
    """Count an attempt at a point from an address against the hourly limit."""
    now = time.time()
    return hit(db, address_key(secret_key, point_id, address, now), action, limit, now)

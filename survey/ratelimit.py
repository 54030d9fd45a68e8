"""Submissions per network address, counted in SQLite so the limit holds across all workers.

Why our own limiter and not Flask-Limiter: its counters live in memory (one count per worker,
so four gunicorn workers quadruple any limit) or in Redis/Memcached/MongoDB, none of which a
province's one small server runs. It has no SQLite storage, and writing one for the ``limits``
package means implementing its whole storage interface (moving windows, expiry, reset) for the
two counters we need. The database every worker already shares does the job in one small
transaction.

How it counts: a sliding window approximated from two fixed hourly windows (the method
Cloudflare describes): ``hits now = this window's hits + last window's hits x the share of the
last window still inside the hour``. One ``BEGIN IMMEDIATE`` transaction per start or finish
reads two rows and upserts one, so concurrent workers cannot both slip under the limit.

Privacy: the address is never stored. The key is ``HMAC(salt, address)`` where the salt is
``HMAC(secret key, Vietnam-local date)``: it changes every local midnight, so yesterday's keys
cannot be linked to today's, and counters restart at midnight. Rows live only in
``rate_limits`` and are deleted once they are two days old.
"""

import hashlib
import hmac
import time
from datetime import UTC, datetime

from sqlite_utils import Database

from survey.db import immediate
from survey.periods import LOCAL_TZ

WINDOW_SECONDS = 3600
# Counter rows older than this are deleted: enough for the sliding window, never longer.
KEEP_SECONDS = 2 * 24 * 3600
ACTIONS = ("start", "finish")


def address_key(secret_key: str, address: str | None, now: float | None = None) -> str:
    """Return the day's salted hash of a network address (never the address itself)."""
    moment = datetime.fromtimestamp(time.time() if now is None else now, UTC)
    day = moment.astimezone(LOCAL_TZ).date().isoformat()
    salt = hmac.new(secret_key.encode(), f"ratelimit:{day}".encode(), hashlib.sha256).digest()
    return hmac.new(salt, (address or "unknown").encode(), hashlib.sha256).hexdigest()[:32]


def hit(db: Database, key: str, action: str, limit: int, now: float | None = None) -> bool:
    """Count one attempt; return False (and count nothing) when it would exceed the limit.

    A limit of 0 means no limit: nothing is counted.
    """
    if action not in ACTIONS:
        raise ValueError(action)
    if limit <= 0:
        return True
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
        elapsed = (now - window) / WINDOW_SECONDS
        used = counts.get(window, 0) + counts.get(window - WINDOW_SECONDS, 0) * (1 - elapsed)
        if used + 1 > limit:
            return False
        db.execute(
            "INSERT INTO rate_limits (key, action, window_start, hits) VALUES (?, ?, ?, 1)"
            " ON CONFLICT DO UPDATE SET hits = hits + 1",
            [key, action, window],
        )
        db.execute("DELETE FROM rate_limits WHERE window_start < ?", [now - KEEP_SECONDS])
    return True


def allow(db: Database, secret_key: str, address: str | None, action: str, limit: int) -> bool:
    """Count an attempt from an address; False when it is over the hourly limit."""
    return hit(db, address_key(secret_key, address), action, limit)

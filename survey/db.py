"""SQLite connections: one place for pragmas, transactions and the SQLite version check.

Settings, and why:
- WAL journal: readers never block the writer, and a crash leaves the database consistent.
- busy_timeout: a writer waits for the lock instead of failing at once under load.
- synchronous (FULL by default): an acknowledged answer survives a power cut.
- foreign_keys on: a response cannot point at a collection point that does not exist.
- mmap_size is never set: with several writer processes it turns the WAL-reset race of
  SQLite 3.7.0-3.51.2 into lasting corruption.

Writers of the web workers queue on a lock file (``queue_writers``): SQLite's own busy
handler polls, sleeping 1, 2, 5, 10 ms and more between tries, so under load a worker slept
through moments the write lock was free (under wrk 0.9 sleeps per final submit with 2 workers,
1.4 with 4; waits of 4-6 ms for a lock held 1-5 ms). An exclusive ``flock`` on
``<database>-writers`` taken before ``BEGIN IMMEDIATE`` puts the waiting workers in the
kernel's queue instead, woken the moment the holder commits. The kernel drops the lock of a
process that dies (``kill -9`` included), so a dead holder blocks no one. Only web requests'
connections queue (webdb.py): their transactions last milliseconds, and each waits at most the
busy timeout for any other writer (a command's long import) inside SQLite, so a queued
worker's wait stays bounded; command-line writers keep SQLite's busy timeout alone.
"""

import contextlib
import errno
import logging
import os
import threading

import sqlite_utils
from sqlite_utils.utils import sqlite3

try:
    import fcntl
except ImportError:  # Windows: no flock; writers rely on the busy timeout alone
    fcntl = None

log = logging.getLogger(__name__)

# SQLite 3.51.3 fixes the WAL-reset race between concurrent writers (3.7.0 to 3.51.2).
FIXED_SQLITE = (3, 51, 3)
AFFECTED_SQLITE = ((3, 7, 0), (3, 51, 2))

OperationalError = sqlite3.OperationalError
IntegrityError = sqlite3.IntegrityError


# SQLite's text for SQLITE_FULL (sqlite3ErrStr); pysqlite3 does not expose the error code.
_FULL = "database or disk is full"
# SQLite's INTEGER is 64-bit signed: binding a larger Python int raises OverflowError.
MAX_INTEGER = 2**63 - 1


def is_disk_full(exc: BaseException) -> bool:
    """Return whether an SQLite or OS error means the disk (or a quota) is full."""
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    return getattr(exc, "sqlite_errorname", None) == "SQLITE_FULL" or _FULL in str(exc)


def sqlite_version() -> tuple[int, int, int]:
    """Return the version of the SQLite library the app is linked against."""
    return tuple(int(part) for part in sqlite3.sqlite_version.split(".")[:3])


def sqlite_warning() -> str | None:
    """Return a warning if this SQLite has the WAL-reset corruption bug, else None."""
    version = sqlite_version()
    low, high = AFFECTED_SQLITE
    if low <= version <= high:
        return (
            f"SQLite {sqlite3.sqlite_version} has the WAL-reset corruption bug with concurrent "
            "writers (fixed in 3.51.3). Install pysqlite3 0.6.1 (pip install pysqlite3==0.6.1) "
            "or run a single server process."
        )
    return None


class Database(sqlite_utils.Database):
    """sqlite-utils' Database, with the lock file its writers queue on (None: no queue)."""

    writers_lock: int | None = None

    def close(self) -> None:
        """Close the connection and the lock file."""
        super().close()
        if self.writers_lock is not None:
            os.close(self.writers_lock)
            self.writers_lock = None


# Whether this thread holds the writers' lock: a second connection of the same thread (one
# opened inside another's transaction) must not wait for its own thread.
_queued = threading.local()


def writers_lock_path(path: str) -> str:
    """Return the path of the lock file that a database's web writers queue on."""
    return f"{path}-writers"


def connect(
    path: str, busy_timeout_ms: int = 5000, synchronous: str = "FULL", queue_writers=False
) -> Database:
    """Open the database at path with the app's pragmas.

    ``queue_writers`` makes ``immediate`` wait its turn on the writers' lock file first.
    """
    conn = sqlite3.connect(
        path, timeout=busy_timeout_ms / 1000, isolation_level=None, check_same_thread=False
    )
    db = Database(conn, execute_plugins=False)
    if queue_writers and fcntl is not None and path != ":memory:":
        db.writers_lock = os.open(writers_lock_path(path), os.O_RDWR | os.O_CREAT, 0o600)
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if mode.lower() != "wal" and path != ":memory:":
        log.warning("SQLite refused WAL mode (journal_mode=%s) for %s", mode, path)
    if synchronous not in ("NORMAL", "FULL", "EXTRA"):
        raise ValueError(f"bad synchronous setting {synchronous!r}")
    conn.execute(f"PRAGMA synchronous = {synchronous}")
    conn.execute("PRAGMA foreign_keys = ON")
    return db


def path_of(db: Database) -> str:
    """Return the file path of the database's main schema ("" for an in-memory one)."""
    return db.execute("PRAGMA database_list").fetchone()[2]


@contextlib.contextmanager
def immediate(db: Database):
    """Run the block in a BEGIN IMMEDIATE transaction: for read-then-write work in WAL mode."""
    conn = db.conn
    if conn.in_transaction:
        with db.atomic():
            yield db
        return
    with _queue(db):
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")


@contextlib.contextmanager
def _queue(db: Database):
    """Hold the writers' lock for the block when the connection queues its writers."""
    lock = getattr(db, "writers_lock", None)
    if lock is None or getattr(_queued, "held", False):
        yield
        return
    fcntl.flock(lock, fcntl.LOCK_EX)
    _queued.held = True
    try:
        yield
    finally:
        _queued.held = False
        fcntl.flock(lock, fcntl.LOCK_UN)


# Rowids per UPDATE of a fill: memory stays a few MB whatever the table's size (one UPDATE of
# the whole table held a copy of every row it changed: 76 MB per 100,000 rows).
FILL_ROWIDS = 10_000


def fill_responses(db: Database, name: str, function, assignments: str, pending: str) -> int:
    """Run ``UPDATE responses SET assignments WHERE pending`` by rowid ranges; return the rows.

    ``function`` is registered as the SQL function ``name`` (4 arguments) for the time of the
    fill, for the assignments to call; ``pending`` selects the rows still to fill.
    """
    db.conn.create_function(name, 4, function, deterministic=True)
    low, high = db.execute("SELECT min(rowid), max(rowid) FROM responses").fetchone()
    filled = 0
    try:
        for start in range(low or 0, (high or -1) + 1, FILL_ROWIDS):
            filled += db.execute(
                f"UPDATE responses SET {assignments}"  # noqa: S608
                f" WHERE rowid >= ? AND rowid < ? AND {pending}",
                [start, start + FILL_ROWIDS],
            ).rowcount
        return filled
    finally:
        db.conn.create_function(name, 4, None)


def integrity_check(db: Database) -> list[str]:
    """Return the problems PRAGMA integrity_check finds; an empty list means the file is sound."""
    rows = [row[0] for row in db.execute("PRAGMA integrity_check").fetchall()]
    return [] if rows == ["ok"] else rows

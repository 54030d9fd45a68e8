"""The request's database handle, and start-up migrations."""

import logging
import os
import threading

from flask import current_app, g

from survey import db as storage
from survey import migrations

log = logging.getLogger(__name__)


def open_db(app) -> storage.Database:
    """Open a new connection to the app's database with the configured pragmas."""
    return storage.connect(
        app.config["DATABASE"], app.config["DB_BUSY_TIMEOUT_MS"], app.config["DB_SYNCHRONOUS"]
    )


def backup_dir(app) -> str:
    """Return the folder backups go to (BACKUP_DIR, relative to the instance folder)."""
    return os.path.join(app.instance_path, app.config["BACKUP_DIR"])


# Each worker thread keeps its connection from one request to the next. Opening one costs
# more than a final submit's own work (the WAL pragma takes a lock), and closing the last
# connection to a database checkpoints the WAL, so a connection per request paid several
# fsyncs per answer instead of one. The kept connection is reopened when the process, the
# settings or the file itself change (a restored file is a new inode: the old connection
# would write to the deleted one); `restore` also refuses while a server holds the lock.
_kept = threading.local()


def get_db() -> storage.Database:
    """Return this request's connection: the thread's kept one, (re)opened when needed."""
    if "db" not in g:
        g.db = _kept_db(current_app)
    return g.db


def _kept_db(app) -> storage.Database:
    """Return this thread's connection to the app's database, opening a new one if stale."""
    path = app.config["DATABASE"]
    try:
        inode = os.stat(path).st_ino
    except OSError:
        inode = None  # not created yet, or in memory: open anew until it exists
    key = (os.getpid(), path, inode, app.config["DB_BUSY_TIMEOUT_MS"], app.config["DB_SYNCHRONOUS"])
    kept = getattr(_kept, "entry", None)
    if kept is not None and kept[0] == key and inode is not None:
        return kept[1]
    if kept is not None and kept[0][0] == os.getpid():
        kept[1].close()
    db = open_db(app)
    _kept.entry = (key, db)
    return db


def forget_kept() -> None:
    """Close this thread's kept connection (tests, and before the database file is replaced)."""
    kept = getattr(_kept, "entry", None)
    _kept.entry = None
    if kept is not None and kept[0][0] == os.getpid():
        kept[1].close()


def close_db(_exc=None) -> None:
    """End this request's use of its connection: nothing may stay open in a transaction."""
    db = g.pop("db", None)
    if db is not None and db.conn.in_transaction:
        db.conn.execute("ROLLBACK")


def init_app(app) -> None:
    """Warn about an affected SQLite, apply pending migrations, register teardown."""
    warning = storage.sqlite_warning()
    if warning:
        log.warning("WARNING: %s", warning)
        app.config["SQLITE_WARNING"] = warning
    if app.config.get("MIGRATE_ON_START", True):
        db = open_db(app)
        try:
            applied = migrations.apply(db, backup_dir(app))
        finally:
            db.close()
        if applied:
            log.info("applied migrations: %s", ", ".join(applied))
    app.teardown_appcontext(close_db)

"""The request's database handle, start-up migrations and ``papi-pulse migrate``, and the
integers a URL may carry."""

import logging
import os
import threading

import click
from flask import current_app, g, has_request_context
from flask.cli import with_appcontext
from werkzeug.routing import IntegerConverter

from survey import backup
from survey import db as storage

log = logging.getLogger(__name__)
# The largest id a row can have: a larger number in a URL would raise OverflowError (a 500).
SQLITE_MAX_INTEGER = storage.MAX_INTEGER
# Pages of a list past this one are empty anyway; (page - 1) x page size stays an INTEGER.
MAX_PAGE = 10**9


class RowIdConverter(IntegerConverter):
    """``<int:...>`` in a URL: a number SQLite cannot hold names no row, so the URL is a 404."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", SQLITE_MAX_INTEGER)
        super().__init__(map, *args, **kwargs)


def row_int(text: str) -> int:
    """Return a query argument as an integer SQLite can hold; ValueError otherwise (``type=``)."""
    number = int(text)
    if abs(number) > SQLITE_MAX_INTEGER:
        raise ValueError(text)
    return number


def page_number(args) -> int:
    """Return the ``page`` query argument, 1 when absent or unreadable, at most MAX_PAGE."""
    return min(max(args.get("page", 1, type=row_int), 1), MAX_PAGE)


def open_db(app, queue_writers=False) -> storage.Database:
    """Open a new connection to the app's database with the configured pragmas.

    ``queue_writers``: for web requests, whose writers queue on a lock file (survey/db.py).
    """
    return storage.connect(
        app.config["DATABASE"],
        app.config["DB_BUSY_TIMEOUT_MS"],
        app.config["DB_SYNCHRONOUS"],
        queue_writers=queue_writers,
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
    queue = has_request_context()  # a command's writer keeps the busy timeout alone
    config = (app.config["DB_BUSY_TIMEOUT_MS"], app.config["DB_SYNCHRONOUS"])
    key = (os.getpid(), path, inode, *config, queue)
    kept = getattr(_kept, "entry", None)
    if kept is not None and kept[0] == key and inode is not None:
        return kept[1]
    if kept is not None and kept[0][0] == os.getpid():
        kept[1].close()
    db = open_db(app, queue_writers=queue)
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


@click.command("migrate")
@with_appcontext
def migrate_command():
    """Apply pending database migrations."""
    applied = backup.migrate(get_db())
    click.echo(f"Applied {len(applied)} migration(s)." if applied else "Database is up to date.")


def init_app(app) -> None:
    """Warn about an affected SQLite, apply pending migrations, register teardown and migrate.

    Also bounds ``<int:...>`` URL parts to SQLite's integers (before any blueprint's rules).
    """
    app.url_map.converters["int"] = RowIdConverter
    warning = storage.sqlite_warning()
    if warning:
        log.warning("WARNING: %s", warning)
        app.config["SQLITE_WARNING"] = warning
    if app.config.get("MIGRATE_ON_START", True):
        db = open_db(app)
        try:
            applied = backup.migrate(db, backup_dir(app))
        finally:
            db.close()
        if applied:
            log.info("applied migrations: %s", ", ".join(applied))
    app.teardown_appcontext(close_db)
    app.cli.add_command(migrate_command)

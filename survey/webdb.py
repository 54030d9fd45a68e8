"""The request's database handle, and start-up migrations."""

import logging
import os

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


def get_db() -> storage.Database:
    """Return this request's connection, opening it on first use."""
    if "db" not in g:
        g.db = open_db(current_app)
    return g.db


def close_db(_exc=None) -> None:
    """Close this request's connection, if one was opened."""
    db = g.pop("db", None)
    if db is not None:
        db.close()


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

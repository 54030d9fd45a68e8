"""Operator commands: ``serve``, ``config show``, ``backup``, ``restore``, ``check``.

They are registered on the ``papi-pulse`` group itself rather than on the app, so that
``restore`` and ``check`` work on a database that the app could not open or migrate.
"""

import os
import platform
import sys

import click

from survey import backup as backups
from survey import config as settings
from survey import create_app, migrations, serverlock
from survey.db import is_disk_full, sqlite3
from survey.webdb import backup_dir, open_db


def _app(migrate: bool = True):
    """Create the app, turning a wrong setting or a full disk into a one-line error."""
    try:
        return create_app(None if migrate else {"MIGRATE_ON_START": False})
    except settings.ConfigError as exc:
        raise click.ClickException(f"Wrong setting: {exc}") from exc
    except (OSError, sqlite3.Error, backups.BackupError) as exc:
        raise failure("PAPI Pulse could not start", exc) from exc


def failure(what: str, exc: BaseException) -> click.ClickException:
    """Return the one-line error saying what failed, and plainly when the disk is full."""
    if is_disk_full(exc) or (exc.__cause__ is not None and is_disk_full(exc.__cause__)):
        return click.ClickException(
            f"{what}: the disk is full ({exc}). Free some space, then run the command again."
        )
    return click.ClickException(f"{what}: {exc}")


def _connect(app):
    """Open the app's database without the app's request machinery."""
    return open_db(app)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="Port to listen on.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Worker processes (gunicorn) or threads (waitress).",
)
@click.option(
    "--server",
    type=click.Choice(["gunicorn", "waitress"]),
    help="gunicorn on Linux (default), waitress on Windows (default there).",
)
def serve_command(host, port, workers, server):
    """Run the production server (checks settings and migrates first; never debug mode)."""
    app = _app()
    try:
        settings.refuse_debug(app.config)
    except settings.ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    server = server or ("waitress" if platform.system() == "Windows" else "gunicorn")
    if server == "waitress":
        import waitress

        serverlock.hold(app.instance_path)
        click.echo(f"PAPI Pulse on http://{host}:{port}/ (waitress)")
        waitress.serve(app, host=host, port=port, threads=workers or 8, ident="PAPI Pulse")
        return
    argv = [sys.executable, "-m", "gunicorn", "-c", "python:survey.gunicorn_conf"]
    argv += ["--bind", f"{host}:{port}"]
    if workers:
        argv += ["--workers", str(workers)]
    os.execv(sys.executable, [*argv, "survey.wsgi:app"])  # noqa: S606 - fixed argv, no shell


@click.group("config")
def config_group():
    """Show the settings."""


@config_group.command("show")
def config_show_command():
    """Print every setting with its value and where it comes from; secrets are hidden."""
    app = _app(migrate=False)
    rows = settings.describe(app.config, app.instance_path)
    width = max(len(name) for name, _value, _source in rows)
    click.echo(f"Instance folder: {app.instance_path}")
    for name, value, source in rows:
        click.echo(f"{name.ljust(width)}  {value}  [{source}]")


@click.command("backup")
@click.option("--to", "folder", type=click.Path(file_okay=False), help="Folder for the backup.")
def backup_command(folder):
    """Write a consistent, checked copy of the database while the server runs."""
    app = _app(migrate=False)
    try:
        db = _connect(app)
        try:
            path = backups.write_backup(
                db.conn, folder or backup_dir(app), keep=app.config["BACKUP_KEEP"]
            )
        finally:
            db.close()
    except (backups.BackupError, sqlite3.Error, OSError) as exc:
        raise failure("Backup failed", exc) from exc
    click.echo(f"Backup written: {path}")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(file, yes):
    """Replace the database with a backup FILE (stop the server first)."""
    app = _app(migrate=False)
    try:
        with serverlock.exclusive(app.instance_path):
            problems = backups.verify(file)
            if problems:
                raise click.ClickException("Not restored: " + problems[0])
            if not yes:
                click.confirm(
                    f"Replace {app.config['DATABASE']} with {file}? The server must be stopped",
                    abort=True,
                )
            saved = backups.restore(file, app.config["DATABASE"], backup_dir(app))
    except serverlock.ServerRunning as exc:
        raise click.ClickException(
            f"Not restored: the server is running (it holds {exc}). Stop it first, for example "
            "`sudo systemctl stop papi-pulse`, then run restore again."
        ) from exc
    except (backups.BackupError, sqlite3.Error, OSError) as exc:
        raise failure("Restore failed", exc) from exc
    kept = f"; the replaced database is kept in {saved}" if saved else ""
    click.echo(f"Restored {file}{kept}.")


@click.command("check")
def check_command():
    """Check the database file (integrity and foreign keys); exit 1 on any problem."""
    app = _app(migrate=False)
    try:
        db = _connect(app)
        try:
            problems = backups.integrity_problems(db.conn)
            pending = migrations.pending(db)
        finally:
            db.close()
    except (sqlite3.Error, OSError) as exc:
        raise failure("The database cannot be checked", exc) from exc
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) found in the database.")
    note = f" ({len(pending)} migration(s) pending)" if pending else ""
    click.echo(f"Database is sound{note}.")


COMMANDS = (serve_command, config_group, backup_command, restore_command, check_command)

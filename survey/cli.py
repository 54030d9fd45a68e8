"""The ``papi-pulse`` command: Flask's command group plus the app's own commands."""

import click
from flask.cli import FlaskGroup, routes_command, run_command, shell_command, with_appcontext

from survey import backup, create_app, ops, serverlock
from survey.webdb import get_db


@click.command("migrate")
@with_appcontext
def migrate_command():
    """Apply pending database migrations."""
    applied = backup.migrate(get_db())
    click.echo(f"Applied {len(applied)} migration(s)." if applied else "Database is up to date.")


@click.command("run", context_settings={"ignore_unknown_options": True})
@click.pass_context
def run_with_hint(ctx, **_kwargs):
    """Run the development server (says how to get a demo point on an empty instance)."""
    app = ctx.obj.load_app()
    serverlock.hold(app.instance_path)
    with app.app_context():
        count = get_db().execute("SELECT count(*) FROM points WHERE active = 1").fetchone()[0]
    if not count:
        click.echo(
            "No collection point yet: run `papi-pulse demo` to create a demo point "
            "and print its survey URL."
        )
    ctx.forward(run_command)


run_with_hint.params = list(run_command.params)


def init_app(app) -> None:
    """Register the app's commands on its CLI group."""
    from survey import demo, exports_cli, retention
    from survey.paper import cli as paper_cli
    from survey.staff import cli as staff_cli
    from survey.staff import points_cli

    app.cli.add_command(migrate_command)
    app.cli.add_command(demo.demo_command)
    exports_cli.init_app(app)
    app.cli.add_command(staff_cli.units_cli)
    app.cli.add_command(staff_cli.users_cli)
    app.cli.add_command(points_cli.points_cli)
    app.cli.add_command(retention.retention_cli)
    paper_cli.init_app(app)


def _app_factory():
    """Create the app for the command line; a locked or unreadable database is one clear line."""
    from survey.config import ConfigError
    from survey.db import OperationalError, is_disk_full

    try:
        return create_app()
    except ConfigError as exc:
        raise click.ClickException(f"Wrong setting: {exc}") from exc
    except OSError as exc:
        raise ops.failure("PAPI Pulse could not start", exc) from exc
    except OperationalError as exc:
        if is_disk_full(exc):
            raise ops.failure("PAPI Pulse could not start", exc) from exc
        raise click.ClickException(
            f"The database cannot be opened ({exc}). Another program may be using it: "
            "wait and try again, or run `papi-pulse check`."
        ) from exc


main = FlaskGroup(
    create_app=_app_factory,
    add_default_commands=False,
    help="PAPI Pulse: citizen feedback by QR code, PAPI-style estimates.",
)
main.add_command(run_with_hint)
main.add_command(shell_command)
main.add_command(routes_command)
for _command in ops.COMMANDS:
    main.add_command(_command)

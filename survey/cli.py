"""The ``papi-pulse`` command: Flask's command group plus the app's own commands.

The app's commands are registered by each area's ``init_app`` (see ``create_app``); the
operator commands of ``survey/ops.py`` are added to the group itself, so that they run even
when the app cannot start.
"""

import click
from flask.cli import FlaskGroup, routes_command, run_command, shell_command

from survey import create_app, ops, serverlock
from survey.config import ConfigError
from survey.db import OperationalError, is_disk_full
from survey.webdb import get_db


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


def _app_factory():
    """Create the app for the command line; a locked or unreadable database is one clear line."""
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

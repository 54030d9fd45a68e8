"""Command line: ``papi-pulse units load|search`` and ``papi-pulse users create|list``."""

import click
from flask.cli import AppGroup

from survey import accounts, units
from survey.webdb import get_db

units_cli = AppGroup("units", help="Administrative units (provinces and wards).")
users_cli = AppGroup("users", help="Staff accounts.")


@units_cli.command("load")
def load_command():
    """Load or refresh the 34 provinces, 3,321 wards and 63 legacy provinces (idempotent)."""
    counts = units.load_units(get_db())
    moved = f", {counts['moved']} ward(s) moved to another province" if counts["moved"] else ""
    click.echo(
        f"{counts['provinces']} provinces, {counts['wards']} wards, "
        f"{counts['legacy_provinces']} legacy provinces ({counts['added']} new rows{moved})."
    )


@units_cli.command("search")
@click.argument("text")
def search_command(text):
    """Find wards by name, with or without diacritics (e.g. "Ben Thanh")."""
    found = units.search_wards(get_db(), text)
    if not found:
        raise click.ClickException(f"No ward matches {text!r}. Has `papi-pulse units load` run?")
    for ward in found:
        click.echo(f"{ward['code']}  {ward['name']}, {ward['province_name']}")


@users_cli.command("create")
@click.argument("username")
@click.option(
    "--role",
    type=click.Choice(accounts.ROLES),
    default=accounts.ADMINISTRATOR,
    show_default=True,
    help="What the account may do.",
)
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    help="Province code (province_manager) or ward code (ward_staff); repeatable.",
)
@click.option("--name", "display_name", default="", help="Full name shown in the log.")
@click.option(
    "--password-file",
    type=click.File("r", encoding="utf-8"),
    help="Read the password from the first line of this file instead of asking.",
)
def create_command(username, role, scopes, display_name, password_file):
    """Create a staff account (the first administrator, for instance)."""
    if password_file:
        password = password_file.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = accounts.create(get_db(), None, username, password, role, display_name, scopes)
    except accounts.AccountError as exc:
        raise click.ClickException(_cli_message(exc)) from exc
    click.echo(f"Created {user['role']} {user['username']}.")


def _cli_message(exc: accounts.AccountError) -> str:
    """Return a plain English explanation of an account problem."""
    return {
        "username_taken": f"The username {exc.detail} is already used.",
        "bad_username": "Use 3 to 40 lower-case letters, digits, dots, dashes or underscores.",
        "scope_required": "Give --scope: province codes for province_manager, ward codes "
        "for ward_staff (see `papi-pulse units search`).",
        "scope_not_allowed": f"The role {exc.detail} sees the whole country: leave out --scope.",
        "unknown_scope": f"Unknown codes for this role: {exc.detail}. Has `papi-pulse units "
        "load` run?",
        "password_too_short": f"The password needs at least {accounts.MIN_PASSWORD_LENGTH} "
        "characters.",
        "password_too_long": "The password is too long.",
    }.get(exc.code, str(exc))


@users_cli.command("list")
def list_command():
    """List staff accounts with role, state and scopes."""
    for user in accounts.list_users(get_db()):
        state = "active" if user["active"] else "inactive"
        click.echo(f"{user['username']}\t{user['role']}\t{state}\t{' '.join(user['scopes'])}")

"""Command line: ``papi-pulse points create|list|rotate|retire|reactivate|import``.

The same operations as the staff pages (``survey.points``, ``survey.point_import``), so the
same checks and the same audit entries, recorded as the command line's user "(cli)".
"""

import click
from flask import current_app
from flask.cli import AppGroup

from survey import point_import, points, units
from survey.db import MAX_INTEGER
from survey.webdb import get_db

# A point id is a SQLite integer: a longer number is refused in one line, not a traceback.
POINT_ID = click.IntRange(1, MAX_INTEGER)
points_cli = AppGroup(
    "points", help="Collection points (the staff pages' operations, audit-logged)."
)

STATES = {1: "active", 0: "retired"}


def survey_url(point: dict) -> str:
    """Return the public survey URL of a point, on the configured BASE_URL."""
    return f"{current_app.config['BASE_URL']}/s/{point['token']}"


def point_message(exc: points.PointError) -> str:
    """Return a plain English explanation of a point problem."""
    params = exc.params
    column = params.get("column", "name")
    return {
        "unknown_ward": f"There is no ward with code {params.get('code')!r}; find it with "
        "`papi-pulse units search NAME` (has `papi-pulse units load` run?).",
        "name_required": "The name of the place is empty: give --name.",
        "too_long": f"The {column} is longer than {params.get('limit')} characters.",
        "control": f"The {column} contains invisible control characters.",
        "bad_kind": f"Unknown kind {params.get('kind')!r}; use one of: {params.get('kinds')}.",
        "unknown_point": f"There is no collection point {params.get('id')}; see `papi-pulse "
        "points list`.",
        "inactive": f"Point {params.get('id')} is retired: reactivate it (`papi-pulse points "
        "reactivate`) before replacing its code.",
    }.get(exc.code, str(exc))


def import_message(code: str, params: dict) -> str:
    """Return a plain English explanation of a CSV file or line problem."""
    column = params.get("column", "name")
    return {
        "not_utf8": "The file is not UTF-8: save it as “CSV UTF-8 (comma delimited)”.",
        "empty": "The file has no data lines.",
        "missing_columns": "The first line must name the columns; missing: "
        f"{params.get('columns')}.",
        "too_many_rows": f"The file has more than {params.get('limit')} lines; please split it.",
        "too_large": f"The file is larger than {params.get('limit')} bytes; please split it.",
        "extra_fields": "This line has more values than there are columns; put text that "
        "contains a comma in quotes.",
        "unknown_ward": f"There is no ward with code {params.get('code')!r}.",
        "name_required": "The name of the place is empty.",
        "too_long": f"The {column} is longer than {params.get('limit')} characters.",
        "control": f"The {column} contains invisible control characters.",
        "bad_kind": f"Unknown kind {params.get('kind')!r}; use one of: {params.get('kinds')}.",
        "duplicate_in_file": f"Same ward and name as line {params.get('first')} of the file.",
        "already_exists": "This ward already has a point with this name (perhaps retired).",
    }.get(code, code)


def _run(operation, *args):
    """Call a point operation as the command line's user; a PointError becomes one line."""
    try:
        return operation(get_db(), None, *args)
    except points.PointError as exc:
        raise click.ClickException(point_message(exc)) from None


@points_cli.command("create")
@click.option("--ward", "ward", required=True, help="Ward code (`papi-pulse units search`).")
@click.option("--name", required=True, help="Name of the place, as printed on the poster.")
@click.option("--kind", type=click.Choice(points.KINDS), default="one_stop", show_default=True)
@click.option("--address", default="", help="Address printed on the poster.")
def create_command(ward, name, kind, address):
    """Create a collection point and print its survey URL."""
    point = _run(points.create, ward, name, kind, address)
    click.echo(f"Created point {point['id']}: {survey_url(point)}")


@points_cli.command("list")
@click.option("--ward", help="Only this ward (code).")
@click.option("--province", help="Only this province (code).")
def list_command(ward, province):
    """List collection points by province, ward and name, with state and survey URL."""
    db = get_db()
    ward = points.ward_code(ward) if ward else None
    for kind, code, lookup in (
        ("ward", ward, units.get_ward),
        ("province", province, units.get_province),
    ):
        if code and lookup(db, code) is None:
            raise click.ClickException(f"There is no {kind} with code {code!r}.")
    rows = points.list_points(db, ward_code=ward, province_code=province)
    if not rows:
        click.echo("No collection points.")
        return
    table = [("id", "state", "ward", "name", "kind", "survey URL")]
    table += [
        (
            str(p["id"]),
            STATES[p["active"]],
            f"{p['ward_code']} {p['ward_name']}",
            p["name"],
            p["kind"],
            survey_url(p),
        )
        for p in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]) - 1)]
    for row in table:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        click.echo("  ".join([*cells, row[-1]]))


@points_cli.command("rotate")
@click.argument("point_id", type=POINT_ID)
def rotate_command(point_id):
    """Give an active point a new code; its old posters then say "this code has been replaced"."""
    point = _run(points.rotate, point_id)
    click.echo(f"Point {point_id} has a new survey URL (print its new poster): {survey_url(point)}")


@points_cli.command("retire")
@click.argument("point_id", type=POINT_ID)
def retire_command(point_id):
    """Stop a point collecting answers (the staff pages call it "deactivate"); answers are kept."""
    point = _run(points.set_state, point_id, False)
    click.echo(f"Point {point_id} ({point['name']}) is retired: its survey accepts no answers.")


points_cli.add_command(retire_command, "deactivate")


@points_cli.command("reactivate")
@click.argument("point_id", type=POINT_ID)
def reactivate_command(point_id):
    """Let a retired point collect answers again (its posters work again)."""
    point = _run(points.set_state, point_id, True)
    click.echo(f"Point {point_id} ({point['name']}) is active again: {survey_url(point)}")


@points_cli.command("import")
@click.argument("file", type=click.File("rb"))
def import_command(file):
    """Create many points from a CSV file (ward_code,name[,kind,address]): all lines, or none."""
    data = file.read(point_import.MAX_BYTES + 1)
    try:
        created = point_import.import_file(get_db(), None, data)
    except point_import.ImportRefused as exc:
        report = exc.report
        if report.problem:
            raise click.ClickException(import_message(*report.problem)) from None
        for line in report.rejected:
            click.echo(f"line {line['line']}: {import_message(line['reason'], line['params'])}",
                       err=True)  # fmt: skip
        raise click.ClickException(
            f"Nothing was imported: {len(report.rejected)} line(s) to fix."
        ) from None
    click.echo(f"Created {len(created)} collection point(s).")

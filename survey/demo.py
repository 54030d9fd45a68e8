"""``papi-pulse demo``: a demo collection point in Phường Bến Thành, and its survey URL."""

import click
from flask import current_app
from flask.cli import with_appcontext

from survey import demo_data, points, units
from survey.questionnaires import current_questionnaire
from survey.webdb import get_db

DEMO_WARD_NAME = "Phường Bến Thành"
DEMO_POINT_NAME = "Bộ phận Một cửa (điểm thử nghiệm)"


def ensure_demo_point(db) -> dict:
    """Return the demo point, loading the units and creating the point if needed."""
    if not db.execute("SELECT count(*) FROM wards").fetchone()[0]:
        units.load_units(db)
    ward = db.execute("SELECT code FROM wards WHERE name = ?", [DEMO_WARD_NAME]).fetchone()
    if ward is None:
        raise click.ClickException(f"{DEMO_WARD_NAME} is not in the administrative units.")
    row = db.execute(
        "SELECT id FROM points WHERE ward_code = ? AND name = ? AND active = 1",
        [ward[0], DEMO_POINT_NAME],
    ).fetchone()
    if row:
        return points.get_point(db, row[0])
    return points.create_point(
        db, ward[0], DEMO_POINT_NAME, "one_stop", "Trụ sở UBND phường (dữ liệu thử nghiệm)"
    )


def survey_url(point: dict) -> str:
    """Return the public survey URL of a point."""
    return f"{current_app.config['BASE_URL']}/s/{point['token']}"


@click.command("demo")
@click.option(
    "--responses",
    "wanted",
    default=0,
    show_default=True,
    type=click.IntRange(0, 100_000),
    help="Top the demo point up to this many made-up responses (with demo margins).",
)
@with_appcontext
def demo_command(wanted):
    """Create a demo collection point (idempotent) and print its survey URL."""
    db = get_db()
    point = ensure_demo_point(db)
    click.echo(f"Demo point: {point['name']}, {point['ward_name']}, {point['province_name']}")
    click.echo(f"Survey URL: {survey_url(point)}")
    if wanted:
        added = demo_data.add_demo_responses(db, point, current_questionnaire(), wanted)
        demo_data.ensure_demo_margins(db, point["ward_code"])
        click.echo(f"Demo responses: {added} added, {wanted} in all (source 'demo').")


def init_app(app) -> None:
    """Register the demo command."""
    app.cli.add_command(demo_command)

"""The staff workspace under ``/staff``: sign-in, dashboard, collection points, users, audit,
posters, paper forms, review, publishing and ward notes, and the staff's commands.

``init_app`` registers every staff blueprint, the ``/`` redirect, the session-cookie rule for
HTTPS and the commands ``units``, ``users`` and ``points``.
"""

from flask import Blueprint, redirect, url_for

from survey.staff import (
    audit,
    auth,
    cli,
    dashboard,
    notes,
    paper,
    paper_entry,
    points,
    points_cli,
    posters,
    publish,
    review,
    users,
)

bp = Blueprint("staff", __name__)


@bp.get("/")
def home():
    """Send visitors of the bare site to the staff dashboard (which asks to sign in first)."""
    return redirect(url_for("dashboard.index"))


def init_app(app) -> None:
    """Register the staff blueprints and commands; a Secure session cookie over HTTPS."""
    if app.config["BASE_URL"].startswith("https://"):
        app.config["SESSION_COOKIE_SECURE"] = True
    for blueprint in (bp, auth.bp, dashboard.bp, points.bp, users.bp, audit.bp):
        app.register_blueprint(blueprint)
    auth.init_app(app)
    for blueprint in (posters.bp, paper.bp, paper_entry.bp, review.bp, publish.bp, notes.bp):
        app.register_blueprint(blueprint)
    for command in (cli.units_cli, cli.users_cli, points_cli.points_cli):
        app.cli.add_command(command)

"""The staff workspace under ``/staff``: sign-in, dashboard, collection points, users, audit.

``init_app`` registers every staff blueprint (posters register their own), the ``/`` redirect
and the session-cookie rule for HTTPS.
"""

from flask import Blueprint, redirect, url_for

bp = Blueprint("staff", __name__)


@bp.get("/")
def home():
    """Send visitors of the bare site to the staff dashboard (which asks to sign in first)."""
    return redirect(url_for("dashboard.index"))


def init_app(app) -> None:
    """Register the staff blueprints; make the session cookie Secure when served over HTTPS."""
    from survey.staff import audit, auth, dashboard, points, users

    if app.config["BASE_URL"].startswith("https://"):
        app.config["SESSION_COOKIE_SECURE"] = True
    for blueprint in (bp, auth.bp, dashboard.bp, points.bp, users.bp, audit.bp):
        app.register_blueprint(blueprint)
    auth.init_app(app)

"""PAPI Pulse: citizens answer PAPI-style questionnaires by QR; provinces get local estimates."""

import os

from flask import Flask
from flask_wtf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from survey import config as settings
from survey.paths import STATIC_DIR, TEMPLATES_DIR

csrf = CSRFProtect()


def create_app(test_config=None):
    """Create and configure the app: settings, database, i18n, security, blueprints."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=os.environ.get("PAPI_PULSE_INSTANCE") or None,
        template_folder=str(TEMPLATES_DIR),
        static_folder=str(STATIC_DIR),
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(settings.DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(settings.from_environment())
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = settings.load_or_create_secret_key(app.instance_path)
    if app.config["DATABASE"] != ":memory:":
        app.config["DATABASE"] = os.path.join(app.instance_path, app.config["DATABASE"])
    settings.check(app.config)
    if app.config["PROXY_COUNT"]:
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)

    from survey import errors, i18n, origin, requestlog, security, templating, webdb

    webdb.init_app(app)
    i18n.init_app(app)
    origin.init_app(app)
    csrf.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    requestlog.init_app(app)
    _register_areas(app)
    return app


def _register_areas(app) -> None:
    """Register each web area's blueprint and each area's CLI commands."""
    from survey import analysis, cli, health, questionnaires, staff
    from survey.analysis import downloads
    from survey.citizen import views as citizen
    from survey.public import views as public
    from survey.staff import notes as staff_notes
    from survey.staff import paper as staff_paper
    from survey.staff import paper_entry as staff_paper_entry
    from survey.staff import posters as staff_posters
    from survey.staff import publish as staff_publish
    from survey.staff import review as staff_review

    questionnaires.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(citizen.bp)
    app.register_blueprint(public.bp)
    staff.init_app(app)
    app.register_blueprint(staff_posters.bp)
    app.register_blueprint(staff_paper.bp)
    app.register_blueprint(staff_paper_entry.bp)
    app.register_blueprint(staff_review.bp)
    app.register_blueprint(staff_publish.bp)
    app.register_blueprint(staff_notes.bp)
    cli.init_app(app)
    analysis.init_app(app)
    app.register_blueprint(downloads.bp)

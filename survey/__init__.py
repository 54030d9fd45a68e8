"""PAPI Pulse: citizens answer PAPI-style questionnaires by QR; provinces get local estimates.

``create_app`` only wires: the request's database, i18n, origin and security checks, templates,
errors and the request log, then one ``init_app`` per area, each registering its blueprints and
its commands (the operator commands that must run without an app are in ``survey/ops.py``).
"""

import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from survey import (
    analysis,
    citizen,
    demo,
    errors,
    exports_cli,
    health,
    i18n,
    origin,
    public,
    questionnaires,
    requestlog,
    retention,
    security,
    staff,
    templating,
    webdb,
)
from survey import config as settings
from survey.paper import cli as paper_cli
from survey.paths import STATIC_DIR, TEMPLATES_DIR

# The web areas and the command areas, in registration order: `export estimates` joins the
# `export` group that exports_cli adds, so analysis comes after it.
AREAS = (
    questionnaires,
    health,
    citizen,
    public,
    staff,
    demo,
    exports_cli,
    retention,
    paper_cli,
    analysis,
)


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

    webdb.init_app(app)
    i18n.init_app(app)
    origin.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    requestlog.init_app(app)
    for area in AREAS:
        area.init_app(app)
    return app

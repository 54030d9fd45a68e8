"""The analysts' area: estimates, methodology, margins and baselines pages, downloads, and CLI
commands.

``init_app`` checks that every shipped questionnaire maps onto the indicator model (a version
that does not is refused at start-up, naming the item), registers the blueprints and adds the
commands ``margins``, ``baselines``, ``targets``, ``report``, ``export estimates`` and
``export trend``.
"""

from survey import indicators
from survey.analysis import cli, downloads, leaders, views  # noqa: F401 (leaders adds its routes)


def init_app(app) -> None:
    """Check the shipped questionnaires' scoring, register the views and the commands."""
    indicators.check_shipped()
    app.register_blueprint(views.bp)
    cli.init_app(app)
    app.register_blueprint(downloads.bp)

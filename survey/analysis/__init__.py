"""The analysts' area: estimates, methodology, margins and baselines pages, and CLI commands.

``init_app`` checks that every shipped questionnaire maps onto the indicator model (a version
that does not is refused at start-up, naming the item), registers the blueprint and adds the
commands ``margins load``, ``baselines load`` and ``export estimates``.
"""


def init_app(app) -> None:
    """Check the shipped questionnaires' scoring, register the views and the commands."""
    from survey import indicators
    from survey.analysis import cli, leaders, views  # noqa: F401 (leaders adds its routes)

    indicators.check_shipped()
    app.register_blueprint(views.bp)
    cli.init_app(app)

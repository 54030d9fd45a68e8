"""The citizen's survey: welcome, question pages, thank-you (blueprint in ``views``)."""

from survey.citizen import views


def init_app(app) -> None:
    """Register the survey's pages."""
    app.register_blueprint(views.bp)

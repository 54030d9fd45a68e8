"""Results back to citizens: public pages per ward and per province, no account needed.

Everything shown comes from a publication's snapshot (survey/publishing.py), never from the
estimates engine, and each page is served from a rendered copy (survey/public/cache.py).
Vietnamese by default with an English switch, no JavaScript, within one TCP round trip.
"""

from survey.public import views


def init_app(app) -> None:
    """Register the public results pages."""
    app.register_blueprint(views.bp)

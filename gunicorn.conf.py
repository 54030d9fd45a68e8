"""gunicorn reads this file when started from the checkout; the settings live in the package."""

from survey.gunicorn_conf import *  # noqa: F403

"""Friendly, translated error pages: every bad request ends in a 4xx page, never a stack trace."""

import logging

from flask import render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from survey.db import OperationalError, is_disk_full
from survey.domain_errors import DomainError, Refused

log = logging.getLogger(__name__)


def _messages() -> dict[int, tuple[str, str]]:
    """Return the title and explanation for each status, in the active language."""
    return {
        400: (
            _("Invalid request"),
            _("The page could not understand what was sent. Please go back and try again."),
        ),
        403: (_("Access denied"), _("Your account is not allowed to see this page.")),
        404: (_("Page not found"), _("This address does not exist. Please check the link.")),
        405: (
            _("Action not supported"),
            _("This page does not accept that kind of request. Please go back and try again."),
        ),
        413: (_("Too much data sent"), _("The file or text sent is larger than allowed.")),
        429: (
            _("Too many requests"),
            _("Too many requests in a short time. Please try again in a few minutes."),
        ),
        503: (
            _("The system is busy"),
            _(
                "Nothing was saved because the system is busy. "
                "Please press the button again in a moment."
            ),
        ),
    }


def render_error(status: int, message: str | None = None, title: str | None = None):
    """Render the error page for status with an optional specific title and message."""
    default_title, text = _messages().get(status, _messages()[400])
    body = render_template(
        "errors/error.html", status=status, title=title or default_title, text=message or text
    )
    return body, status


def handle_http(exc: HTTPException):
    """Turn any HTTP error into the friendly page."""
    if exc.code is None or exc.code >= 500:
        return handle_unexpected(exc)
    return render_error(exc.code, getattr(exc, "friendly", None) or _own_message(exc))


def _own_message(exc: HTTPException) -> str | None:
    """Return the message our code gave ``abort()``, not Werkzeug's English default."""
    return exc.description if exc.description != type(exc).description else None


def handle_csrf(exc: CSRFError):
    """Explain an expired or missing form token in plain words."""
    return render_error(
        400, _("Your session has expired. Please go back, reload the page and try again.")
    )


def handle_locked(exc: OperationalError):
    """Ask to try again when the database is locked or the disk is full; nothing was stored.

    Reads need no free space, so on a full disk only writes end here. A citizen is asked to
    press again (the answers stay on the phone); staff are told why, and whom to tell.
    """
    if not is_disk_full(exc):
        log.error("database unavailable on %s: %s", _where(), exc)
        return render_error(503)
    log.error("disk full: a write failed on %s: %s", _where(), exc)
    if request.blueprint == "citizen":
        return render_error(503)
    return render_error(
        503,
        _(
            "The server's disk is full, so this change was not saved. You can still open "
            "and read pages. Please tell the person who runs the system, then try again."
        ),
        title=_("Nothing was saved"),
    )


def _where() -> str:
    """Return the method and URL rule of the request: never the path, which holds tokens."""
    rule = request.url_rule.rule if request.url_rule is not None else "(no route)"
    return f"{request.method} {rule}"


def handle_domain(exc: DomainError):
    """Answer an operation's refusal that no view worded: 403 for access, else 400."""
    return render_error(403 if isinstance(exc, Refused) else 400)


def handle_unexpected(exc):
    """Log the failure and show a generic page without any detail."""
    if not isinstance(exc, HTTPException) or isinstance(exc, InternalServerError):
        log.exception("unhandled error on %s", _where())
    body = render_template(
        "errors/error.html",
        status=500,
        title=_("Something went wrong"),
        text=_(
            "The system ran into a problem. Nothing you already sent "
            "was lost; please try again in a few minutes."
        ),
    )
    return body, 500


def init_app(app) -> None:
    """Register the error handlers."""
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(OperationalError, handle_locked)
    app.register_error_handler(DomainError, handle_domain)
    app.register_error_handler(Exception, handle_unexpected)

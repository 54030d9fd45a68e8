"""gunicorn's logger without client addresses, request lines or paths (``logger_class``).

Why: for a malformed request gunicorn logs ``Invalid request from ip=<address>: <the raw
request line>``, for an error outside the app ``Error handling request <method> <path>``,
and at debug level the path of every request and the bytes of a half-sent one; its access log
is Apache's, address and path first. Survey paths carry a collection point's token, and an
address can point at a citizen. This logger rewrites those messages to name only the kind of
error, and writes no access log at all: the app's own request log (survey/requestlog.py) is
the access log, with the URL rule and no address. Everything else gunicorn logs (start, stop,
workers) passes unchanged.
"""

import sys

from gunicorn.glogging import Logger

# gunicorn messages (gunicorn/workers/base.py, sync.py) whose arguments come from a client.
_INVALID_REQUEST = "Invalid request from ip="
_ERROR_HANDLING = "Error handling request"
_CLIENT_DEBUG = ("Ignored premature client disconnection. %s", "Closing connection. %s")


def _error_name() -> str:
    """Return the class name of the exception being handled, the only detail worth keeping."""
    error = sys.exc_info()[1]
    return type(error).__name__ if error is not None else "unknown error"


class AnonymousLogger(Logger):
    """gunicorn's logger, minus every client address, request line and path."""

    def access(self, resp, req, environ, request_time):
        """Write nothing: the app logs each request it answers, anonymously."""

    def warning(self, msg, *args, **kwargs):
        """Log a warning; a malformed request is named by its kind of error only."""
        if isinstance(msg, str) and msg.startswith(_INVALID_REQUEST):
            msg, args = "Refused a malformed request: %s", (_error_name(),)
        super().warning(msg, *args, **kwargs)

    def exception(self, msg, *args, **kwargs):
        """Log an error with its traceback, without the request's method and path."""
        if isinstance(msg, str) and msg.startswith(_ERROR_HANDLING):
            msg, args = _ERROR_HANDLING, ()
        super().exception(msg, *args, **kwargs)

    def debug(self, msg, *args, **kwargs):
        """Log a debug line; the bytes a client sent before hanging up are left out."""
        if msg in _CLIENT_DEBUG:
            msg, args = msg.replace(" %s", ""), ()
        super().debug(msg, *args, **kwargs)

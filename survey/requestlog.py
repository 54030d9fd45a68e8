"""One JSON line per request, without anything that could identify a citizen.

Logged: UTC time, method, the URL rule (``/s/<token>/p/<page_id>``, never the path itself,
because survey paths carry a collection point's token), status, duration in milliseconds and
response size. Never logged: the network address, the user agent, the query string, cookies
or form data. Lines go to standard error, which gunicorn and systemd put in the journal.
"""

import json
import logging
import sys
import time
from datetime import UTC, datetime

from flask import g, request

log = logging.getLogger("papi_pulse.requests")


def _start() -> None:
    """Remember when the request began."""
    g.request_started = time.perf_counter()


def record(response) -> dict:
    """Return the loggable facts about the current request and its response."""
    started = g.get("request_started")
    duration = (time.perf_counter() - started) * 1000 if started is not None else None
    rule = request.url_rule.rule if request.url_rule is not None else None
    return {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "method": request.method,
        "endpoint": rule,
        "status": response.status_code,
        "duration_ms": round(duration, 1) if duration is not None else None,
        "size": response.content_length,
    }


def _log(response):
    """Write the request's JSON line and pass the response on unchanged."""
    if log.isEnabledFor(logging.INFO):
        log.info(json.dumps(record(response), separators=(",", ":")))
    return response


def init_app(app) -> None:
    """Register the timing hooks, and a stderr handler once per process when logging is on."""
    if not app.config.get("REQUEST_LOG", True):
        return
    if not log.handlers and not app.testing:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.propagate = False
    log.setLevel(logging.INFO)
    app.before_request(_start)
    app.after_request(_log)

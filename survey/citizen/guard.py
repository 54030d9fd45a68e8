"""The citizen pages' defences: rate limits, the "already answered here" cookie, flags.

Thin request-side glue around survey.ratelimit and survey.quality, so that
the views stay short. The network address is read from ``request.remote_addr``, which
ProxyFix (PROXY_COUNT) has already set from the trusted proxy's header; X-Forwarded-For is
never read here.
"""

from flask import current_app, request

from survey import quality, ratelimit
from survey.webdb import get_db

HONEYPOT_FIELD = quality.HONEYPOT_FIELD
LIMIT_SETTINGS = {
    "start": "RATE_LIMIT_STARTS_PER_HOUR",
    "finish": "RATE_LIMIT_SUBMISSIONS_PER_HOUR",
}


def allowed(action: str, point: dict) -> ratelimit.Verdict:
    """Count a start or finish at the point from this address against the hourly limit."""
    limit = current_app.config[LIMIT_SETTINGS[action]]
    return ratelimit.allow(
        get_db(), current_app.config["SECRET_KEY"], point["id"], request.remote_addr, action, limit
    )


def answered_here(point: dict) -> bool:
    """Tell whether this browser already sent an answer at the point this quarter."""
    value = request.cookies.get(quality.answered_cookie_name(point["id"]))
    return quality.already_answered(current_app.config["SECRET_KEY"], point["id"], value)


def mark_answered(response, point: dict) -> None:
    """Set the signed cookie that recognises this browser at this point until next quarter."""
    response.set_cookie(
        quality.answered_cookie_name(point["id"]),
        quality.answered_mark(current_app.config["SECRET_KEY"], point["id"]),
        path="/",
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
        max_age=quality.ANSWERED_MAX_AGE,
    )


def checked_record(questionnaire, point: dict, record: dict) -> dict:
    """Return the record with its quality flags set, all but ``burst`` (see ``is_burst``).

    Free text is masked, and ``pii_masked`` added, by ``responses.prepare``.
    """
    record = dict(record)
    record["flags"] = quality.flags_for(
        None,
        questionnaire,
        record,
        duplicate=answered_here(point),
        honeypot=request.form.get(quality.HONEYPOT_FIELD, "").strip(),
        burst=False,
    )
    return record


def is_burst(point: dict) -> bool:
    """Tell whether the point's last hour is a burst: read inside the write transaction."""
    return quality.is_burst(get_db(), point["id"])

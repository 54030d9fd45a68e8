"""Jinja set-up shared by every area: extensions, filters and globals.

Times: the database keeps UTC ISO 8601 text (CSV exports keep it as it is); a person always
reads local time (``BABEL_DEFAULT_TIMEZONE``, Vietnam by default) formatted by Babel for the
active locale, through the one filter ``local_time`` (also registered as ``datetime``).
"""

from datetime import UTC, datetime

from flask_babel import format_date, format_datetime, format_decimal, format_percent

from survey.citizen import readback


def form_error_list(form) -> list[tuple[str, str]]:
    """Return (field id, first message) for every field of a WTForms form that has errors."""
    return [(field.id, field.errors[0]) for field in form if field.errors]


def as_list(value) -> list[str]:
    """Return an answer (None, a code, a number or a list) as a list of strings."""
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def local_time(value: str | datetime | None, format: str = "short") -> str:
    """Return a stored UTC time (ISO text or datetime) as local time for the active locale."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:  # every stored time is UTC, with or without its offset
        moment = moment.replace(tzinfo=UTC)
    return format_datetime(moment, format)


def init_app(app) -> None:
    """Add the ``do`` extension, locale-aware number/date filters and form helpers."""
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals["form_error_list"] = form_error_list
    app.jinja_env.globals["amount_readback"] = readback.field
    app.jinja_env.globals["amount_box"] = readback.box_text
    app.jinja_env.globals["decimal_readback"] = readback.decimal_field
    app.jinja_env.globals["decimal_box"] = readback.decimal_box
    app.jinja_env.filters["as_list"] = as_list
    app.jinja_env.filters.update(
        decimal=format_decimal,
        percent=format_percent,
        date=format_date,
        datetime=local_time,
        local_time=local_time,
    )

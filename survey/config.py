"""Settings: defaults, ``instance/config.py``, ``PAPI_PULSE_*`` environment variables, checks.

Precedence, lowest first: the defaults below, ``instance/config.py``, environment variables
named ``PAPI_PULSE_<SETTING>``, then ``test_config``. Every setting is checked at start-up;
a wrong one stops the app with a message naming it.
"""

import json
import os
import secrets
from pathlib import Path

DEFAULTS = {
    # Path of the SQLite database; relative paths are inside the instance folder.
    "DATABASE": "papi-pulse.sqlite3",
    # Public base URL printed on posters and QR codes, e.g. https://khaosat.hcmc.gov.vn
    "BASE_URL": "http://127.0.0.1:5000",
    # Who runs the survey, shown to citizens on the welcome page and on posters.
    "ORGANISER_VI": "Ủy ban nhân dân phường",
    "ORGANISER_EN": "Ward People's Committee",
    # Where and when results are published, shown on the thank-you page.
    "RESULTS_NOTE_VI": "Kết quả tổng hợp được công bố hằng quý tại trụ sở phường.",
    "RESULTS_NOTE_EN": "Summary results are published every quarter at the ward office.",
    # Milliseconds a connection waits for a lock before giving up (SQLite busy_timeout).
    "DB_BUSY_TIMEOUT_MS": 5000,
    # FULL: an acknowledged answer survives a power cut, at one fsync per commit.
    "DB_SYNCHRONOUS": "FULL",
    # Days a half-finished questionnaire stays resumable in a signed cookie/hidden field.
    "DRAFT_MAX_AGE_SECONDS": 7 * 24 * 3600,
    # Reject request bodies larger than this (bytes); a full questionnaire is a few KB.
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    # Number of trusted reverse proxies in front of the app (ProxyFix); 0 = none.
    "PROXY_COUNT": 0,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    # A CSRF token outlives a long pause (a phone locked for an afternoon); an expired one
    # keeps the answers and asks to press the button again.
    "WTF_CSRF_TIME_LIMIT": 12 * 3600,
    "BABEL_DEFAULT_LOCALE": "vi",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
    "LANGUAGES": ["vi", "en"],
    # Raking trims weights at this multiple of the mean weight (STATISTICS.md).
    "WEIGHT_TRIM_CAP": 5.0,
    # Prior worth of the province baseline in beta-binomial smoothing, in respondents.
    "SMOOTHING_PRIOR_N": 20,
    # Months after which raw responses are deleted once aggregated; 0 keeps them.
    "RETENTION_MONTHS": 0,
}

_INT_SETTINGS = (
    "DB_BUSY_TIMEOUT_MS",
    "DRAFT_MAX_AGE_SECONDS",
    "MAX_CONTENT_LENGTH",
    "PROXY_COUNT",
    "WTF_CSRF_TIME_LIMIT",
    "SMOOTHING_PRIOR_N",
    "RETENTION_MONTHS",
)
_BOOL_SETTINGS = ("SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY")


class ConfigError(Exception):
    """A setting is missing or has a wrong value."""


def from_environment(environ=os.environ) -> dict:
    """Read ``PAPI_PULSE_<SETTING>`` variables, converting them to the default's type."""
    found = {}
    for name, default in DEFAULTS.items():
        raw = environ.get(f"PAPI_PULSE_{name}")
        if raw is None:
            continue
        found[name] = _convert(name, raw, default)
    if environ.get("PAPI_PULSE_SECRET_KEY"):
        found["SECRET_KEY"] = environ["PAPI_PULSE_SECRET_KEY"]
    return found


def _convert(name, raw, default):
    """Convert one environment string to the type of its default."""
    try:
        if isinstance(default, bool):
            if raw.lower() not in ("1", "0", "true", "false", "yes", "no"):
                raise ValueError(raw)
            return raw.lower() in ("1", "true", "yes")
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
        if isinstance(default, list):
            return json.loads(raw) if raw.startswith("[") else raw.split(",")
    except ValueError as exc:
        raise ConfigError(f"PAPI_PULSE_{name}={raw!r} is not a valid value") from exc
    return raw


def check(config) -> None:
    """Raise ConfigError naming every setting whose value cannot work."""
    problems = []
    for name in _INT_SETTINGS:
        value = config.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            problems.append(f"{name} must be a whole number >= 0, not {value!r}")
    for name in _BOOL_SETTINGS:
        if not isinstance(config.get(name), bool):
            problems.append(f"{name} must be True or False")
    if config.get("DB_SYNCHRONOUS") not in ("NORMAL", "FULL", "EXTRA"):
        problems.append("DB_SYNCHRONOUS must be NORMAL, FULL or EXTRA")
    base = str(config.get("BASE_URL", ""))
    if not base.startswith(("http://", "https://")) or base.endswith("/"):
        problems.append(
            f"BASE_URL must start with http:// or https:// and not end with /: {base!r}"
        )
    if config.get("SESSION_COOKIE_SAMESITE") not in ("Lax", "Strict"):
        problems.append("SESSION_COOKIE_SAMESITE must be Lax or Strict")
    trim = config.get("WEIGHT_TRIM_CAP")
    if not isinstance(trim, (int, float)) or trim <= 1:
        problems.append("WEIGHT_TRIM_CAP must be a number above 1")
    if not config.get("SECRET_KEY") or len(str(config["SECRET_KEY"])) < 32:
        problems.append("SECRET_KEY must be at least 32 characters")
    if problems:
        raise ConfigError("; ".join(problems))


def load_or_create_secret_key(instance_path: str) -> str:
    """Return the install's secret key, generating it into the instance folder on first run."""
    path = Path(instance_path) / "secret_key"
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    key = secrets.token_hex(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: when several workers start at once, exactly one writes and the others read.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key)
    return key

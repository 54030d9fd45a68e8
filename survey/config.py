"""Settings: defaults, ``instance/config.py``, ``PAPI_PULSE_*`` environment variables, checks.

Precedence, lowest first: the defaults below, ``instance/config.py``, environment variables
named ``PAPI_PULSE_<SETTING>``, then ``test_config``. Every setting is checked at start-up;
a wrong one stops the app with a message naming it.
"""

import difflib
import json
import os
import secrets
import zoneinfo
from pathlib import Path

from flask import Config

from survey import unit_names
from survey.locales import LOCALES

DEFAULTS = {
    # Path of the SQLite database; relative paths are inside the instance folder.
    "DATABASE": "papi-pulse.sqlite3",
    # Public base URL printed on posters and QR codes, e.g. https://khaosat.hcmc.gov.vn
    "BASE_URL": "http://127.0.0.1:5000",
    # The questionnaire new respondents get, at its highest version: a shipped id, or the id
    # of one in instance/questionnaires/ (docs/QUESTIONNAIRE_FORMAT.md, "Instance modules").
    "QUESTIONNAIRE": "papi-pulse-core",
    # Who runs the survey, shown to citizens on the welcome page and on posters, written to
    # follow "Asked by:" and "This survey is run by". {unit} is replaced by the point's own
    # ward, commune or special zone (survey/unit_names.py): "Ủy ban nhân dân xã An Lục Long",
    # "the People's Committee of An Luc Long Commune". A text without {unit} is shown as it
    # is at every point (a province-run survey: "Sở Nội vụ tỉnh Tây Ninh").
    "ORGANISER_VI": "Ủy ban nhân dân {unit}",
    "ORGANISER_EN": "the People's Committee of {unit}",
    # Where and when results are published, shown on the thank-you page; {unit} as above.
    "RESULTS_NOTE_VI": "Kết quả tổng hợp được công bố hằng quý tại trụ sở Ủy ban nhân dân {unit}.",
    "RESULTS_NOTE_EN": (
        "Summary results are published every quarter at the offices of the People's Committee"
        " of {unit}."
    ),
    # The word for the places below a ward or commune, by province code and unit type, where
    # it is not the usual one (tổ dân phố in a phường, thôn in a xã or đặc khu): questionnaire
    # v2 says it in {thon} and {truong} (survey/questionnaire/placewords.py), e.g.
    # {"79": {"phường": "khu phố", "xã": "ấp"}} for Ho Chi Minh City.
    "PLACE_WORDS": {},
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
    "LANGUAGES": list(LOCALES),
    # Raking trims weights at this multiple of the mean weight (docs/METHODOLOGY.md).
    "WEIGHT_TRIM_CAP": 5.0,
    # Prior worth of the province baseline in beta-binomial smoothing, in respondents.
    "SMOOTHING_PRIOR_N": 20,
    # Months after which raw responses are deleted once aggregated; 0 keeps them.
    "RETENTION_MONTHS": 0,
    # Answers sent, and questionnaires started, at one collection point from one network
    # address in an hour (survey/ratelimit.py); 0 switches the limit off. A ward office's
    # Wi-Fi or a mobile carrier's NAT can put every citizen at a point behind one address, so
    # the ceiling sits above the busiest honest point: a merged ward's public service centre
    # with 10 counters, each serving a citizen in about 3 minutes, sees 200 people an hour;
    # 300 leaves half again as much. Starts are twice that: people restart, or hand the phone
    # on. A flood below the ceiling is stored but flagged (burst, duplicate, speed: see
    # survey/quality.py); one above it is refused and told how long to wait.
    "RATE_LIMIT_SUBMISSIONS_PER_HOUR": 300,
    "RATE_LIMIT_STARTS_PER_HOUR": 600,
    # One anonymous JSON line per request on standard error (survey/requestlog.py).
    "REQUEST_LOG": True,
    # Where `papi-pulse backup` writes; relative paths are inside the instance folder.
    "BACKUP_DIR": "backups",
    # Backups kept by `papi-pulse backup`; older ones are deleted. 14 = two weeks of dailies.
    "BACKUP_KEEP": 14,
}

# Settings whose value `papi-pulse config show` never prints.
SECRET_SETTINGS = ("SECRET_KEY",)
# Environment variables read by the app that are not settings.
_OTHER_VARIABLES = ("INSTANCE", "SECRET_KEY", "WORKERS", "BIND")
# Citizen texts in which {unit} names the point's ward, commune or special zone.
UNIT_TEXT_SETTINGS = ("ORGANISER_VI", "ORGANISER_EN", "RESULTS_NOTE_VI", "RESULTS_NOTE_EN")
# The unit `config show` fills {unit} with, to show what citizens read (a commune, like 79 %).
_EXAMPLE_UNIT = unit_names.Unit("Xã An Lục Long", unit_names.COMMUNE)

_INT_SETTINGS = (
    "DB_BUSY_TIMEOUT_MS",
    "DRAFT_MAX_AGE_SECONDS",
    "MAX_CONTENT_LENGTH",
    "PROXY_COUNT",
    "WTF_CSRF_TIME_LIMIT",
    "SMOOTHING_PRIOR_N",
    "RETENTION_MONTHS",
    "BACKUP_KEEP",
    "RATE_LIMIT_STARTS_PER_HOUR",
    "RATE_LIMIT_SUBMISSIONS_PER_HOUR",
)
_BOOL_SETTINGS = ("SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "REQUEST_LOG")


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
    _refuse_unknown_variables(environ)
    return found


def _refuse_unknown_variables(environ) -> None:
    """Stop on a mistyped ``PAPI_PULSE_*`` variable instead of silently ignoring it."""
    known = set(DEFAULTS) | set(_OTHER_VARIABLES)
    for variable in environ:
        if not variable.startswith("PAPI_PULSE_"):
            continue
        name = variable.removeprefix("PAPI_PULSE_")
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1)
            hint = f" (did you mean PAPI_PULSE_{close[0]}?)" if close else ""
            raise ConfigError(f"{variable} is not a PAPI Pulse setting{hint}")


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
        if isinstance(default, dict):
            return json.loads(raw)
    except ValueError as exc:
        raise ConfigError(f"PAPI_PULSE_{name}={raw!r} is not a valid value") from exc
    return raw


def check(config) -> None:
    """Raise ConfigError naming every setting whose value cannot work."""
    problems = (
        _check_types(config)
        + _check_values(config)
        + _check_texts(config)
        + _check_place_words(config)
        + _check_paths(config)
    )
    if problems:
        raise ConfigError("; ".join(problems))


def _check_types(config) -> list[str]:
    """Return problems with whole-number and true/false settings."""
    problems = []
    for name in _INT_SETTINGS:
        value = config.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            problems.append(f"{name} must be a whole number >= 0, not {value!r}")
    for name in _BOOL_SETTINGS:
        if not isinstance(config.get(name), bool):
            problems.append(f"{name} must be True or False")
    for name in ("DRAFT_MAX_AGE_SECONDS", "MAX_CONTENT_LENGTH", "BACKUP_KEEP"):
        if config.get(name) == 0:
            problems.append(f"{name} must be above 0")
    return problems


def _check_values(config) -> list[str]:
    """Return problems with settings that take one of a few values or a URL."""
    problems = []
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
    if isinstance(trim, bool) or not isinstance(trim, (int, float)) or trim <= 1:
        problems.append("WEIGHT_TRIM_CAP must be a number above 1")
    if not config.get("SECRET_KEY") or len(str(config["SECRET_KEY"])) < 32:
        problems.append("SECRET_KEY must be at least 32 characters")
    if isinstance(config.get("PROXY_COUNT"), int) and config["PROXY_COUNT"] > 3:
        problems.append("PROXY_COUNT must be the number of proxies in front (0 to 3)")
    languages = config.get("LANGUAGES")
    if not isinstance(languages, list) or not languages or set(languages) - set(LOCALES):
        problems.append(f"LANGUAGES must be a list drawn from {list(LOCALES)}")
    elif config.get("BABEL_DEFAULT_LOCALE") not in languages:
        problems.append("BABEL_DEFAULT_LOCALE must be one of LANGUAGES")
    try:
        zoneinfo.ZoneInfo(str(config.get("BABEL_DEFAULT_TIMEZONE")))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        problems.append("BABEL_DEFAULT_TIMEZONE must be a time zone name like Asia/Ho_Chi_Minh")
    return problems


def _check_texts(config) -> list[str]:
    """Return problems with the texts shown to citizens (a misspelt placeholder, say)."""
    problems = []
    for name in UNIT_TEXT_SETTINGS:
        value = config.get(name)
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{name} must be a non-empty text")
            continue
        for found in unit_names.unknown_placeholders(value):
            problems.append(f"{name} may use only the placeholder {{unit}}, not {found}")
    return problems


def _check_place_words(config) -> list[str]:
    """Return problems with PLACE_WORDS: {province code: {unit type: word}}."""
    words = config.get("PLACE_WORDS")
    shape = (
        'PLACE_WORDS must look like {"79": {"phường": "khu phố", "xã": "ấp"}}: a province '
        "code, then a word for phường, xã or đặc khu"
    )
    if not isinstance(words, dict):
        return [shape]
    for province, kinds in words.items():
        if not (isinstance(province, str) and len(province) == 2 and province.isdigit()):
            return [f"{shape} ({province!r} is not a two-digit province code)"]
        if not isinstance(kinds, dict) or not kinds:
            return [shape]
        for kind, word in kinds.items():
            kinds_known = (unit_names.WARD, unit_names.COMMUNE, unit_names.SPECIAL_ZONE)
            if kind not in kinds_known or not isinstance(word, str) or not word.strip():
                return [f"{shape} (not {kind!r}: {word!r})"]
    return []


def _check_paths(config) -> list[str]:
    """Return problems with the database location."""
    database = str(config.get("DATABASE", ""))
    if database == ":memory:":
        return []
    folder = os.path.dirname(database) or "."
    if not os.path.isdir(folder):
        return [f"DATABASE is in a folder that does not exist: {folder}"]
    if not os.access(folder, os.W_OK):
        return [f"DATABASE is in a folder this user cannot write to: {folder}"]
    return []


def refuse_debug(config) -> None:
    """Stop a production server started with DEBUG on: it would show stack traces."""
    if config.get("DEBUG") and not config.get("TESTING"):
        raise ConfigError("DEBUG must be off on a production server")


def describe(config, instance_path: str, environ=os.environ) -> list[tuple[str, str, str]]:
    """Return (setting, shown value, source) for every setting; secrets are hidden."""
    from_file = Config(instance_path)
    from_file.from_pyfile("config.py", silent=True)
    from_env = from_environment(environ)
    rows = []
    for name in sorted(set(DEFAULTS) | {"SECRET_KEY"}):
        if name in from_env:
            source = "environment"
        elif name in from_file:
            source = "instance config.py"
        elif name == "SECRET_KEY":
            source = "instance secret_key file"
        else:
            source = "default"
        value = config.get(name)
        shown = (
            f"(hidden, {len(str(value))} characters)" if name in SECRET_SETTINGS else repr(value)
        )
        if name in UNIT_TEXT_SETTINGS and unit_names.PLACEHOLDER in str(value):
            locale = name.rsplit("_", 1)[1].lower()
            example = unit_names.fill(value, _EXAMPLE_UNIT, locale)
            shown += f" (at each point its own unit, e.g. {example!r})"
        rows.append((name, shown, source))
    return rows


def load_or_create_secret_key(instance_path: str) -> str:
    """Return the install's secret key, generating it into the instance folder on first run."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written beside and linked into place: when several workers start at once exactly
        # one link succeeds, and nobody ever reads a half-written key.
        tmp = path.with_name(f"secret_key.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text(encoding="ascii").strip()

"""Locale negotiation and message catalogues.

The catalogues are kept as ``.po`` files (compiled ``.mo`` files stay out of git); at start-up
they are compiled into the instance folder when missing or older than their source.
"""

import os
import tempfile
from pathlib import Path
from urllib.parse import urlencode

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import current_app, has_request_context, request, session
from flask_babel import Babel, get_locale
from werkzeug.exceptions import HTTPException

from survey import unit_names
from survey.locales import DEFAULT_LOCALE, LOCALES
from survey.paths import TRANSLATIONS_DIR

babel = Babel()


def offered() -> tuple[str, ...]:
    """Return the locales this installation offers: the LANGUAGES setting, in LOCALES' order."""
    chosen = current_app.config["LANGUAGES"]
    return tuple(lang for lang in LOCALES if lang in chosen)


def default_locale() -> str:
    """Return the installation's default locale (BABEL_DEFAULT_LOCALE, checked at start-up)."""
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_locale() -> str:
    """Pick the locale for this request among the offered ones (the LANGUAGES setting).

    Precedence: an explicit choice (``?lang=`` in the URL, or the ``lang`` field of a
    submitted form, which survives in-app browsers that drop cookies), then the choice kept
    in the session, then the browser's Accept-Language among the offered locales, then
    the BABEL_DEFAULT_LOCALE setting (Vietnamese unless configured otherwise).
    """
    if not has_request_context():
        return default_locale()
    supported = offered()
    explicit = request.args.get("lang") or posted_lang()
    if explicit in supported:
        return explicit
    remembered = session.get("lang")
    if remembered in supported:
        return remembered
    return request.accept_languages.best_match(supported) or default_locale()


def posted_lang() -> str | None:
    """Return the ``lang`` field of a posted form, or None if the body cannot be read."""
    if request.method != "POST":
        return None
    try:
        return request.form.get("lang")
    except HTTPException:  # too large or malformed: the error page still needs a locale
        return None


def remember_locale() -> None:
    """Keep an explicit ``?lang=`` choice in the session for the next pages."""
    explicit = request.args.get("lang")
    if explicit in offered() and session.get("lang") != explicit:
        session["lang"] = explicit


def compile_catalogues(source_dir: Path, target_dir: Path) -> Path:
    """Compile every ``<locale>/LC_MESSAGES/messages.po`` under source_dir into target_dir."""
    for po_path in sorted(source_dir.glob("*/LC_MESSAGES/messages.po")):
        mo_path = target_dir / po_path.relative_to(source_dir).with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=po_path.parent.parent.name)
        # Write beside and rename: workers starting together never read half a file.
        fd, tmp = tempfile.mkstemp(dir=mo_path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        os.replace(tmp, mo_path)
    return target_dir


def init_app(app) -> None:
    """Compile the catalogues and register Flask-Babel with the locale selector."""
    target = Path(app.instance_path) / "translations"
    compile_catalogues(TRANSLATIONS_DIR, target)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(target)
    babel.init_app(app, locale_selector=select_locale)
    app.before_request(remember_locale)
    app.jinja_env.globals["current_locale"] = current_locale
    app.jinja_env.globals["offered_locales"] = offered
    app.jinja_env.globals["locale_switch_url"] = locale_switch_url
    app.jinja_env.globals["config_text"] = config_text
    app.jinja_env.globals["unit_name"] = unit_name


def locale_switch_url(code: str, keep: dict | None = None) -> str:
    """Return this page's address in another locale, keeping its other query arguments.

    With ``keep``, only its non-empty values are kept, never the incoming query: a public
    page's rendered copy is shared by everyone (survey/public/cache.py), so its link must not
    carry whatever query its first reader came with.
    """
    if keep is not None:
        args = [(name, value) for name, value in keep.items() if value]
    else:
        args = [(name, value) for name, value in request.args.items(multi=True) if name != "lang"]
    return "?" + urlencode([*args, ("lang", code)])


def current_locale() -> str:
    """Return the active locale code, one of LOCALES."""
    locale = get_locale()
    return str(locale.language) if locale else DEFAULT_LOCALE


def config_text(name: str, point: dict | None = None) -> str:
    """Return a bilingual setting (NAME_VI / NAME_EN) in the active locale.

    With a collection point, ``{unit}`` in the setting becomes the point's ward, commune or
    special zone, named in that locale (survey/unit_names.py).
    """
    locale = current_locale()
    text = current_app.config[f"{name}_{locale.upper()}"]
    if point is None:
        return text
    return unit_names.fill(text, unit_names.Unit.of_point(point), locale)


def unit_name(point: dict) -> str:
    """Return a point's ward, commune or special zone named for a sentence in the active locale."""
    return unit_names.Unit.of_point(point).full_name(current_locale())

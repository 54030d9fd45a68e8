"""Cross-site request forgery checks of the citizen pages, which must also work without cookies.

Flask-WTF keeps the secret half of its token in the session cookie, so a browser that refuses
cookies (some in-app browsers, a phone set to block them) never passes its check, and "Start"
could only reload the welcome page. A citizen's form is therefore accepted when either

1. Flask-WTF's token is valid: the browser keeps cookies. This is the usual case, and the only
   one open to old browsers that send no Fetch Metadata; or
2. the browser itself says that the form was sent from one of this site's pages
   (``Sec-Fetch-Site: same-origin``, or without it an ``Origin`` of this site, as
   survey/origin.py judges it), and the form carries a token this app signed for this
   collection point within WTF_CSRF_TIME_LIMIT.

Why 2 is safe without a cookie: ``Sec-Fetch-*`` and ``Origin`` are forbidden header names, set
by the browser and never by a page, so a form that another site makes a phone post says
``cross-site`` (or names the other site) and is refused, whatever tokens it carries;
``same-site`` (a sibling subdomain) and ``Origin: null`` are refused too. The signed token is
not tied to a browser, which is why it never suffices alone; it keeps the expiry of 1 and
keeps one point's form from posting to another. A browser that keeps no cookie and sends
neither header is refused, and the page says plainly that cookies must be allowed.
"""

from flask import current_app, request
from flask_wtf.csrf import ValidationError, validate_csrf
from itsdangerous import BadData, URLSafeTimedSerializer

from survey import origin

# The hidden field that carries the point-bound token, beside Flask-WTF's ``csrf_token``.
FIELD = "csrf_point"


def _signer() -> URLSafeTimedSerializer:
    """Return the signer of point-bound form tokens."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="papi-pulse-citizen-form")


def point_token(token: str) -> str:
    """Return a signed form token for the collection point with this survey token."""
    return _signer().dumps(token)


def verdict(token: str) -> str:
    """Judge a citizen's POST: "ok", "expired" (send again) or "cookies" (they must be allowed)."""
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return "ok"
    try:
        validate_csrf(request.form.get("csrf_token"))
        return "ok"
    except ValidationError:
        pass
    if not _from_this_site():
        has_session = current_app.config["SESSION_COOKIE_NAME"] in request.cookies
        return "expired" if has_session else "cookies"
    return "ok" if _point_token_ok(token) else "expired"


def _from_this_site() -> bool:
    """Tell whether the browser says the request comes from a page of this very origin."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    return origin.origin_of(request.headers.get("Origin")) in origin.own_origins()


def _point_token_ok(token: str) -> bool:
    """Tell whether the posted point-bound token is ours, recent and for this point."""
    posted = request.form.get(FIELD)
    if not posted or len(posted) > 200:
        return False
    try:
        signed_for = _signer().loads(posted, max_age=current_app.config["WTF_CSRF_TIME_LIMIT"])
    except BadData:
        return False
    return signed_for == token

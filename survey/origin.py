"""Refuse form posts sent from another site: an Origin check in place of Flask-WTF's Referer check.

Why: over HTTPS Flask-WTF (``WTF_CSRF_SSL_STRICT``) demands a same-origin ``Referer`` on every
post. The Referer is the header that referrer policies, privacy settings and extensions remove,
and our own policy used to remove it, so staff could not sign in behind HTTPS. Every browser
sends ``Origin`` on a form post instead (Chromium, Safari, Firefox since 70), and an attacking
page cannot remove it: a cross-site post carries the other site's origin or ``null``.

The rule, for every unsafe method (``WTF_CSRF_METHODS``) while CSRF protection is on, on every
route, the citizen's pages included; the CSRF token is checked as well:

1. ``Origin`` present: it must be this site's origin, that is the request's own scheme and host
   (as the proxy reports them, see ``PROXY_COUNT``) or ``BASE_URL``'s. ``null`` is refused.
2. No ``Origin`` but a ``Referer``: the Referer must be on this site.
3. Neither, over HTTPS: refused. Only a browser from before 2019 omits ``Origin``, and then an
   attacking page can strip the Referer with its own referrer policy; a script without a
   browser carries no victim's cookies, so refusing costs nobody anything. Over plain HTTP
   (a LAN-only install, development) both headers are accepted missing, as Flask-WTF does:
   there anyone on the path can rewrite them anyway, and the token still has to match.
"""

import logging
from urllib.parse import urlsplit

from flask import current_app, request
from flask_babel import gettext as _

from survey.errors import render_error

log = logging.getLogger(__name__)
DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str | None) -> str | None:
    """Return the ``scheme://host[:port]`` origin of an absolute http(s) URL, else None."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    if port is not None and port != DEFAULT_PORTS[parts.scheme]:
        host = f"{host}:{port}"
    return f"{parts.scheme}://{host}"


def own_origins() -> set[str]:
    """Return the origins a post may come from: this request's own, and BASE_URL's."""
    found = {origin_of(request.host_url), origin_of(current_app.config.get("BASE_URL"))}
    return found - {None}


def refusal() -> str | None:
    """Return why the current request must be refused as cross-site, or None to let it through."""
    sent = request.headers.get("Origin")
    if sent is None:
        referer = request.headers.get("Referer")
        if referer is None:
            return "no origin" if request.is_secure else None
        return None if origin_of(referer) in own_origins() else "foreign referer"
    return None if origin_of(sent) in own_origins() else "foreign origin"


def check_origin():
    """Answer a translated 400 to an unsafe request that another site sent (before_request)."""
    config = current_app.config
    if not config.get("WTF_CSRF_ENABLED", True):
        return None
    if request.method not in config.get("WTF_CSRF_METHODS", ("POST", "PUT", "PATCH", "DELETE")):
        return None
    reason = refusal()
    if reason is None:
        return None
    log.warning("refused %s %s: %s%s", request.method, _rule(), reason, _proxy_hint())
    if reason == "no origin":
        message = _(
            "Your browser did not say which page sent this form, so nothing was saved. "
            "Please use an up-to-date browser, or turn off the setting that hides it, and try "
            "again."
        )
    else:
        message = _(
            "This form was sent from another website, so nothing was saved. Please open the "
            "page on this site yourself and send the form from there."
        )
    return render_error(400, message)


def _rule() -> str:
    """Return the URL rule of the request: never the path, which may hold a survey token."""
    return request.url_rule.rule if request.url_rule is not None else "(no route)"


def _proxy_hint() -> str:
    """Point the operator at PROXY_COUNT when an HTTPS page posts to what looks like HTTP."""
    sent = origin_of(request.headers.get("Origin") or request.headers.get("Referer"))
    plain = origin_of(request.host_url)
    if sent and plain and sent.startswith("https://") and plain == "http://" + sent[8:]:
        return " (the page was HTTPS but the app sees HTTP: is PROXY_COUNT set?)"
    return ""


def init_app(app) -> None:
    """Check the origin of every unsafe request, in place of Flask-WTF's Referer check."""
    # Replaced by check_origin; set before CSRFProtect.init_app, which only sets a default.
    app.config["WTF_CSRF_SSL_STRICT"] = False
    app.before_request(check_origin)

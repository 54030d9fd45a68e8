"""Security headers on every response, with a per-request nonce for inline CSS and JS, and
the app's CSRF protection (``csrf``; the citizen's pages use their own: survey/citizen/forgery.py).
"""

import secrets

from flask import g, request
from flask_wtf import CSRFProtect

csrf = CSRFProtect()


def csp_nonce() -> str:
    """Return this request's CSP nonce, making it on first use."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def set_headers(response):
    """Add CSP, framing, sniffing, referrer and HSTS headers."""
    nonce = g.get("csp_nonce")
    inline = f" 'nonce-{nonce}'" if nonce else ""
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; style-src 'self'{inline}; script-src 'self'{inline}; "
        "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    # Survey URLs carry a point's token: never send them to another site. same-origin, not
    # no-referrer: with no-referrer browsers post forms with "Origin: null", and the origin
    # check (survey/origin.py) needs our own origin; this site already knows its own paths.
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if "Cache-Control" not in response.headers and request.endpoint != "static":
        # Answers and staff data must not stay in shared caches or the back-forward cache
        # of a shared phone.
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app) -> None:
    """Turn CSRF protection on; register the header hook and the nonce helper for templates."""
    csrf.init_app(app)
    app.after_request(set_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce

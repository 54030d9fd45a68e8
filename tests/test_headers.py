"""Every route, signed in or not, over HTTP and HTTPS, carries the security headers."""

import pytest
from staff_helpers import client_as

from survey.questionnaire import latest
from tests.factories import BEN_THANH, HCMC


def url_values(app, world) -> dict:
    """Return a real value for each URL parameter name used by the app's routes."""
    questionnaire = latest(app.config.get("QUESTIONNAIRE", "papi-pulse-core"))
    point = world["point"]
    return {
        "token": point["token"],
        "page_id": questionnaire.pages[0].id,
        "point_id": point["id"],
        "user_id": world["users"]["ward_staff"]["id"],
        "code": BEN_THANH,
        "province": HCMC,
        "ward": BEN_THANH,
        "filename": "staff.css",
        "ext": "xlsx",
    }


def requests_to_make(app, world):
    """Yield (method, path) for every rule and method of the app."""
    values = url_values(app, world)
    for rule in app.url_map.iter_rules():
        args = {}
        for name in rule.arguments:
            args[name] = values.get(name, 1 if "id" in name else "1")
        path = rule.build(args, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.rule, method, path


def check_headers(response, secure: bool) -> list[str]:
    """Return what is missing or wrong in the response's security headers."""
    problems = []
    csp = response.headers.get("Content-Security-Policy", "")
    if "default-src 'none'" not in csp or "frame-ancestors 'none'" not in csp:
        problems.append(f"CSP {csp!r}")
    if "unsafe-inline" in csp or "unsafe-eval" in csp:
        problems.append("CSP allows inline code")
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("X-Content-Type-Options")
    # same-origin: a survey URL (it holds the token) never goes to another site, and our own
    # form posts carry this site's Origin, which survey/origin.py checks (no-referrer made
    # browsers send "Origin: null" and drop the Referer that HTTPS sign-in needed).
    if response.headers.get("Referrer-Policy") != "same-origin":
        problems.append("Referrer-Policy")
    hsts = response.headers.get("Strict-Transport-Security", "")
    if secure and "max-age=31536000" not in hsts:
        problems.append("HSTS missing over HTTPS")
    if not secure and hsts:
        problems.append("HSTS over plain HTTP")
    if response.status_code >= 500:
        problems.append(f"status {response.status_code}")
    return problems


@pytest.mark.parametrize("role", ["anonymous", "administrator"])
@pytest.mark.parametrize("scheme", ["http", "https"])
def test_every_route_sends_the_security_headers(app, world, role, scheme):
    failures, seen = {}, 0
    for rule, method, path in requests_to_make(app, world):
        client = client_as(app, world, role)
        response = client.open(path, method=method, base_url=f"{scheme}://khaosat.example.vn")
        problems = check_headers(response, secure=scheme == "https")
        response.close()
        if problems:
            failures[f"{method} {rule}"] = problems
        seen += 1
    assert seen >= 20
    assert failures == {}


def test_the_rule_list_covers_citizen_staff_and_health(app, world):
    rules = {rule for rule, _method, _path in requests_to_make(app, world)}
    assert {"/s/<token>", "/s/<token>/p/<page_id>", "/healthz", "/static/<path:filename>"} <= rules
    assert any(rule.startswith("/staff") for rule in rules)


def test_inline_styles_and_scripts_carry_the_nonce(app, world):
    client = client_as(app, world, "anonymous")
    response = client.get(f"/s/{world['point']['token']}")
    csp = response.headers["Content-Security-Policy"]
    nonce = csp.split("'nonce-")[1].split("'")[0] if "'nonce-" in csp else None
    html = response.text
    for tag in ("<style", "<script"):
        for chunk in html.split(tag)[1:]:
            opening = chunk.split(">", 1)[0]
            assert "src=" in opening or f'nonce="{nonce}"' in opening, opening
    assert " style=" not in html and "onclick=" not in html


def test_proxy_https_turns_on_hsts_when_proxy_count_is_set(app, world):
    from werkzeug.middleware.proxy_fix import ProxyFix

    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    client = client_as(app, world, "anonymous")
    response = client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert "max-age" in response.headers["Strict-Transport-Security"]

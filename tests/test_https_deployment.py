"""The deployment as deployed: real Chromium, HTTPS through a TLS-terminating proxy, gunicorn.

The instance's config.py, the commands and the proxy's headers are taken from docs/DEPLOY.md,
so this test runs what the operator is told to run. A staff member signs in, adds a collection
point and signs out; then a citizen answers that point's first page; every form is a POST over
HTTPS that the app checks for its origin and its CSRF token.
"""

import re
import time
from pathlib import Path

import pytest

from tests.browser_support import chromium, need_chromium, tap, tap_and_wait
from tests.serving_support import (
    free_port,
    make_instance,
    papi_pulse,
    self_signed_certificate,
    serve,
    tls_proxy,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DEPLOY = (Path(__file__).resolve().parent.parent / "docs" / "DEPLOY.md").read_text("utf-8")
EXAMPLE_URL = "https://khaosat.example.gov.vn"
PASSWORD = "a long staff password"


def deploy_config(base: str) -> str:
    """Return DEPLOY.md's instance/config.py with the test proxy's address as BASE_URL."""
    config = re.search(r"instance/config\.py >/dev/null <<'EOF'\n(.*?)\nEOF\n", DEPLOY, re.S)
    assert config and f'BASE_URL = "{EXAMPLE_URL}"' in config.group(1)
    return config.group(1).replace(EXAMPLE_URL, base) + "\n"


def deploy_serve_arguments() -> list[str]:
    """Return the arguments DEPLOY.md's systemd unit gives ``papi-pulse serve``."""
    line = re.search(r"^ExecStart=\S+/papi-pulse (serve .*)$", DEPLOY, re.M)
    assert line, "DEPLOY.md has no ExecStart line for papi-pulse serve"
    return line.group(1).split()


def test_deploy_md_sets_the_headers_the_test_proxy_sets():
    for header in (
        "proxy_set_header Host $host;",
        "proxy_set_header X-Forwarded-For $remote_addr;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
        "proxy_set_header X-Forwarded-Host $host;",
    ):
        assert header in DEPLOY
    assert deploy_serve_arguments() == ["serve", "--host", "127.0.0.1", "--port", "8000"]
    assert "PROXY_COUNT = 1" in deploy_config("https://x.example") and (
        "SESSION_COOKIE_SECURE = True" in deploy_config("https://x.example")
    )


def wait_for(driver, condition, what: str, timeout: float = 20):
    """Wait until condition(driver) is true, failing with what the page shows instead."""
    from selenium.webdriver.common.by import By

    deadline = time.monotonic() + timeout
    while not condition(driver):
        if time.monotonic() > deadline:
            shown = driver.find_element(By.TAG_NAME, "body").text[:300]
            raise AssertionError(f"{what}; the page at {driver.current_url} shows: {shown}")
        time.sleep(0.05)


def sign_in(driver, base: str, username: str) -> None:
    """Sign in through the real form and wait for the dashboard."""
    from selenium.webdriver.common.by import By

    driver.get(f"{base}/staff/login?lang=en")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    tap(driver, "main form button[type=submit]")
    wait_for(driver, lambda d: d.current_url == f"{base}/staff/", "signing in did not succeed")
    assert "Dashboard" in driver.title


def add_point(driver, base: str) -> str:
    """Add a collection point in Bến Thành through the form; return its survey address."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    driver.get(f"{base}/staff/points/new?q=Ben+Thanh")
    Select(driver.find_element(By.ID, "ward")).select_by_value("26743")
    driver.find_element(By.ID, "name").send_keys("Bộ phận Một cửa Bến Thành")
    Select(driver.find_element(By.ID, "kind")).select_by_index(0)
    tap(driver, "main form[method=post] button.primary")
    wait_for(
        driver,
        lambda d: re.search(r"/staff/points/\d+$", d.current_url),
        "the collection point was not created",
    )
    assert "The collection point has been created." in driver.page_source
    survey = driver.find_element(By.XPATH, "//dt[.='Survey address']/following-sibling::dd").text
    assert survey.startswith(f"{base}/s/")
    return survey


def answer_first_page(driver) -> None:
    """Choose the first answer of every question on the page, as a citizen taps it."""
    from selenium.webdriver.common.by import By

    for group in driver.find_elements(By.CSS_SELECTOR, "main form .field"):
        texts = group.find_elements(By.CSS_SELECTOR, "input[type=text], textarea")
        if texts:
            texts[0].send_keys("2")
            continue
        choice = group.find_elements(By.CSS_SELECTOR, "input[type=radio], input[type=checkbox]")
        tap(driver, f"label[for='{choice[0].get_attribute('id')}']")


def test_staff_and_citizens_use_the_site_through_https(tmp_path):
    from selenium.webdriver.common.by import By

    need_chromium()
    cert, key = self_signed_certificate(tmp_path)
    app_port = free_port()
    with tls_proxy(app_port, cert, key) as proxy:
        base = f"https://127.0.0.1:{proxy.server_port}"
        env = make_instance(tmp_path / "instance", deploy_config(base))
        (tmp_path / "password.txt").write_text(PASSWORD + "\n", encoding="utf-8")
        papi_pulse(
            env, "users", "create", "quantri", "--password-file", str(tmp_path / "password.txt")
        )
        # DEPLOY.md's command on a free port, with two workers on this shared machine.
        arguments = [*deploy_serve_arguments()[:-1], str(app_port), "--workers", "2"]
        with (
            serve(env, arguments, tmp_path / "server.log"),
            chromium(tmp_path / "profile", flags=["--ignore-certificate-errors"]) as driver,
        ):
            sign_in(driver, base, "quantri")
            cookie = driver.get_cookie("session")
            assert cookie["secure"] and cookie["httpOnly"]
            survey = add_point(driver, base)
            tap_and_wait(driver, "header form button[type=submit]")
            assert "You are signed out" in driver.page_source

            driver.get(survey)
            tap_and_wait(driver, "main form button.button")
            wait_for(driver, lambda d: d.find_elements(By.CLASS_NAME, "progress"), "no page 1")
            assert "Page 1 of" in driver.find_element(By.CLASS_NAME, "progress").text
            answer_first_page(driver)
            tap_and_wait(driver, "button[value=next]")
            wait_for(driver, lambda d: d.find_elements(By.CLASS_NAME, "progress"), "no page 2")
            assert "Page 2 of" in driver.find_element(By.CLASS_NAME, "progress").text
    posts = [headers for method, _path, headers in proxy.seen if method == "POST"]
    assert len(posts) >= 4
    # What the fix relies on: a same-origin form post carries this site's Origin.
    assert all(headers.get("Origin") == base for headers in posts)

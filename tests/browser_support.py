"""Real-browser support: Debian's Chromium through chromedriver, and a live app on 127.0.0.1."""

import contextlib
import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from survey import create_app

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
# Chromium as root in a closed network: no sandbox, and none of its background connections.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--force-device-scale-factor=1",
)


def need_chromium() -> None:
    """Fail on CI, skip elsewhere, when Debian's Chromium or its driver is missing."""
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]
    if not missing:
        return
    message = f"{', '.join(missing)} missing: run `make system-deps` (apt chromium chromium-driver)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@contextlib.contextmanager
def live_app(instance, config=None):
    """Serve a new app (CSRF on) on a free 127.0.0.1 port; yield (app, base URL)."""
    holder = {}
    server = make_server(
        "127.0.0.1", 0, lambda env, start: holder["app"](env, start), threaded=True
    )
    base = f"http://127.0.0.1:{server.server_port}"
    previous = os.environ.get("PAPI_PULSE_INSTANCE")
    os.environ["PAPI_PULSE_INSTANCE"] = str(instance)
    try:
        holder["app"] = create_app(
            {
                "SECRET_KEY": "browser-test-secret-key-0123456789abcdef",
                "BASE_URL": base,
                **(config or {}),
            }
        )
    finally:
        if previous is None:
            os.environ.pop("PAPI_PULSE_INSTANCE")
        else:
            os.environ["PAPI_PULSE_INSTANCE"] = previous
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield holder["app"], base
    finally:
        server.shutdown()
        thread.join(5)


@contextlib.contextmanager
def chromium(
    profile_dir, size=(1000, 1400), javascript=True, language="vi", flags=(), cookies=True
):
    """Yield a headless Chromium driver; optionally with JavaScript or cookies off, extra flags."""
    need_chromium()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, *flags):
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile_dir}")
    if size[0] < 500:
        # Desktop windows have a minimum width; a phone is emulated instead (touch, DPR 2).
        options.add_experimental_option(
            "mobileEmulation",
            {
                "deviceMetrics": {"width": size[0], "height": size[1], "pixelRatio": 2.0},
                "userAgent": "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like "
                "Gecko) Chrome/120.0 Mobile Safari/537.36 Zalo android/12100000",
            },
        )
    else:
        options.add_argument(f"--window-size={size[0]},{size[1]}")
    options.add_argument(f"--lang={language}")
    if not javascript:
        options.add_argument("--blink-settings=scriptEnabled=false")
    prefs = {"intl.accept_languages": language}
    if not cookies:
        # What "Block all cookies" in Chromium's settings stores.
        prefs["profile.default_content_setting_values.cookies"] = 2
    options.add_experimental_option("prefs", prefs)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile_dir, ignore_errors=True)


def tap(driver, selector: str) -> None:
    """Tap the element matching selector as a finger would, through DevTools.

    chromedriver's own click hangs when the page's JavaScript is switched off, so taps are
    dispatched as input events at the element's centre after scrolling it into view; this
    needs no script in the page, and drives JavaScript-on and -off runs the same way.
    """
    root = driver.execute_cdp_cmd("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    node = driver.execute_cdp_cmd("DOM.querySelector", {"nodeId": root, "selector": selector})
    if not node["nodeId"]:
        raise LookupError(selector)
    driver.execute_cdp_cmd("DOM.scrollIntoViewIfNeeded", {"nodeId": node["nodeId"]})
    quad = driver.execute_cdp_cmd("DOM.getContentQuads", {"nodeId": node["nodeId"]})["quads"][0]
    x, y = sum(quad[0::2]) / 4, sum(quad[1::2]) / 4
    for kind in ("mousePressed", "mouseReleased"):
        driver.execute_cdp_cmd(
            "Input.dispatchMouseEvent",
            {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1},
        )


@contextlib.contextmanager
def replaced_page(driver, timeout: float = 15, what: str = "the page"):
    """Wait, as the block ends, until the page it began on has been replaced by the next one.

    A tap, click or Enter that submits a form returns before the browser has left the page.
    An element found in that gap belongs to the old document, and any use of it once the new
    document is in fails with "Node ... does not belong to the document" (a stale element).
    The old page's root going stale is the condition that holds exactly when the next
    document has replaced it, whatever its address (a form may post back to the same URL).
    """
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    old = driver.find_element(By.TAG_NAME, "html")

    def gone(_driver) -> bool:
        # Selenium's staleness_of knows only StaleElementReferenceException; while the new
        # document is coming in, Chromium may instead answer that the node "does not belong
        # to the document", which says the same thing and must not fail the wait.
        try:
            old.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as error:
            if "does not belong to the document" in (error.msg or ""):
                return True
            raise
        return False

    yield
    WebDriverWait(driver, timeout).until(gone, f"{what} did not lead to another page")


def has_focus(selector: str):
    """Wait condition: the element matching selector has the keyboard focus (autofocus ran)."""
    from selenium.webdriver.common.by import By

    def focused(driver) -> bool:
        return driver.switch_to.active_element == driver.find_element(By.CSS_SELECTOR, selector)

    return focused


def tap_and_wait(driver, selector: str, timeout: float = 15) -> None:
    """Tap a button that loads another page, and wait until that page has replaced this one."""
    with replaced_page(driver, timeout, selector):
        tap(driver, selector)

"""A poster printed by real Chromium scans, and its URL opens the survey until the token rotates.

Drives Debian's /usr/bin/chromium through /usr/bin/chromedriver against the app served by a live
werkzeug server on 127.0.0.1, with CSRF on and BASE_URL pointing at that server.
"""

import base64
import io
import os
import re
import shutil
import threading

import pytest
import zxingcpp
from PIL import Image
from werkzeug.serving import make_server

from survey import accounts, create_app, points
from survey.webdb import open_db
from tests.posters_helpers import PASSWORD, make_point, make_user

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
pytestmark = pytest.mark.browser


def need_chromium() -> None:
    """Fail on CI, skip elsewhere, when Debian's Chromium or its driver is missing."""
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]
    if not missing:
        return
    message = f"{', '.join(missing)} missing: run `make system-deps` (apt chromium chromium-driver)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def live(tmp_path, monkeypatch):
    """Serve a fresh app on 127.0.0.1 (its BASE_URL is that address); yield (app, base)."""
    holder = {}
    server = make_server(
        "127.0.0.1", 0, lambda env, start: holder["app"](env, start), threaded=True
    )
    base = f"http://127.0.0.1:{server.server_port}"
    monkeypatch.setenv("PAPI_PULSE_INSTANCE", str(tmp_path / "instance"))
    holder["app"] = create_app(
        {
            "SECRET_KEY": "browser-test-secret-key-0123456789abcdef",
            "BASE_URL": base,
        }
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield holder["app"], base
    server.shutdown()
    thread.join(5)


@pytest.fixture
def browser(tmp_path):
    """Yield a headless Chromium driven by chromedriver."""
    need_chromium()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'chromium'}",
        "--window-size=1000,1400",
        "--force-device-scale-factor=1",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    yield driver
    driver.quit()
    shutil.rmtree(tmp_path / "chromium", ignore_errors=True)


def sign_in(driver, base: str, username: str) -> None:
    """Sign in through the real form (CSRF on)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(f"{base}/staff/login")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    # click() returns before the next page has loaded: wait for the redirect.
    WebDriverWait(driver, 15).until(lambda d: "/staff/login" not in d.current_url)


def decode_screenshot(driver) -> list[str]:
    """Return the texts of the QR codes zxing-cpp finds in a screenshot of the page."""
    image = Image.open(io.BytesIO(driver.get_screenshot_as_png())).convert("L")
    return [code.text for code in zxingcpp.read_barcodes(image)]


def pdf_pages(driver) -> int:
    """Print the page to PDF with Chromium and return its page count."""
    from selenium.webdriver.common.print_page_options import PrintOptions

    options = PrintOptions()
    options.background = True
    data = base64.b64decode(driver.print_page(options))
    assert data.startswith(b"%PDF")
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", data))


def test_printed_poster_scans_to_the_survey_and_stops_after_rotation(live, browser):
    app, base = live
    db = open_db(app)
    try:
        point = make_point(db)
        staff = make_user(db, accounts.WARD_STAFF, [point["ward_code"]], username="canbo.phuong")
    finally:
        db.close()
    sign_in(browser, base, staff["username"])

    browser.get(f"{base}/staff/points/{point['id']}/poster")
    assert "Bộ phận Một cửa" in browser.page_source
    decoded = decode_screenshot(browser)
    assert decoded == [f"{base.upper()}/S/{point['token']}"]
    assert pdf_pages(browser) == 1

    client = app.test_client()
    path = decoded[0][len(base) :]
    response = client.get(path, follow_redirects=True)
    assert response.status_code == 200
    assert 'action="/s/' in response.get_data(as_text=True)  # the welcome page's start form
    browser.get(decoded[0])
    assert browser.find_elements("css selector", "form[action$='/start'] button")

    db = open_db(app)
    try:
        points.rotate_token(db, point["id"])
    finally:
        db.close()
    gone = client.get(path, follow_redirects=True)
    assert gone.status_code == 404
    assert "thay thế" in gone.get_data(as_text=True)  # "this code has been replaced"
    browser.get(decoded[0])
    assert not browser.find_elements("css selector", "form[action$='/start'] button")

    browser.get(f"{base}/staff/points/{point['id']}/poster?size=tent&lang=bilingual")
    fresh = decode_screenshot(browser)
    # Both faces of the tent (one upside down, drawn with <use>) scan to the new URL.
    assert len(fresh) == 2 and len(set(fresh)) == 1 and decoded[0] not in fresh


def test_ward_document_prints_one_poster_per_page(live, browser):
    app, base = live
    db = open_db(app)
    try:
        first = make_point(db)
        make_point(db, name="Nhà văn hóa khu phố 2")
        make_point(db, name="Bộ phận Tiếp nhận và Trả kết quả giải quyết thủ tục hành chính")
        admin = make_user(db, accounts.ADMINISTRATOR, username="quantri")
    finally:
        db.close()
    sign_in(browser, base, admin["username"])
    for size in ("a4", "a5", "tent"):
        for lang in ("vi", "bilingual"):
            browser.get(f"{base}/staff/wards/{first['ward_code']}/posters?size={size}&lang={lang}")
            assert pdf_pages(browser) == 3, size
            # Nothing is cut off at the sheet's edge, even with the longest name.
            heights = browser.execute_script(
                "return Array.from(document.querySelectorAll('.poster'))"
                ".map(e => [e.scrollHeight, e.clientHeight])"
            )
            assert len(heights) == (6 if size == "tent" else 3)
            assert all(scroll <= client for scroll, client in heights), (size, lang, heights)

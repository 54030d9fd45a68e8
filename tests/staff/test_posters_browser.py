"""A poster printed by real Chromium scans, and its URL opens the survey until the token rotates.

Drives Debian's /usr/bin/chromium through /usr/bin/chromedriver against the app served by a live
werkzeug server on 127.0.0.1, with CSRF on and BASE_URL pointing at that server.
"""

import base64
import io
import re

import pytest
import zxingcpp
from PIL import Image

from survey import accounts, points
from survey.webdb import open_db
from tests.browser_support import chromium, live_app
from tests.factories import BEN_THANH, PASSWORD, make_point, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def live(tmp_path):
    """Serve a fresh app on 127.0.0.1 (its BASE_URL is that address); yield (app, base)."""
    with live_app(tmp_path / "instance") as served:
        yield served


@pytest.fixture
def browser(tmp_path):
    """Yield a headless Chromium with a desktop window, as staff use."""
    with chromium(tmp_path / "chromium", size=(1000, 1400)) as driver:
        yield driver


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
        point = make_point(db, BEN_THANH)
        staff = make_user(
            db, role=accounts.WARD_STAFF, scopes=[point["ward_code"]], username="canbo.phuong"
        )
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
        first = make_point(db, BEN_THANH)
        make_point(db, BEN_THANH, name="Nhà văn hóa khu phố 2")
        make_point(
            db, BEN_THANH, name="Bộ phận Tiếp nhận và Trả kết quả giải quyết thủ tục hành chính"
        )
        admin = make_user(db, role=accounts.ADMINISTRATOR, username="quantri")
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


# The longest public address we think plausible: a province department's subdomain.
LONG_BASE = "https://papi-pulse.sonoivu.tphcm.gov.vn"
# W and M are the widest letters of a token: the longest line a poster can have to print.
WIDE_TOKEN = "WMWMWMWMWMWMWM"
MEASURE_URLS = """
return Array.from(document.querySelectorAll('.url')).map(function (el) {
  var range = document.createRange();
  range.selectNodeContents(el);
  var tops = new Set(Array.from(range.getClientRects()).map(function (r) {
    return Math.round(r.top);
  }));
  var text = range.getBoundingClientRect();
  var column = el.closest('.words').getBoundingClientRect();
  var style = getComputedStyle(el);
  return {
    text: el.textContent,
    lines: tops.size,
    height: el.getBoundingClientRect().height,
    lineHeight: parseFloat(style.lineHeight),
    inside: text.left >= column.left - 0.5 && text.right <= column.right + 0.5,
    points: parseFloat(style.fontSize) * 0.75
  };
});
"""


@pytest.fixture
def long_live(tmp_path):
    """Serve an app whose public address is as long as we think any will be."""
    with live_app(tmp_path / "instance", {"BASE_URL": LONG_BASE}) as served:
        yield served


def test_the_typed_address_is_never_broken_across_lines(long_live, browser):
    app, base = long_live
    db = open_db(app)
    try:
        point = make_point(db, BEN_THANH)
        with db.atomic():
            db.execute("UPDATE points SET token = ? WHERE id = ?", [WIDE_TOKEN, point["id"]])
        admin = make_user(db, role=accounts.ADMINISTRATOR, username="quantri")
    finally:
        db.close()
    typed = "papi-pulse.sonoivu.tphcm.gov.vn/s/WMWM-WMWM-WMWM-WM"
    sign_in(browser, base, admin["username"])
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    for size in ("a4", "a5", "tent"):
        for lang in ("vi", "bilingual"):
            browser.get(f"{base}/staff/points/{point['id']}/poster?size={size}&lang={lang}")
            found = browser.execute_script(MEASURE_URLS)
            assert len(found) == (2 if size == "tent" else 1), size
            for url in found:
                where = (size, lang, url)
                assert url["text"] == typed, where
                # One line box, the element one line high, and all of it inside its column.
                assert url["lines"] == 1, where
                assert abs(url["height"] - url["lineHeight"]) < 1, where
                assert url["inside"], where
                # Never smaller than about the tent's own fine print (the organiser, 5 pt).
                assert url["points"] >= 4.5, where

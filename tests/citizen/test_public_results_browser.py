"""In real Chromium with JavaScript off: a citizen answers, then reads the ward's results."""

import pytest
from test_citizen_browser import settle, tap_answers

from survey import publishing
from survey.webdb import open_db
from tests.browser_support import chromium, live_app, tap_and_wait
from tests.factories import make_point, make_responses

pytestmark = pytest.mark.browser


def test_no_js_citizen_follows_the_thanks_link_to_the_results(tmp_path):
    from selenium.webdriver.common.by import By

    with live_app(tmp_path / "instance") as (app, base):
        db = open_db(app)
        point = make_point(db)
        make_responses(db, point, 40)
        publishing.publish(db, None, point["province_code"], "2026-Q1")
        db.close()
        with chromium(tmp_path / "profile", size=(360, 640), javascript=False) as driver:
            driver.get(f"{base}/s/{point['token']}")
            tap_and_wait(driver, "form button.button")
            pages = 0
            while "/thanks" not in driver.current_url and pages < 30:
                settle(driver)
                tap_answers(driver)
                tap_and_wait(driver, "button[value=next]")
                pages += 1
            settle(driver, ".panel")
            tap_and_wait(driver, "main a[href^='/ket-qua/']")
            assert f"/ket-qua/{point['ward_code']}" in driver.current_url
            main = driver.find_element(By.TAG_NAME, "main").text
            assert "40 người đã trả lời." in main
            assert "Kết quả khảo sát" in driver.find_element(By.TAG_NAME, "h1").text
            assert len(driver.find_elements(By.CSS_SELECTOR, ".figures li")) == 9

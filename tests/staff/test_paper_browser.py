"""A clerk enters a paper form in real Chromium with the keyboard alone, JavaScript off (#13.3).

Digits, Tab and Enter only: the number step has the focus, the first question has it next,
Enter checks the form, and Enter on the read-back saves it (CSRF on, as served).
"""

import pytest

from survey import responses
from survey.paper import store
from survey.questionnaire import latest
from survey.webdb import open_db
from tests.browser_support import chromium, has_focus, live_app, replaced_page
from tests.factories import BEN_THANH, PASSWORD, make_point, make_user

pytestmark = pytest.mark.browser


def test_a_form_is_entered_with_digits_tab_and_enter(tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    with live_app(tmp_path / "instance") as (app, base):
        db = open_db(app)
        point = make_point(db, BEN_THANH)
        user = make_user(db, role="ward_staff", scopes=[point["ward_code"]])
        store.reserve(db, point["id"], latest("papi-pulse-core"), 1, False, None)
        with chromium(tmp_path / "chromium", javascript=False) as driver:
            wait = WebDriverWait(driver, 15)
            driver.get(f"{base}/staff/login")
            driver.find_element(By.ID, "username").send_keys(user["username"])
            driver.find_element(By.ID, "password").send_keys(PASSWORD + Keys.ENTER)
            wait.until(lambda d: "/staff/login" not in d.current_url)
            driver.get(f"{base}/staff/points/{point['id']}/paper/entry")
            # Every step below waits for the next page to replace this one, then for its
            # autofocus to land, before it touches an element: Enter returns before the
            # browser leaves the page, and an element found in that gap goes stale.
            wait.until(has_focus("#form_number"))
            focused = driver.switch_to.active_element
            assert focused.get_attribute("value") == "1"  # the next form to enter
            with replaced_page(driver):
                focused.send_keys(Keys.ENTER)
            wait.until(has_focus("#answered_on"))
            # The date left empty (today); question 1: box 2 (Nữ); 2: box 4 (60 or older); 3: 1.
            driver.switch_to.active_element.send_keys(Keys.TAB, "2", Keys.TAB, "4", Keys.TAB, "1")
            with replaced_page(driver):
                driver.switch_to.active_element.send_keys(Keys.ENTER)
            wait.until(has_focus("button[value=save]"))  # Save has the focus
            table = driver.find_element(By.TAG_NAME, "table").text
            assert "2 · Nữ" in table and "4 · 60 trở lên" in table
            assert responses.count(db) == 0
            with replaced_page(driver):
                driver.switch_to.active_element.send_keys(Keys.ENTER)
            assert "Đã lưu phiếu số 1" in driver.find_element(By.TAG_NAME, "main").text
        stored = responses.decode(next(iter(db.query("SELECT * FROM responses"))))
        assert stored["mode"] == "paper"
        assert stored["answers"] == {"sex": "nu", "age_band": "60_plus", "lives_here": "yes"}
        db.close()

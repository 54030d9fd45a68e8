"""A citizen on a 360x640 phone answers in real Chromium, with JavaScript on and off."""

import json
import time

import pytest

from survey.webdb import open_db
from tests.browser_support import chromium, live_app, tap, tap_and_wait
from tests.factories import make_point

pytestmark = pytest.mark.browser


def settle(driver, selector="button[value=next], .panel"):
    """Wait until the new page's main controls are there."""
    from selenium.webdriver.common.by import By

    for _ in range(200):
        if driver.find_elements(By.CSS_SELECTOR, selector):
            return
        time.sleep(0.05)
    raise TimeoutError(selector)


def tap_answers(driver) -> dict:
    """Answer every question on the page by tapping labels as a person does; return the answers."""
    from selenium.webdriver.common.by import By

    chosen = {}
    for group in driver.find_elements(By.CSS_SELECTOR, "main form .field"):
        inputs = group.find_elements(By.CSS_SELECTOR, "input[type=radio], input[type=checkbox]")
        texts = group.find_elements(By.CSS_SELECTOR, "input[type=text], textarea")
        if texts:
            box = texts[0]
            value = "Đèn đường hỏng." if box.tag_name == "textarea" else "2"
            tap(driver, f"#{box.get_attribute('id')}")
            box.send_keys(value)
            chosen[box.get_attribute("name")] = value if box.tag_name == "textarea" else 2
            continue
        ordinary = [i for i in inputs if i.get_attribute("value") not in ("dont_know", "refused")]
        # Not always the first option: the stored answer must be what was tapped.
        target = ordinary[-2] if len(ordinary) > 2 else ordinary[0]
        tap(driver, f"label[for='{target.get_attribute('id')}']")
        assert target.is_selected(), target.get_attribute("id")
        name, value = target.get_attribute("name"), target.get_attribute("value")
        if target.get_attribute("type") == "checkbox":
            chosen.setdefault(name, []).append(value)
        else:
            chosen[name] = value
    return chosen


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_phone_completes_the_questionnaire(tmp_path, javascript):
    from selenium.webdriver.common.by import By

    with live_app(tmp_path / "instance") as (app, base):
        db = open_db(app)
        point = make_point(db)
        with chromium(tmp_path / "profile", size=(360, 640), javascript=javascript) as driver:
            driver.get(f"{base}/s/{point['token']}")
            assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "vi"
            if javascript:
                width = driver.execute_script("return document.documentElement.scrollWidth")
                assert width <= 360, "the page scrolls sideways on a 360 px phone"
            tap_and_wait(driver, "form button.button")
            clicked, pages = {}, 0
            while "/thanks" not in driver.current_url and pages < 30:
                settle(driver)
                assert "Trang" in driver.find_element(By.CLASS_NAME, "progress").text
                clicked.update(tap_answers(driver))
                tap_and_wait(driver, "button[value=next]")
                pages += 1
            settle(driver, ".panel")
            assert "Cảm ơn ông/bà đã góp ý" in driver.find_element(By.TAG_NAME, "h1").text
        rows = list(db.query("SELECT answers, flags FROM responses"))
        db.close()
    assert len(rows) == 1
    assert json.loads(rows[0]["answers"]) == clicked
    assert "honeypot" not in rows[0]["flags"]


def test_english_switch_keeps_the_answers_on_the_page(tmp_path):
    from selenium.webdriver.common.by import By

    with live_app(tmp_path / "instance") as (app, base):
        db = open_db(app)
        point = make_point(db)
        with chromium(tmp_path / "profile", size=(360, 640), javascript=False) as driver:
            driver.get(f"{base}/s/{point['token']}")
            tap_and_wait(driver, "form button.button")
            settle(driver)
            label = driver.find_element(By.CSS_SELECTOR, "main form .choice label")
            input_id = label.get_attribute("for")
            tap(driver, f"label[for='{input_id}']")
            tap_and_wait(driver, "button[value='lang:en']")
            settle(driver)
            assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
            assert "Page 1 of" in driver.find_element(By.CLASS_NAME, "progress").text
            assert driver.find_element(By.ID, input_id).is_selected()
        db.close()

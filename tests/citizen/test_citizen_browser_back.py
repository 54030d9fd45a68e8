"""Back, reload and blocked cookies on a 360x640 phone in real Chromium, JavaScript on and off."""

import time

import pytest
from test_citizen_browser import settle, tap_answers

from survey.webdb import open_db
from tests.browser_support import chromium, live_app, tap, tap_and_wait
from tests.factories import make_point

pytestmark = pytest.mark.browser
PHONE = (360, 640)
JAVASCRIPT = pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])


def shown(driver, selector: str, timeout: float = 15) -> list:
    """Wait until elements match selector; fail with what the browser shows instead."""
    from selenium.webdriver.common.by import By

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = driver.find_elements(By.CSS_SELECTOR, selector)
        if found:
            return found
        time.sleep(0.05)
    body = driver.find_elements(By.TAG_NAME, "body")
    text = body[0].text[:300] if body else ""
    raise AssertionError(f"no {selector}: the browser shows {driver.title!r}: {text!r}")


def checked(driver) -> set[str]:
    """Return the ids of the ticked choices on the page."""
    from selenium.webdriver.common.by import By

    boxes = driver.find_elements(By.CSS_SELECTOR, "main form input[type=radio]")
    boxes += driver.find_elements(By.CSS_SELECTOR, "main form input[type=checkbox]")
    return {box.get_attribute("id") for box in boxes if box.is_selected()}


def choose_all_but(driver, skipped: int) -> list[str]:
    """Tap the first answer of every question but one; return the ids of the answers tapped."""
    from selenium.webdriver.common.by import By

    tapped = []
    for index, group in enumerate(driver.find_elements(By.CSS_SELECTOR, "main form fieldset")):
        if index == skipped:
            continue
        target = group.find_element(By.CSS_SELECTOR, "input").get_attribute("id")
        tap(driver, f"label[for='{target}']")
        tapped.append(target)
    return tapped


def page_is_the_question_page(driver, heading: str) -> None:
    """Check that the browser shows the survey page, not an error or resubmission page."""
    from selenium.webdriver.common.by import By

    assert shown(driver, "main h1")[0].text == heading
    assert "ERR_CACHE_MISS" not in driver.find_element(By.TAG_NAME, "body").text
    assert driver.find_elements(By.CSS_SELECTOR, "button[value=next]")


@JAVASCRIPT
def test_back_and_reload_after_a_mistake_show_real_pages_with_the_answers(tmp_path, javascript):
    from selenium.webdriver.common.by import By

    with live_app(tmp_path / "instance") as (app, base):
        db = open_db(app)
        point = make_point(db)
        with chromium(tmp_path / "profile", size=PHONE, javascript=javascript) as driver:
            driver.get(f"{base}/s/{point['token']}")
            tap_and_wait(driver, "form button.button")
            settle(driver)
            heading = driver.find_element(By.CSS_SELECTOR, "main h1").text
            skipped = driver.find_elements(By.CSS_SELECTOR, "main form fieldset")[1]
            skipped_first = skipped.find_element(By.CSS_SELECTOR, "input").get_attribute("id")
            question = skipped.find_element(By.TAG_NAME, "legend").text
            tapped = choose_all_but(driver, skipped=1)
            tap(driver, "button[value=next]")
            # The mistake is shown, with the answers tapped kept.
            summary = shown(driver, "#error-summary")[0]
            assert question in summary.text
            assert driver.title.startswith("Lỗi:")
            assert checked(driver) == set(tapped)
            # Reload: the same page and mistake again, not "Confirm Form Resubmission".
            driver.refresh()
            page_is_the_question_page(driver, heading)
            assert shown(driver, "#error-summary")
            assert checked(driver) == set(tapped)
            # Correct it, go on, press Back: the page as it was sent, without the mistake.
            tap(driver, f"label[for='{skipped_first}']")
            tap_and_wait(driver, "button[value=next]")
            settle(driver)
            assert driver.find_element(By.CSS_SELECTOR, "main h1").text != heading
            driver.back()
            page_is_the_question_page(driver, heading)
            assert not driver.find_elements(By.CSS_SELECTOR, "#error-summary")
            assert checked(driver) == {*tapped, skipped_first}
        db.close()


@JAVASCRIPT
def test_back_after_the_end_says_the_answers_were_sent(tmp_path, javascript):
    from selenium.webdriver.common.by import By

    with live_app(tmp_path / "instance") as (app, base):
        db = open_db(app)
        point = make_point(db)
        with chromium(tmp_path / "profile", size=PHONE, javascript=javascript) as driver:
            driver.get(f"{base}/s/{point['token']}")
            tap_and_wait(driver, "form button.button")
            for _ in range(30):
                settle(driver)
                tap_answers(driver)
                tap_and_wait(driver, "button[value=next]")
                if "/thanks" in driver.current_url:
                    break
            settle(driver, ".panel")
            driver.back()
            panel = shown(driver, ".panel h1")[0]
            assert panel.text == "Ông/bà đã gửi câu trả lời rồi"
            body = driver.find_element(By.TAG_NAME, "body").text
            assert "Không tìm thấy" not in body
            assert driver.find_element(By.CSS_SELECTOR, "main a[href$='/s/" + point["token"] + "']")
        assert db.execute("SELECT count(*) FROM responses").fetchone()[0] == 1
        db.close()


@JAVASCRIPT
def test_a_phone_that_blocks_cookies_can_answer(tmp_path, javascript):
    from selenium.webdriver.common.by import By

    with live_app(tmp_path / "instance") as (app, base):
        db = open_db(app)
        point = make_point(db)
        profile = tmp_path / "profile"
        with chromium(profile, size=PHONE, javascript=javascript, cookies=False) as driver:
            driver.get(f"{base}/s/{point['token']}")
            assert driver.get_cookies() == []
            tap_and_wait(driver, "form button.button")
            settle(driver)
            assert "/p/" in driver.current_url, driver.current_url
            # The privacy notice leads back to this very page, answers kept.
            heading = driver.find_element(By.CSS_SELECTOR, "main h1").text
            answers = tap_answers(driver)
            tap_and_wait(driver, "button[value=next]")
            settle(driver)
            second = driver.find_element(By.CSS_SELECTOR, "main h1").text
            tap_and_wait(driver, "footer a")
            assert "/privacy" in driver.current_url
            tap_and_wait(driver, "main a.back")
            page_is_the_question_page(driver, second)
            tap_and_wait(driver, "a.back")
            page_is_the_question_page(driver, heading)
            assert len(checked(driver)) == len(answers)
            for _ in range(30):
                settle(driver)
                tap_answers(driver)
                tap_and_wait(driver, "button[value=next]")
                if "/thanks" in driver.current_url:
                    break
            assert shown(driver, ".panel h1")[0].text == "Cảm ơn ông/bà đã góp ý"
            assert driver.get_cookies() == []
        assert db.execute("SELECT count(*) FROM responses").fetchone()[0] == 1
        db.close()

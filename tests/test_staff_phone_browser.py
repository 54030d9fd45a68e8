"""Ward staff follow their counts and open a point on a 360 px phone without sideways scrolling."""

import pytest

from survey.webdb import open_db
from tests.browser_support import chromium, live_app, tap_and_wait
from tests.factories import BEN_THANH, PASSWORD, make_point, make_user

pytestmark = pytest.mark.browser


def test_the_dashboard_and_a_point_fit_a_phone(tmp_path):
    from selenium.webdriver.common.by import By

    with live_app(tmp_path / "instance") as (app, base):
        db = open_db(app)
        point = make_point(db, BEN_THANH)
        user = make_user(db, "ward.staff", "ward_staff", [BEN_THANH])
        db.close()
        with chromium(tmp_path / "profile", size=(360, 640)) as driver:
            driver.get(f"{base}/staff/login?lang=en")
            driver.find_element(By.ID, "username").send_keys(user["username"])
            driver.find_element(By.ID, "password").send_keys(PASSWORD)
            tap_and_wait(driver, "main form button[type=submit]")
            for path in ("/staff/", f"/staff/points/{point['id']}"):
                driver.get(base + path)
                assert driver.find_element(By.TAG_NAME, "h1").text
                width = driver.execute_script("return document.documentElement.scrollWidth")
                assert width <= 360, f"{path} scrolls sideways on a 360 px phone ({width} px)"

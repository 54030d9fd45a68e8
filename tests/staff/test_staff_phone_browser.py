"""Ward staff use their daily pages on a 360 px phone without the page scrolling sideways."""

from datetime import date

import pytest

from survey.webdb import open_db
from tests.browser_support import chromium, live_app, tap_and_wait
from tests.factories import (
    BEN_THANH,
    HCMC,
    PASSWORD,
    make_flagged_response,
    make_margins,
    make_point,
    make_responses,
    make_user,
)

pytestmark = pytest.mark.browser


def sign_in(driver, base: str, username: str) -> None:
    """Sign in through the real form on the phone."""
    from selenium.webdriver.common.by import By

    driver.get(f"{base}/staff/login?lang=en")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    tap_and_wait(driver, "main form button[type=submit]")


def test_staff_pages_fit_a_phone(tmp_path):
    from selenium.webdriver.common.by import By

    from survey import demo, notes, points, publishing

    with live_app(tmp_path / "instance") as (app, base):
        db = open_db(app)
        demo.ensure_demo_point(db)  # on the real units, as `papi-pulse demo` makes it
        point = make_point(db, BEN_THANH)
        hall = make_point(db, BEN_THANH, "Nhà văn hóa khu phố 3", "community_hall")
        points.set_active(db, hall["id"], False)  # the widest kind and state
        make_responses(db, point, 40)
        publishing.publish(db, None, HCMC, "2026-Q1")  # also loads the shipped baselines
        make_margins(db, {BEN_THANH: {"sex": {"female": 7000, "male": 6500}}})
        user = make_user(db, "ward.staff", "ward_staff", [BEN_THANH])
        admin = make_user(db, "quan.tri", "administrator")
        make_flagged_response(db, point)
        said = "Người dân phản ánh đèn đường ở khu phố 3 bị hỏng đã lâu, buổi tối đi lại khó."
        did = "Phường đã thay 12 bóng đèn và lập tổ kiểm tra đèn đường hằng tháng."
        notes.write(db, user, BEN_THANH, "d6", said, did, date(2026, 2, 1), "UBND phường")
        db.close()
        pages = {
            user["username"]: (
                "/staff/",
                "/staff/points/",
                f"/staff/points/{point['id']}",
                "/staff/notes/",
                "/staff/review/",
            ),
            admin["username"]: (
                "/staff/users/",
                "/staff/audit/",
                "/staff/points/",
                "/staff/publish/",
                "/staff/analysis/margins",
                "/staff/analysis/baselines",
            ),
        }
        for username, paths in pages.items():
            with chromium(tmp_path / username, size=(360, 640)) as driver:
                sign_in(driver, base, username)
                for path in paths:
                    driver.get(base + path)
                    assert driver.find_element(By.TAG_NAME, "h1").text
                    width = driver.execute_script("return document.documentElement.scrollWidth")
                    assert width <= 360, f"{path} scrolls sideways on a 360 px phone ({width} px)"

"""A citizen completes v2 with JavaScript off, at the longest rotation, in about five minutes."""

import json
from itertools import combinations

import pytest
from test_citizen_browser import settle, tap_answers

from survey.questionnaire import catalogue, get
from survey.questionnaire.timing import estimate_seconds, items_seconds
from survey.webdb import open_db
from tests.browser_support import chromium, live_app, tap_and_wait
from tests.factories import make_point

pytestmark = pytest.mark.browser


def longest_rotation(q) -> tuple[str, str]:
    """Return the two rotating modules that take longest with every follow-up shown."""

    def cost(module):
        return sum(items_seconds(page.items) for page in module.pages)

    return max(combinations(q.rotating_modules, 2), key=lambda pair: sum(map(cost, pair)))


def test_no_js_citizen_completes_v2_at_the_longest_rotation(tmp_path):
    """Every page names the unit, none shows a {placeholder}, the answers are stored as v2."""
    from selenium.webdriver.common.by import By

    v2 = get("papi-pulse-core", 2)
    assert catalogue.current_questionnaire("papi-pulse-core") is v2  # no pin needed: current
    wanted = {m.id for m in longest_rotation(v2)}
    with live_app(tmp_path / "instance") as (app, base):
        db = open_db(app)
        point = make_point(db)
        # Rotation shows the least-shown modules: make every other one look well used.
        with db.atomic():
            for module in v2.rotating_modules:
                db.execute(
                    "INSERT INTO module_counts (questionnaire_id, questionnaire_version,"
                    " module_id, shown) VALUES ('papi-pulse-core', 2, ?, ?)",
                    [module.id, 0 if module.id in wanted else 100],
                )
        with chromium(tmp_path / "profile", size=(360, 640), javascript=False) as driver:
            driver.get(f"{base}/s/{point['token']}")
            tap_and_wait(driver, "form button.button")
            clicked, pages = {}, 0
            while "/thanks" not in driver.current_url and pages < 40:
                settle(driver)
                main = driver.find_element(By.TAG_NAME, "main").text
                assert "{" not in main, main
                clicked.update(tap_answers(driver))
                tap_and_wait(driver, "button[value=next]")
                pages += 1
            settle(driver, ".panel")
            assert "Cảm ơn ông/bà đã góp ý" in driver.find_element(By.TAG_NAME, "h1").text
        rows = list(db.query("SELECT questionnaire_version, modules, answers FROM responses"))
        db.close()
    assert len(rows) == 1 and rows[0]["questionnaire_version"] == 2
    modules = json.loads(rows[0]["modules"])
    assert wanted <= set(modules)
    assert json.loads(rows[0]["answers"]) == clicked
    assert estimate_seconds(v2, modules, clicked) <= 5 * 60

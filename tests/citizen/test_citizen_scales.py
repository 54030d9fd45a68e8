"""Scales read as words: every point's label, the ends of a bare scale, one choice per line."""

import pytest
from bs4 import BeautifulSoup
from citizen_helpers import walk_to

from survey.questionnaire import get
from tests.browser_support import chromium, live_app
from tests.factories import make_point

LIKERT, BARE_LIKERT, RATING = "sipas_access", "information_easy", "health_station_rating"
PAGES = {LIKERT: "today", BARE_LIKERT: "transparency_public", RATING: "services_health"}
# v1 has the scale shapes these tests need (a bare 1-5 scale, a 0-10 rating); v2 labels every
# point of its scales. The app is pinned to v1 so that its citizen pages show them.
V1 = get("papi-pulse-core", 1)
pytestmark = pytest.mark.usefixtures("pin_v1")


@pytest.fixture(autouse=True)
def every_module(monkeypatch):
    """Draw every module, so that every scale page can be reached."""
    monkeypatch.setattr(
        "survey.responses.choose_modules",
        lambda questionnaire, counts: [m.id for m in questionnaire.modules],
    )


def labels(html: str, item_id: str) -> list[str]:
    """Return the texts of an item's choice labels, in order, as the page shows them."""
    soup = BeautifulSoup(html, "html.parser")
    found = soup.select(f"#{item_id}-group label")
    return [" ".join(label.get_text(" ").split()) for label in found]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_likert_item_shows_every_label_it_defines(client, db, lang):
    item = V1.items[LIKERT]
    page = walk_to(
        client, make_point(db)["token"], PAGES[LIKERT], headers={"Accept-Language": lang}
    )
    expected = [option.label(lang) for option in item.options + item.special]
    assert len(set(expected)) == 5 and expected[0] not in "12345"
    assert labels(page.text, LIKERT) == expected


@pytest.mark.parametrize(("item_id", "low", "high"), [(BARE_LIKERT, "1", "5"), (RATING, "0", "10")])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_scale_without_point_labels_names_its_ends_in_the_labels(
    client, db, item_id, low, high, lang
):
    item = V1.items[item_id]
    page = walk_to(
        client, make_point(db)["token"], PAGES[item_id], headers={"Accept-Language": lang}
    )
    shown = labels(page.text, item_id)
    points = [o.code for o in item.options]
    middle = points[1:-1]
    special = [o.label(lang) for o in item.special]
    assert shown == [f"{low} – {item.low(lang)}", *middle, f"{high} – {item.high(lang)}", *special]
    soup = BeautifulSoup(page.text, "html.parser")
    group = soup.select_one(f"#{item_id}-group")
    assert group.fieldset.legend.get_text(" ", strip=True).startswith(item.text(lang))
    # Nothing a screen reader would skip: the end labels are in the labels, not beside them.
    assert not group.select("[aria-hidden]")


SCALE_CHECK = """
const scales = arguments[0], out = {scroll: document.documentElement.scrollWidth,
  width: window.innerWidth, labels: []};
for (const id of scales) {
  for (const label of document.querySelectorAll('#' + id + '-group label')) {
    const box = label.getBoundingClientRect();
    let broken = [];
    const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const re = /\\S+/g;
      for (let m = re.exec(node.data); m; m = re.exec(node.data)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        if (range.getClientRects().length > 1) broken.push(m[0]);
      }
    }
    out.labels.push({id: label.htmlFor, text: label.innerText, left: box.left,
      right: box.right, height: box.height, broken: broken});
  }
}
return out;
"""


@pytest.mark.browser
@pytest.mark.parametrize("width", [320, 360])
def test_scale_labels_fit_a_small_phone_without_breaking_words(tmp_path, width):
    from selenium.webdriver.common.by import By

    questionnaire = V1
    with live_app(tmp_path / "instance") as (app, base):
        app.config["WTF_CSRF_ENABLED"] = False
        app.config["QUESTIONNAIRE"] = "papi-pulse-core:1"
        from survey.webdb import open_db

        db = open_db(app)
        token = make_point(db)["token"]
        db.close()
        urls = {}
        client = app.test_client()
        for page_id in sorted(set(PAGES.values())):
            page = walk_to(client, token, page_id)
            state = BeautifulSoup(page.text, "html.parser").find("input", attrs={"name": "state"})
            urls[page_id] = f"{base}/s/{token}/p/{page_id}?d={state['value']}"
        with chromium(tmp_path / "profile", size=(width, 640)) as driver:
            for page_id, url in urls.items():
                driver.get(url)
                driver.find_element(By.CSS_SELECTOR, "button[value=next]")
                scales = [i for i, p in PAGES.items() if p == page_id]
                seen = driver.execute_script(SCALE_CHECK, scales)
                assert seen["scroll"] <= width, f"{page_id} scrolls sideways at {width} px"
                assert seen["width"] == width
                for scale in scales:
                    item = questionnaire.items[scale]
                    shown = [x["text"] for x in seen["labels"] if x["id"].startswith(scale + "-")]
                    wanted = [o.label("vi") for o in item.options + item.special]
                    if wanted[0] == item.options[0].code:
                        wanted[0] += " – " + item.low("vi")
                        wanted[len(item.options) - 1] += " – " + item.high("vi")
                    assert shown == wanted, page_id
                for label in seen["labels"]:
                    where = f"{label['id']} at {width} px"
                    assert 0 <= label["left"] and label["right"] <= width, where
                    assert label["height"] >= 44, where
                    assert not label["broken"], f"{where}: {label['broken']} broken across lines"

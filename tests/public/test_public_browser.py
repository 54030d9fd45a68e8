"""Every kind of public results page in real Chromium on a 320 px phone: axe, Nu checker, width.

One Chromium opens each page (Vietnamese and English): the national and province indexes
(listed, searched, empty), a ward with notes and a photo, a small ward, an unpublished ward,
the method, and the 404s. Each must have no axe violation at any impact, no Nu HTML checker
error, no sideways scrolling at 320 px, and weigh under 14.6 KB gzip with its CSS. A page
opened again is revalidated (304) and must still be styled: the kept copy's nonce must be the
one the 304's Content-Security-Policy allows.
"""

import gzip
import io
from datetime import date

import pytest

from survey import notes, publishing
from survey.public import cache
from survey.webdb import open_db
from tests import page_checks
from tests.browser_support import chromium, live_app
from tests.factories import BEN_THANH, HANOI, HCMC, HOAN_KIEM, SAI_GON, make_responses, make_world

pytestmark = pytest.mark.browser

PHONE = 320  # px: the narrowest phone still sold (WCAG 1.4.10 reflow is tested at 320 CSS px)
MAX_GZIP = 14_600  # the first TCP round trip: 10 segments of 1460 bytes
PAGES = {
    "national index": "/ket-qua/",
    "national search": "/ket-qua/?q=ho+chi",
    "national search, nothing found": "/ket-qua/?q=zzz",
    "province index": f"/ket-qua/tinh/{HCMC}",
    "province search": f"/ket-qua/tinh/{HCMC}?q=ben+thanh",
    "province search, nothing found": f"/ket-qua/tinh/{HCMC}?q=zzz",
    "province with nothing published": f"/ket-qua/tinh/{HANOI}",
    "ward with notes and a photo": f"/ket-qua/{BEN_THANH}",
    "ward, one quarter": f"/ket-qua/{BEN_THANH}/2026-Q1",
    "ward with too few answers": f"/ket-qua/{SAI_GON}",
    "ward with nothing published": f"/ket-qua/{HOAN_KIEM}",
    "method": "/ket-qua/cach-tinh",
    "404 ward": "/ket-qua/99999",
    "404 period": f"/ket-qua/{BEN_THANH}/2025-Q4",
    "404 province": "/ket-qua/tinh/99",
}


def photo() -> bytes:
    """Return a small JPEG, as a phone would upload."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (640, 480), (120, 160, 90)).save(out, "JPEG")
    return out.getvalue()


def seed(db) -> None:
    """Publish 2026-Q1 of Hồ Chí Minh City with two approved notes at Bến Thành, one pictured."""
    world = make_world(db)
    make_responses(db, world["point"], 40)
    make_responses(db, world["other_point"], 12)
    publishing.publish(db, world["users"]["province_manager"], HCMC, "2026-Q1")
    written = [
        notes.write(
            db,
            None,
            BEN_THANH,
            "d5",
            "Quầy Một cửa không có ghế, người già phải đứng chờ.",
            "Chúng tôi đã thêm 12 ghế và một bình nước.",
            date(2025, 12, 20),
            "Bộ phận Một cửa, UBND phường",
            photo=photo(),
        ),
        notes.write(
            db,
            None,
            BEN_THANH,
            "d6",
            "Đường Lê Lợi ngập mỗi khi mưa lớn.",
            "Đã khơi thông cống thoát nước.",
            date(2026, 4, 2),
            "UBND phường",
        ),
    ]
    for note in written:
        notes.decide(db, world["users"]["province_manager"], note["id"], "approved")


def with_lang(path: str, lang: str) -> str:
    """Return the path asking for a language explicitly."""
    return f"{path}{'&' if '?' in path else '?'}lang={lang}"


def styled(driver) -> bool:
    """Tell whether the page's inline CSS applied (the citizen layout's and the public one)."""
    return driver.execute_script(
        "const top = getComputedStyle(document.querySelector('header.top'));"
        "const list = document.querySelector('.figures');"
        "return top.display !== 'inline' && top.backgroundColor !== 'rgba(0, 0, 0, 0)'"
        " && (!list || getComputedStyle(list).listStyleType === 'none');"
    )


@pytest.fixture(scope="module")
def shown(tmp_path_factory):
    """Open every page in both languages on a 320 px phone; return what was found."""
    page_checks.need_checkers()
    tmp = tmp_path_factory.mktemp("public")
    cache.clear()
    found, revisit = {}, {}
    with live_app(tmp / "instance") as (app, base):
        recorder = page_checks.Recorder(app.wsgi_app)
        app.wsgi_app = recorder
        db = open_db(app)
        try:
            seed(db)
        finally:
            db.close()
        with chromium(tmp / "chromium", size=(PHONE, 640)) as driver:
            for name, path in PAGES.items():
                for lang in ("vi", "en"):
                    url = with_lang(path, lang)
                    mark = len(recorder.seen)
                    driver.get(base + url)
                    served = recorder.first_since(mark, "GET", url, html=True)
                    found[(name, lang)] = {
                        "status": served["status"],
                        "html": served["html"],
                        "lang": driver.find_element("tag name", "html").get_attribute("lang"),
                        "width": driver.execute_script(
                            "return document.documentElement.scrollWidth"
                        ),
                        "styled": styled(driver),
                        "violations": page_checks.run_axe(driver),
                    }
            url = f"/ket-qua/{BEN_THANH}?lang=vi"
            mark = len(recorder.seen)
            driver.get(base + url)
            driver.get(base + url)
            revisit["statuses"] = [r["status"] for r in recorder.seen[mark:] if r["path"] == url]
            revisit["styled"] = styled(driver)
            revisit["text"] = driver.find_element("tag name", "main").text
    cache.clear()
    folder = tmp / "html"
    folder.mkdir()
    saved = {}
    for number, (key, page) in enumerate(found.items()):
        path = folder / f"{number:02d}.html"
        path.write_bytes(page["html"])
        saved[path] = key
    errors = {saved[path]: problems for path, problems in page_checks.run_vnu(list(saved)).items()}
    return {"pages": found, "errors": errors, "revisit": revisit}


def test_every_page_kind_was_shown_with_its_status(shown):
    statuses = {key: page["status"] for key, page in shown["pages"].items()}
    expected = {
        (name, lang): 404 if name.startswith("404") else 200
        for name in PAGES
        for lang in ("vi", "en")
    }
    assert statuses == expected
    assert {(key, page["lang"]) for key, page in shown["pages"].items()} == {
        (key, key[1]) for key in expected
    }
    ward = shown["pages"][("ward with notes and a photo", "vi")]["html"].decode()
    assert 'img class="photo"' in ward and "12 ghế" in ward and "khơi thông" in ward


def test_no_axe_violation_at_any_impact(shown):
    found = {
        key: [f"{v['id']} ({v['impact']}): {', '.join(v['targets'])}" for v in page["violations"]]
        for key, page in shown["pages"].items()
        if page["violations"]
    }
    assert found == {}


def test_every_page_is_valid_html(shown):
    assert {key: errors for key, errors in shown["errors"].items() if errors} == {}


def test_no_page_scrolls_sideways_at_320_px_and_all_are_styled(shown):
    wide = {key: page["width"] for key, page in shown["pages"].items() if page["width"] > PHONE}
    assert wide == {}
    assert [key for key, page in shown["pages"].items() if not page["styled"]] == []


def test_every_page_fits_the_first_round_trip_with_its_css(shown):
    heavy = {
        key: size
        for key, page in shown["pages"].items()
        if (size := len(gzip.compress(page["html"], 9))) >= MAX_GZIP
    }
    assert heavy == {}
    # The CSS is inline: it is in the bytes weighed above.
    ward = shown["pages"][("ward with notes and a photo", "vi")]["html"]
    assert b".figures{" in ward and b'<link rel="stylesheet"' not in ward


def test_a_page_opened_again_is_revalidated_and_still_styled(shown):
    revisit = shown["revisit"]
    assert revisit["statuses"][-1] == 304, revisit["statuses"]
    assert revisit["styled"]
    assert "40 người đã trả lời." in revisit["text"]

"""Public results pages: what a citizen reads, what must never appear, weight, HTML, 404s."""

import gzip
import re

import html5lib
import pytest
from bs4 import BeautifulSoup

from survey import publishing
from survey.public import cache
from tests.factories import (
    BEN_THANH,
    HANOI,
    HCMC,
    OTHER_POINT,
    SAI_GON,
    SECRET_POINT,
    make_responses,
)

# The first TCP round trip (10 segments of 1460 bytes), as for the citizen pages.
MAX_GZIP = 14_600


@pytest.fixture(autouse=True)
def fresh_cache():
    """Start and end every test without rendered copies."""
    cache.clear()
    yield
    cache.clear()


def published(db, world, count=40):
    """Store answers at Bến Thành (and a few at Sài Gòn) and publish 2026-Q1."""
    make_responses(db, world["point"], count)
    make_responses(db, world["other_point"], 12)
    return publishing.publish(db, world["users"]["province_manager"], HCMC, "2026-Q1")


def soup_of(response):
    """Return the parsed page."""
    return BeautifulSoup(response.data, "html.parser")


def test_ward_page_says_how_many_answered_and_each_area_in_words(app, client, db, world):
    pub = published(db, world)
    response = client.get(f"/ket-qua/{BEN_THANH}")
    assert response.status_code == 200
    soup = soup_of(response)
    assert soup.html["lang"] == "vi"
    assert "Phường Bến Thành" in soup.h1.text
    assert "40 người đã trả lời." in soup.text
    items = soup.select(".figures li")
    assert len(items) == 9
    lines = pub["snapshot"]["wards"][BEN_THANH]["lines"]
    shown = [key for key in publishing.LINES if lines[key]["shown"]]
    assert shown
    first = lines[shown[0]]
    index = publishing.LINES.index(shown[0])
    text = items[index].text
    lower = f"{first['lower']:.1f}".replace(".", ",")
    upper = f"{first['upper']:.1f}".replace(".", ",")
    assert f"khoảng {lower} đến {upper}" in text
    assert items[index].select_one("svg.bar")


def test_english_switch(app, client, db, world):
    published(db, world)
    soup = soup_of(client.get(f"/ket-qua/{BEN_THANH}?lang=en"))
    assert soup.html["lang"] == "en"
    assert "40 people answered." in soup.text
    assert soup.select_one(".lang a")["href"] == "?lang=vi"


def test_suppressed_lines_and_small_wards_show_no_figure(app, client, db, world, monkeypatch):
    real = publishing.estimates.run

    def suppress_d3(*args, **kwargs):
        for values in real(*args, **kwargs):
            row = dict(zip(publishing.estimates.COLUMNS, values, strict=True))
            if row["key"] == "d3":
                row["shown"], row["flag"], row["estimate"] = 0, "suppressed_width", 7.777
            yield tuple(row.values())

    monkeypatch.setattr(publishing.estimates, "run", suppress_d3)
    published(db, world)
    soup = soup_of(client.get(f"/ket-qua/{BEN_THANH}?lang=en"))
    d3 = soup.select(".figures li")[publishing.LINES.index("d3")]
    assert "Not enough reliable answers to give a figure." in d3.text
    assert not d3.select("svg") and d3.p.text == "Not enough reliable answers to give a figure."
    assert "7.777" not in db.execute("SELECT snapshot FROM publications").fetchone()[0]
    small = soup_of(client.get(f"/ket-qua/{SAI_GON}?lang=en"))
    assert "Fewer than 30 people answered" in small.text
    assert not small.select(".figures") and "12" not in small.select_one("main").text


def test_nothing_unpublished_or_identifying_appears(app, client, db, world):
    make_responses(db, world["other_point"], 40)
    before = soup_of(client.get(f"/ket-qua/{BEN_THANH}?lang=en"))
    assert "No results have been published for this ward yet." in before.text
    assert not before.select(".figures")
    published(db, world)
    make_responses(db, world["point"], 40, day="2026-05-10")  # 2026-Q2: not published
    response = client.get(f"/ket-qua/{BEN_THANH}?lang=vi")
    body = response.get_data(as_text=True)
    assert soup_of(response).select_one("main p strong").text == "40 người đã trả lời."
    assert client.get(f"/ket-qua/{BEN_THANH}/2026-Q2").status_code == 404
    assert client.get(f"/ket-qua/{BEN_THANH}/2026-Q1").status_code == 200
    for secret in (SECRET_POINT, OTHER_POINT, world["point"]["token"], "Số 1 Lê Lợi"):
        assert secret not in body


def test_published_page_is_stable_and_a_correction_says_so(app, client, db, world):
    published(db, world)
    first = client.get(f"/ket-qua/{BEN_THANH}").get_data(as_text=True)
    make_responses(db, world["point"], 30, seed=11)
    again = client.get(f"/ket-qua/{BEN_THANH}").get_data(as_text=True)
    assert "40 người đã trả lời." in again
    assert not BeautifulSoup(again, "html.parser").select(".notice")
    assert soup_of(client.get(f"/ket-qua/{BEN_THANH}")).select(".figures li")[0].text == (
        BeautifulSoup(first, "html.parser").select(".figures li")[0].text
    )
    publishing.publish(db, world["users"]["administrator"], HCMC, "2026-Q1")
    cache.clear()
    corrected = soup_of(client.get(f"/ket-qua/{BEN_THANH}?lang=en"))
    assert "70 people answered." in corrected.text
    assert "corrected after they were first published" in corrected.select_one(".notice").text


@pytest.mark.parametrize(
    "url",
    [
        "/ket-qua/99999",
        "/ket-qua/%3Cscript%3E",
        f"/ket-qua/{BEN_THANH}/2026-Q9",
        f"/ket-qua/{BEN_THANH}/2025-Q4",
        "/ket-qua/tinh/99",
    ],
)
def test_unknown_ward_province_or_period_is_a_vietnamese_404(app, client, db, world, url):
    published(db, world)
    response = client.get(url)
    assert response.status_code == 404
    assert soup_of(response).h1.text == "Không tìm thấy trang"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_pages_are_valid_html_within_one_round_trip(app, client, db, world, lang):
    published(db, world)
    parser = html5lib.HTMLParser(strict=True)
    for url in (
        f"/ket-qua/{BEN_THANH}",
        f"/ket-qua/{SAI_GON}",
        "/ket-qua/tinh/79",
        "/ket-qua/cach-tinh",
    ):
        response = client.get(f"{url}?lang={lang}")
        assert response.status_code == 200, url
        parser.parse(response.data)
        assert len(gzip.compress(response.data, 9)) < MAX_GZIP, url
        assert b"<script" not in response.data


def test_open_graph_title_and_description(app, client, db, world):
    published(db, world)
    soup = soup_of(client.get(f"/ket-qua/{BEN_THANH}"))
    assert soup.select_one('meta[property="og:title"]')["content"].startswith(
        "Kết quả khảo sát: Phường Bến Thành"
    )
    description = soup.select_one('meta[property="og:description"]')["content"]
    assert description.startswith("40 người đã trả lời trong quý 1 năm 2026.")
    assert soup.select_one('meta[property="og:url"]')["content"] == (
        f"https://khaosat.example.vn/ket-qua/{BEN_THANH}"
    )
    assert not soup.select('meta[property="og:image"]')


def test_open_graph_address_of_the_english_page_opens_it_in_english(app, client, db, world):
    published(db, world)
    english = soup_of(client.get(f"/ket-qua/{BEN_THANH}?lang=en&utm_source=zalo"))
    url = english.select_one('meta[property="og:url"]')["content"]
    assert url == f"https://khaosat.example.vn/ket-qua/{BEN_THANH}?lang=en"
    shared = soup_of(app.test_client().get(url.removeprefix("https://khaosat.example.vn")))
    assert shared.html["lang"] == "en"


@pytest.mark.parametrize("query", ["bến thành", "ben thanh", "BEN"])
def test_province_index_lists_wards_with_results_with_or_without_accents(
    app, client, db, world, query
):
    published(db, world)
    soup = soup_of(client.get("/ket-qua/tinh/79", query_string={"q": query}))
    links = [a["href"] for a in soup.select("main ul a")]
    assert links == [f"/ket-qua/{BEN_THANH}"]  # Sài Gòn has too few answers to be listed
    everyone = soup_of(client.get("/ket-qua/tinh/79"))
    assert [a.text for a in everyone.select("main ul a")] == ["Phường Bến Thành"]
    hanoi = soup_of(client.get(f"/ket-qua/tinh/{HANOI}"))
    assert "Tỉnh, thành phố này chưa công bố kết quả nào." in hanoi.text


def test_served_from_the_rendered_copy_without_the_engine(app, client, db, world, monkeypatch):
    published(db, world)

    def refuse(*args, **kwargs):
        raise AssertionError("the public page loaded the estimates engine")

    monkeypatch.setattr(publishing.estimates, "run", refuse)
    first = client.get(f"/ket-qua/{BEN_THANH}")
    assert first.status_code == 200 and cache.size() == 1
    monkeypatch.setattr(publishing, "get_publication", refuse)
    second = client.get(f"/ket-qua/{BEN_THANH}")
    assert second.status_code == 200
    assert (
        soup_of(second).select(".figures li")[0].text
        == soup_of(first).select(".figures li")[0].text
    )
    # The copy is the same bytes each time, with its own nonce in the header and the page.
    assert second.data == first.data
    nonce = second.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert nonce == first.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in second.get_data(as_text=True)


def test_a_citizen_finishes_follows_the_thanks_link_and_reads_the_results(app, db, world):
    """No JavaScript: answer every page, then the thank-you page leads to the ward's results."""
    from tests.citizen.citizen_helpers import complete

    published(db, world)
    client = app.test_client()
    complete(client, world["point"]["token"])
    thanks = soup_of(client.get(f"/s/{world['point']['token']}/thanks"))
    link = next(a for a in thanks.select("main a") if "/ket-qua/" in a["href"])
    assert link.text == "Xem bà con ở phường Bến Thành đã nói gì"
    results = client.get(link["href"])
    assert results.status_code == 200
    soup = soup_of(results)
    assert "Phường Bến Thành" in soup.h1.text and "40 người đã trả lời." in soup.text
    assert len(soup.select(".figures li")) == 9


def nonce_of(response) -> str:
    """Return the CSP nonce a response allows."""
    return response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]


@pytest.mark.parametrize(
    "url", [f"/ket-qua/{BEN_THANH}", "/ket-qua/tinh/79", "/ket-qua/", "/ket-qua/cach-tinh"]
)
def test_pages_are_kept_by_browsers_and_revalidated_with_304(app, db, world, url):
    published(db, world)
    client = app.test_client()
    first = client.get(url)
    assert first.status_code == 200 and first.headers["ETag"].startswith('"')
    assert first.headers["Cache-Control"] == "public, no-cache"
    assert {"Accept-Language", "Cookie"} <= set(first.vary)
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    # The browser keeps its copy and takes the 304's policy: it must allow the kept nonce.
    assert nonce_of(again) == nonce_of(first)
    assert f'nonce="{nonce_of(again)}"'.encode() in first.data
    head = client.head(url, headers={"If-None-Match": first.headers["ETag"]})
    assert head.status_code == 304


def test_another_worker_answers_the_same_etag_and_nonce(app, db, world, monkeypatch):
    """Workers draw their own copies: the ETag and nonce depend on the page, not the worker."""
    published(db, world)
    first = app.test_client().get(f"/ket-qua/{BEN_THANH}")
    cache.clear()
    monkeypatch.setattr(cache, "NONCE_MARKER", "nonce" + "0" * 16)
    other = app.test_client().get(
        f"/ket-qua/{BEN_THANH}", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert other.status_code == 304 and nonce_of(other) == nonce_of(first)


def test_a_new_publication_or_note_changes_the_etag(app, db, world):
    from datetime import date

    from survey import notes

    published(db, world)
    client = app.test_client()
    first = client.get(f"/ket-qua/{BEN_THANH}")
    make_responses(db, world["point"], 30, seed=11)
    publishing.publish(db, world["users"]["administrator"], HCMC, "2026-Q1")
    # Another worker published: this one's copies stay, yet the key has changed.
    corrected = client.get(
        f"/ket-qua/{BEN_THANH}", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert corrected.status_code == 200
    assert "70 người đã trả lời." in corrected.get_data(as_text=True)
    assert corrected.headers["ETag"] != first.headers["ETag"]
    note = notes.write(
        db, None, BEN_THANH, "d6", "Đường ngập", "Đã khơi thông cống", date(2026, 2, 1), "UBND"
    )
    tag = corrected.headers["ETag"]
    assert client.get(f"/ket-qua/{BEN_THANH}", headers={"If-None-Match": tag}).status_code == 304
    notes.decide(db, world["users"]["province_manager"], note["id"], "approved")
    noted = client.get(f"/ket-qua/{BEN_THANH}", headers={"If-None-Match": tag})
    assert noted.status_code == 200 and "khơi thông" in noted.get_data(as_text=True)


def test_each_language_has_its_own_etag(app, db, world):
    published(db, world)
    vi = app.test_client().get(f"/ket-qua/{BEN_THANH}")
    en = app.test_client().get(
        f"/ket-qua/{BEN_THANH}",
        headers={"Accept-Language": "en", "If-None-Match": vi.headers["ETag"]},
    )
    assert en.status_code == 200 and soup_of(en).html["lang"] == "en"
    assert en.headers["ETag"] != vi.headers["ETag"]


def test_a_page_that_sets_the_language_cookie_is_private(app, db, world):
    """?lang= keeps the choice in the session cookie: no shared cache may keep that answer."""
    published(db, world)
    client = app.test_client()
    chosen = client.get(f"/ket-qua/{BEN_THANH}?lang=en")
    assert "Set-Cookie" in chosen.headers
    assert chosen.headers["Cache-Control"] == "private, no-cache"
    later = client.get(f"/ket-qua/{BEN_THANH}")  # the cookie says English
    assert soup_of(later).html["lang"] == "en"
    assert later.headers["Cache-Control"] == "private, no-cache"


def test_a_search_is_not_kept(app, db, world):
    published(db, world)
    response = app.test_client().get("/ket-qua/tinh/79?q=ben")
    assert response.headers["Cache-Control"] == "no-store" and "ETag" not in response.headers
    assert cache.size() == 0


def test_national_index_lists_published_provinces_and_is_linked_from_each(app, db, world):
    empty = soup_of(app.test_client().get("/ket-qua/?lang=en"))
    assert "No results have been published yet." in empty.text
    published(db, world)
    client = app.test_client()
    soup = soup_of(client.get("/ket-qua/"))
    assert soup.h1.text == "Kết quả khảo sát theo tỉnh, thành phố"
    links = soup.select("main ul a")
    assert [(a.text, a["href"]) for a in links] == [("Thành phố Hồ Chí Minh", "/ket-qua/tinh/79")]
    assert "quý 1 năm 2026" in soup.select_one("main ul li").text
    hanoi = soup_of(client.get(f"/ket-qua/tinh/{HANOI}"))
    for page in (soup_of(client.get("/ket-qua/tinh/79")), hanoi):
        assert page.select_one("main a[href='/ket-qua/']").text == "Các tỉnh, thành phố khác"
    og = {m["property"]: m["content"] for m in soup.select("meta[property^='og:']")}
    assert og["og:title"].startswith("Kết quả khảo sát theo tỉnh, thành phố")
    assert og["og:description"].startswith("Tìm tỉnh, thành phố")
    assert og["og:url"] == "https://khaosat.example.vn/ket-qua/"


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("hồ chí minh", True),
        ("ho chi minh", True),
        ("HO CHI", True),
        ("  minh  ", True),
        ("hà nội", False),  # not published
        ("%", False),
        ("<script>", False),
        ("x" * 500, False),
    ],
)
def test_national_index_is_searchable_with_or_without_accents(app, db, world, query, found):
    published(db, world)
    response = app.test_client().get("/ket-qua/", query_string={"q": query, "lang": "en"})
    assert response.status_code == 200
    soup = soup_of(response)
    links = [a["href"] for a in soup.select("main ul a")]
    assert links == (["/ket-qua/tinh/79"] if found else [])
    if not found:
        shown = query.strip()[:80]
        assert f"No province or city with results matches “{shown}”." in soup.text
    assert b"<script>" not in response.data


def reachable(client, start: str) -> dict[str, str]:
    """Follow every link under /ket-qua/ from start; return each page's text by path."""
    seen, queue = {}, [start]
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        response = client.get(path)
        assert response.status_code == 200, path
        if response.mimetype != "text/html":
            seen[path] = ""
            continue
        seen[path] = response.get_data(as_text=True)
        for a in soup_of(response).select("a[href]"):
            href = a["href"]
            if href.startswith("?"):
                href = path.split("?")[0] + href
            if href.startswith("/ket-qua/") and href not in seen:
                queue.append(href)
    return seen


def test_no_public_page_shows_an_unpublished_quarter_a_hidden_figure_or_note(
    app, db, world, monkeypatch
):
    """Every page a visitor can reach by links, in both languages: nothing that is not public."""
    from datetime import date

    from survey import notes

    real = publishing.estimates.run

    def suppress_d3(*args, **kwargs):
        for values in real(*args, **kwargs):
            row = dict(zip(publishing.estimates.COLUMNS, values, strict=True))
            if row["key"] == "d3":
                # Off the scale (1 to 10), so that no other figure prints as 0,1.
                row["shown"], row["estimate"], row["ci_lower"] = 0, 0.123, 0.111
            yield tuple(row.values())

    monkeypatch.setattr(publishing.estimates, "run", suppress_d3)
    published(db, world)
    make_responses(db, world["point"], 53, day="2026-05-10")  # 2026-Q2, never published
    manager = world["users"]["province_manager"]
    kept = notes.write(db, None, BEN_THANH, "d5", "Ghế", "Thêm ghế", date(2026, 1, 5), "UBND")
    notes.decide(db, manager, kept["id"], "approved")
    pending = notes.write(
        db, None, BEN_THANH, "d6", "Ngập", "Chờ duyệt ĐANGCHỜ", date(2026, 1, 6), "UBND"
    )
    rejected = notes.write(
        db, None, BEN_THANH, "d7", "Rác", "Bị từ chối BỊLOẠI", date(2026, 1, 7), "UBND"
    )
    notes.decide(db, manager, rejected["id"], "rejected")
    pages = {}
    for lang in ("vi", "en"):
        client = app.test_client()
        client.get(f"/ket-qua/?lang={lang}")  # the choice is kept for the links followed
        pages |= {f"{lang} {path}": html for path, html in reachable(client, "/ket-qua/").items()}
    assert {f"vi /ket-qua/{BEN_THANH}", "vi /ket-qua/tinh/79", "en /ket-qua/cach-tinh"} <= set(
        pages
    )
    forbidden = (
        "53 người", "53 people", "quý 2 năm 2026", "quarter 2 of 2026", "2026-Q2",
        "ĐANGCHỜ", "BỊLOẠI", SECRET_POINT, OTHER_POINT,
    )  # fmt: skip
    found = {(page, word) for page, html in pages.items() for word in forbidden if word in html}
    assert found == set()
    hidden = re.compile(r"(?<![\d,.])0[,.]1(?!\d)")
    assert [page for page, html in pages.items() if hidden.search(html)] == []
    assert "Thêm ghế" in pages[f"vi /ket-qua/{BEN_THANH}"]
    assert app.test_client().get(f"/ket-qua/{BEN_THANH}/2026-Q2").status_code == 404
    assert pending["status"] == "pending"


def test_a_correction_of_an_earlier_quarter_changes_the_kept_ward_page(app, db, world):
    """The page of the latest quarter also shows the quarter before (its change words, a
    note's figure): correcting that quarter must not leave other workers' copies as they were.
    """
    from datetime import date

    from survey import notes

    published(db, world)
    note = notes.write(db, None, BEN_THANH, "d5", "Ghế", "Thêm ghế", date(2025, 12, 1), "UBND")
    notes.decide(db, world["users"]["province_manager"], note["id"], "approved")
    make_responses(db, world["point"], 40, day="2026-05-10")
    publishing.publish(db, world["users"]["administrator"], HCMC, "2026-Q2")
    client = app.test_client()
    kept = client.get(f"/ket-qua/{BEN_THANH}")
    # Another worker corrects 2026-Q1 (this one's copies stay): far fewer answers count now.
    with db.atomic():
        db.execute("UPDATE responses SET review_status = 'excluded' WHERE submitted_at < '2026-04'")
    make_responses(db, world["point"], 31, seed=11)
    publishing.publish(db, world["users"]["administrator"], HCMC, "2026-Q1")
    served = client.get(f"/ket-qua/{BEN_THANH}", headers={"If-None-Match": kept.headers["ETag"]})
    cache.clear()
    drawn = app.test_client().get(f"/ket-qua/{BEN_THANH}")
    assert drawn.data != kept.data  # the correction shows on the page
    assert served.status_code == 200 and served.data == drawn.data


def switch_href(response) -> str:
    """Return the language switch link of a page."""
    return soup_of(response).select_one(".lang a")["href"]


@pytest.mark.parametrize(
    ("url", "switch"),
    [
        ("/ket-qua/?q=ho+chi&lang=vi", "?q=ho+chi&lang=en"),
        ("/ket-qua/tinh/79?q=ben&lang=vi", "?q=ben&lang=en"),
        ("/ket-qua/tinh/79?q=ben&lang=en&utm_source=zalo", "?q=ben&lang=vi"),
    ],
)
def test_the_language_switch_keeps_the_search_and_nothing_else(app, db, world, url, switch):
    published(db, world)
    assert switch_href(app.test_client().get(url)) == switch


@pytest.mark.parametrize("path", ["/ket-qua/", "/ket-qua/tinh/79", f"/ket-qua/{BEN_THANH}"])
def test_a_kept_copy_is_the_same_whatever_query_came_first(app, db, world, path):
    published(db, world)
    first = app.test_client().get(f"{path}?lang=en&utm_source=zalo&q=")
    assert switch_href(first) == "?lang=vi"
    assert cache.size() == 1
    plain = app.test_client().get(f"{path}?lang=en")
    assert plain.data == first.data and plain.headers["ETag"] == first.headers["ETag"]


def test_the_nonce_is_not_an_hmac_under_the_secret_key_itself():
    """The secret key signs sessions too: the nonce uses a key derived for this purpose only."""
    import hashlib
    import hmac

    drawn = f"<style nonce={cache.NONCE_MARKER}></style>"
    copy = cache.make(drawn, "s3cret")
    stable = drawn.replace(cache.NONCE_MARKER, "\x00nonce\x00").encode()
    assert copy.nonce != hmac.new(b"s3cret", stable, hashlib.sha256).hexdigest()[:32]
    assert copy.nonce == cache.make(drawn, b"s3cret").nonce  # same in every worker
    assert copy.nonce != cache.make(drawn, "other").nonce

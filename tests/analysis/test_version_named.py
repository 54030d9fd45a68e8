"""Every figure names the questionnaire version behind it: pages, overview, report, public page."""

import csv
import io

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from survey import crosswalk, publishing
from survey.public import cache
from tests.factories import BEN_THANH, HCMC, make_responses
from tests.staff_helpers import client_as
from tests.test_trends import BREAK_PLAN, V1, V2, seed

VI = "Bộ câu hỏi: papi-pulse-core, phiên bản 2"
EN = "Questionnaire: papi-pulse-core, version 2"


@pytest.fixture(autouse=True)
def fresh_cache():
    """Start and end every test without rendered public copies."""
    cache.clear()
    yield
    cache.clear()


def flat(text: str) -> str:
    """Return text with its white space collapsed."""
    return " ".join(text.split())


def page_text(response) -> str:
    """Return the visible text of a page that answered 200."""
    assert response.status_code == 200
    return flat(BeautifulSoup(response.data, "html.parser").get_text(" "))


def pdf_text(data: bytes) -> str:
    """Return the whole text of a PDF."""
    return flat("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


@pytest.mark.parametrize(
    "url",
    [
        f"/staff/analysis/?unit=ward&code={BEN_THANH}&period=2026-Q1",
        f"/staff/analysis/province/{HCMC}?period=2026-Q1",
    ],
)
def test_estimates_page_and_overview_name_the_version(app, db, world, url):
    make_responses(db, world["point"], 40)
    client = client_as(app, world, "analyst")
    assert VI in page_text(client.get(url + "&lang=vi"))
    assert EN in page_text(client.get(url + "&lang=en"))


@pytest.mark.parametrize("lang, expected", [("vi", VI), ("en", EN)])
def test_report_pdf_names_the_version(app, db, world, lang, expected):
    make_responses(db, world["point"], 40)
    client = client_as(app, world, "analyst")
    response = client.get(
        f"/staff/analysis/report.pdf?unit=ward&code={BEN_THANH}&period=2026-Q1&lang={lang}"
    )
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert expected in pdf_text(response.data)


def test_public_ward_page_names_the_published_version(app, client, db, world):
    make_responses(db, world["point"], 40)
    pub = publishing.publish(db, world["users"]["province_manager"], HCMC, "2026-Q1")
    assert pub["snapshot"]["questionnaire"] == {"id": "papi-pulse-core", "version": 2}
    assert VI in page_text(client.get(f"/ket-qua/{BEN_THANH}"))
    cache.clear()
    assert EN in page_text(client.get(f"/ket-qua/{BEN_THANH}?lang=en"))


BREAK_VI = "Bộ câu hỏi đã thay đổi: không so sánh được với quý trước."
BREAK_EN = "The questionnaire changed: no comparison with the previous quarter is possible."


def test_a_v2_quarter_after_a_v1_quarter_says_it_cannot_be_compared(app, db, world):
    """Page, report PDF and trend CSV: no change across the break, said; comparable ones join."""
    seed(db, world, BREAK_PLAN)
    client = client_as(app, world, "analyst")
    query = f"unit=ward&code={BEN_THANH}&period=2026-Q3"
    response = client.get(f"/staff/analysis/?{query}&lang=vi")
    assert BREAK_VI in page_text(response)
    soup = BeautifulSoup(response.data, "html.parser")
    changes = [tr.select("td")[-1].text.strip() for tr in soup.select("table.summary tbody tr")]
    assert changes and all(text == "—" for text in changes)
    assert soup.select_one("li.version-break a")["href"].startswith("/staff/analysis/trend?")
    assert BREAK_EN in page_text(client.get(f"/staff/analysis/?{query}&lang=en"))
    report = client.get(f"/staff/analysis/report.pdf?{query}")
    text = pdf_text(report.data)
    assert BREAK_VI in text and "phiên bản 1" in text
    english = pdf_text(client.get(f"/staff/analysis/report.pdf?{query}&lang=en").data)
    assert BREAK_EN in english and "the previous period has too few answers" not in english
    trend = client.get(f"/staff/analysis/trend.csv?{query}")
    rows = list(csv.DictReader(io.StringIO(trend.get_data(as_text=True))))
    last = {r["key"]: r for r in rows if r["period"] == "2026-Q3"}
    assert last["total"]["trend"] == "break" and last["total"]["change"] == ""
    assert last["total"]["questionnaire_version"] == "2"
    joined = [r for r in last.values() if r["trend"] == "joined_across_versions"]
    assert joined and {r["key"] for r in joined} <= set(crosswalk.pairs(V2.id, 1, 2))


def test_no_break_is_claimed_within_one_version(app, db, world):
    make_responses(db, world["point"], 40)
    make_responses(db, world["point"], 40, day="2025-11-10")
    client = client_as(app, world, "analyst")
    query = f"unit=ward&code={BEN_THANH}&period=2026-Q1"
    assert BREAK_VI not in page_text(client.get(f"/staff/analysis/?{query}&lang=vi"))
    assert BREAK_VI not in pdf_text(client.get(f"/staff/analysis/report.pdf?{query}").data)


def test_an_analyst_reaches_a_v1_quarter_after_the_switch(app, db, world):
    """A quarter answered on version 1 opens on version 1; ?questionnaire= picks another."""
    seed(db, world, BREAK_PLAN)
    client = client_as(app, world, "analyst")
    query = f"unit=ward&code={BEN_THANH}&period=2026-Q2"
    for response in (
        client.get(f"/staff/analysis/?{query}&lang=en"),
        client.get(f"/staff/analysis/?{query}&questionnaire=papi-pulse-core:1&lang=en"),
    ):
        text = page_text(response)
        assert "Questionnaire: papi-pulse-core, version 1" in text and "400 people answered" in text
        soup = BeautifulSoup(response.data, "html.parser")
        assert soup.select_one('nav.versions a[aria-current="true"]').text == "version 1"
        csv_link = soup.select_one(".downloads a")["href"]
        rows = list(csv.DictReader(io.StringIO(client.get(csv_link).get_data(as_text=True))))
        assert rows and {r["questionnaire_version"] for r in rows} == {"1"}
    assert "questionnaire=papi-pulse-core:1" in csv_link  # an asked-for version is kept
    current = client.get(f"/staff/analysis/?{query}&questionnaire=papi-pulse-core:2&lang=en")
    assert "There are no answers for this unit and period." in page_text(current)


def test_leaders_pages_and_reports_of_a_v1_quarter_show_its_answers(app, db, world, tmp_path):
    """After the switch to version 2, a version 1 quarter is not an empty page anywhere."""
    seed(db, world, [("2026-Q2", V1, 400)])
    client = client_as(app, world, "analyst")
    v1 = "Questionnaire: papi-pulse-core, version 1"
    ward = f"unit=ward&code={BEN_THANH}"
    # No period asked: every page opens on the latest quarter with answers, in its version.
    opened = page_text(client.get(f"/staff/analysis/?{ward}&lang=en"))
    assert v1 in opened and "400 people answered" in opened
    overview = page_text(client.get(f"/staff/analysis/province/{HCMC}?lang=en"))
    assert v1 in overview and "2026-Q2" in overview
    fix = page_text(client.get(f"/staff/analysis/fix?{ward}&lang=en"))
    assert "2026-Q2" in fix and "There are no answers" not in fix
    report = pdf_text(client.get(f"/staff/analysis/report.pdf?{ward}&period=2026-Q2").data)
    assert "phiên bản 1" in report and "400" in report
    out = tmp_path / "out"
    result = app.test_cli_runner().invoke(
        args=["report", "province", HCMC, "--period", "2026-Q2", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "1 ward report(s)" in result.output
    assert "phiên bản 1" in pdf_text((out / f"ward-{BEN_THANH}-2026-Q2.pdf").read_bytes())


@pytest.mark.parametrize("asked", ["papi-pulse-core:9", "papi-pulse-core:x", "nope", ":1"])
@pytest.mark.parametrize("path", ["/staff/analysis/", "/staff/analysis/estimates.csv"])
def test_an_unknown_questionnaire_is_a_translated_400(app, db, world, asked, path):
    client = client_as(app, world, "analyst")
    response = client.get(
        f"{path}?unit=ward&code={BEN_THANH}&period=2026-Q2&questionnaire={asked}&lang=vi"
    )
    assert response.status_code == 400
    assert "Không có bộ câu hỏi" in response.get_data(as_text=True)


def test_printed_province_overview_and_reports_name_the_version(app, db, world, tmp_path):
    make_responses(db, world["point"], 40)
    out = tmp_path / "out"
    result = app.test_cli_runner().invoke(
        args=["report", "province", HCMC, "--period", "2026-Q1", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    for name in (f"overview-{HCMC}-2026-Q1.pdf", f"province-{HCMC}-2026-Q1.pdf"):
        assert VI in pdf_text((out / name).read_bytes()), name


def test_the_version_shown_is_the_one_most_answered_in_the_scope(db, world):
    """Most answers win, the current version on a tie or with none; only versions in the app."""
    from survey import overview
    from survey.estimation import parse_periods

    seed(db, world, [("2026-Q2", V1, 30), ("2026-Q2", V2, 20), ("2026-Q3", V2, 5)])
    q2, q3, q4 = (parse_periods(p) for p in ("2026-Q2", "2026-Q3", "2026-Q4"))
    assert overview.answered_version(db, q2, V2, HCMC).version == 1
    assert overview.answered_version(db, q2, V2, wards={BEN_THANH}).version == 1
    assert overview.answered_version(db, q3, V2, HCMC).version == 2
    assert overview.answered_version(db, q4, V2, HCMC).version == 2  # nobody: the current
    assert overview.answered_version(db, q2, V2, "01").version == 2  # nobody in Hà Nội
    db.execute("UPDATE responses SET questionnaire_version = 9 WHERE questionnaire_version = 1")
    assert overview.answered_version(db, q2, V2, HCMC).version == 2  # no version 9 in the app


def test_a_province_managers_ward_list_follows_the_versions_answered_in_their_province(
    app, db, world
):
    """Hà Nội answered v2 more; Hồ Chí Minh City only v1: its manager's list still shows it."""
    from tests.factories import HOAN_KIEM, make_point

    seed(db, world, [("2026-Q1", V1, 30)])
    make_responses(db, make_point(db, HOAN_KIEM, "UBND", "office"), 40, day="2026-02-15")
    page = client_as(app, world, "province_manager").get("/staff/analysis/?period=2026-Q1&lang=en")
    text = page_text(page)
    assert "No ward or commune you may see has answers in this period." not in text
    links = BeautifulSoup(page.data, "html.parser").select(f"main a[href*='code={BEN_THANH}']")
    assert links and "Bến Thành" in links[0].text


def test_a_report_names_the_version_its_rows_were_made_with(app, db, world, monkeypatch):
    """An answer landing mid-report must not put version 1's rows under version 2's name."""
    from survey.analysis import ward_report
    from survey.estimation import parse_periods

    seed(db, world, [("2026-Q1", V1, 5), ("2026-Q1", V2, 4)])
    original, seen = ward_report.rows_for, []

    def rows_then_an_answer(*args, **kwargs):
        rows = original(*args, **kwargs)
        seen.append({row["questionnaire_version"] for row in rows})
        make_responses(db, world["point"], 1, day="2026-02-21", seed=99)  # a tie: v2 wins
        return rows

    monkeypatch.setattr(ward_report, "rows_for", rows_then_an_answer)
    with app.test_request_context():
        data = ward_report.gather(db, app.config, "ward", BEN_THANH, parse_periods("2026-Q1"))
    assert seen == [{1}]
    assert "phiên bản 1" in data["version"]

"""Trends: a ward's or province's total and dimensions over quarters, with a questionnaire break."""

import csv
import io
import re
import xml.etree.ElementTree as ET

import pytest
from bs4 import BeautifulSoup

from survey import estimation as estimates
from survey import trends
from survey.demo_data import add_demo_responses, ensure_demo_margins
from survey.questionnaire import catalogue
from tests.factories import BEN_THANH, HCMC
from tests.staff_helpers import client_as

SVG = "{http://www.w3.org/2000/svg}"
V1, V2 = catalogue.get("papi-pulse-core", 1), catalogue.get("papi-pulse-core", 2)


def seed(db, world, plan):
    """Add demo answers at Bến Thành: plan is [(quarter, questionnaire, count)], dated in it."""
    have = 0
    for quarter, questionnaire, count in plan:
        add_demo_responses(
            db, world["point"], questionnaire, have + count, seed=len(quarter) + have
        )
        start = estimates.parse_periods(quarter).start
        with db.atomic():
            rowids = [r[0] for r in db.execute(
                "SELECT rowid FROM responses ORDER BY rowid LIMIT -1 OFFSET ?", [have]
            )]  # fmt: skip
            for i, rowid in enumerate(rowids):
                day = f"{start.year}-{start.month + i % 3:02d}-{1 + i % 27:02d}T03:00:00+00:00"
                db.execute(
                    "UPDATE responses SET submitted_at = ?, started_at = ? WHERE rowid = ?",
                    [day, day, rowid],
                )
        have += count
    ensure_demo_margins(db, BEN_THANH)


def url(unit="ward", code=BEN_THANH, period="2026-Q3", extra=""):
    """Return the trend page URL."""
    return f"/staff/analysis/trend?unit={unit}&code={code}&period={period}{extra}"


def svgs(html: str) -> list[ET.Element]:
    """Return every SVG of a page parsed as XML (a parse error fails the test)."""
    return [ET.fromstring(m) for m in re.findall(r"<svg\b.*?</svg>", html, re.S)]


BREAK_PLAN = [("2026-Q1", V1, 150), ("2026-Q2", V1, 400), ("2026-Q3", V2, 400)]


def test_window_and_bad_periods():
    """A trend ends on a quarter (eight points) or a month (twelve); a year is refused."""
    found = trends.window(estimates.parse_periods("2026-Q1"))
    assert [p.label for p in found][:2] == ["2024-Q2", "2024-Q3"] and len(found) == 8
    assert len(trends.window(estimates.parse_periods("2026-03"))) == 12
    with pytest.raises(trends.TrendError):
        trends.window(estimates.parse_periods("2026"))


def test_break_where_the_questionnaire_changed(app, db, world):
    """Dimensions break at the version change; only crosswalk indicators join across it."""
    seed(db, world, BREAK_PLAN)
    trend = trends.build(
        db, [V1, V2], "ward", BEN_THANH, estimates.parse_periods("2026-Q3"), {BEN_THANH},
        [HCMC], 5.0, 20.0,
    )  # fmt: skip
    assert trend.versions[-3:] == [1, 1, 2] and trend.versions[0] is None
    assert trend.breaks == [7]
    total = trend.series[0]
    assert total.points[-1].after_break and not total.points[-1].joined
    assert total.points[-1].change is None
    assert total.points[-2].joined and not total.points[-2].after_break
    from survey import crosswalk

    assert {s.key for s in trend.comparable} == set(crosswalk.pairs(V1.id, 1, 2))
    joined = [s.points[-1] for s in trend.comparable if s.points[-1].joined]
    assert joined and all(p.after_break for p in joined)
    with_change = [p.change for p in joined if p.change]
    assert with_change and all("p_adjusted" in c and "p" not in c for c in with_change)


def test_within_a_version_the_change_is_the_engines(app, db, world):
    """A point's change within one version is the engine's change column for that period."""
    seed(db, world, BREAK_PLAN[:2])
    q2 = estimates.parse_periods("2026-Q2")
    trend = trends.build(db, [V1, V2], "ward", BEN_THANH, q2, {BEN_THANH}, [HCMC], 5.0, 20.0)
    assert not trend.breaks and not trend.comparable
    engine = {
        r[estimates.COLUMNS.index("key")]: dict(zip(estimates.COLUMNS, r, strict=True))
        for r in estimates.run(db, V1, [q2], ("ward",), ward_scope={BEN_THANH}, provinces=[HCMC])
        if r[estimates.COLUMNS.index("level")] in ("total", "dimension")
    }
    for series in trend.series:
        point, row = series.points[-1], engine[series.key]
        assert point.row["estimate"] == row["estimate"]
        if row["change"] not in ("", None):
            assert point.change["value"] == row["change"]
            assert point.change["changed"] == (row["changed"] == 1)
        else:
            assert point.change is None


def test_page_svg_is_valid_and_its_numbers_are_the_engines(app, db, world):
    """Each panel is valid SVG; the numbers drawn over the dots are the table's and the engine's."""
    seed(db, world, BREAK_PLAN)
    response = client_as(app, world, "analyst").get(url())
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    soup = BeautifulSoup(html, "html.parser")
    panels = svgs(html)
    assert len(panels) == 9 + 12  # total, D1-D8, the twelve comparable indicators
    trend = trends.build(
        db, [V1, V2], "ward", BEN_THANH, estimates.parse_periods("2026-Q3"), {BEN_THANH},
        [HCMC], 5.0, 20.0,
    )  # fmt: skip
    for svg, series in zip(panels, trend.series + trend.comparable, strict=True):
        assert svg.find(f"{SVG}title").text
        drawn = [t.text for t in svg.iter(f"{SVG}text") if "value" in t.get("class", "")]
        expected = [f"{p.row['estimate']:,.2f}" for p in series.points if p.shown]
        assert drawn == expected
    assert "The questionnaire changed to version 2 in 2026-Q3" in soup.text
    assert soup.select("svg line.break")
    # The table alternative gives the same numbers as the chart, with n on every row.
    table = soup.select("table.trend-table")[0]
    for series, body in zip(trend.series, table.select("tbody"), strict=True):
        cells = [tr.select("td")[1].text for tr in body.select("tr")[1:]]
        assert cells == [f"{p.row['estimate']:,.2f}" if p.shown else "—" for p in series.points]
        assert all(tr.select("td")[3].text.strip() for tr in body.select("tr")[1:])


def test_no_data_and_one_answer_show_no_number(app, db, world):
    """No answers: said so, no chart. One answer: no estimate drawn, n kept, no hidden number."""
    client = client_as(app, world, "analyst")
    soup = BeautifulSoup(client.get(url()).data, "html.parser")
    assert "There are no answers for this unit in these periods." in soup.text
    assert not soup.select("svg")
    seed(db, world, [("2026-Q3", V1, 1)])
    html = client.get(url()).get_data(as_text=True)
    assert not [
        t for s in svgs(html) for t in s.iter(f"{SVG}text") if "value" in t.get("class", "")
    ]
    revealed = estimates.run(
        db, V1, [estimates.parse_periods("2026-Q3")], ("ward",), ward_scope={BEN_THANH},
        provinces=[HCMC], reveal_suppressed=True,
    )  # fmt: skip
    for values in revealed:
        row = dict(zip(estimates.COLUMNS, values, strict=True))
        if row["level"] in ("total", "dimension") and row["estimate"] not in ("", None):
            assert f"{row['estimate']:,.2f}" not in html
    assert "n = 1" in html


def test_csv_gives_every_point_and_hides_suppressed(app, db, world):
    """The CSV has a row per series and period, blank where suppressed, the break named."""
    seed(db, world, BREAK_PLAN)
    response = client_as(app, world, "analyst").get(url().replace("/trend?", "/trend.csv?"))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == (9 + 12) * 8
    total = [r for r in rows if r["key"] == "total"]
    assert [r["trend"] for r in total][-3:] == ["first", "joined", "break"]
    assert all(r["estimate"] == "" for r in rows if r["shown"] == "0")
    assert any(r["trend"] == "joined_across_versions" for r in rows)


@pytest.mark.parametrize(
    ("extra", "status"),
    [("&by=week", 400), ("", 200)],
)
def test_bad_input(app, db, world, extra, status):
    """An unknown grouping or a year is a 400 with a translated reason; a bad unit 404."""
    client = client_as(app, world, "analyst")
    assert client.get(url(extra=extra, period="")).status_code == status
    response = client.get(url(period="2026"))
    assert response.status_code == 400 and b"2026-03" in response.data
    assert client.get(url(unit="all")).status_code == 404
    assert client.get(url(code="99999")).status_code == 404


def test_links_from_the_ward_page_and_the_overview(app, db, world):
    """The estimates page of a ward and the province overview link to the trend."""
    seed(db, world, BREAK_PLAN[:1])
    client = client_as(app, world, "analyst")
    soup = BeautifulSoup(
        client.get(f"/staff/analysis/?unit=ward&code={BEN_THANH}&period=2026-Q1").data,
        "html.parser",
    )
    assert soup.find("a", href=re.compile(r"/staff/analysis/trend\?.*unit=ward"))
    soup = BeautifulSoup(
        client.get(f"/staff/analysis/province/{HCMC}?period=2026-Q1").data, "html.parser"
    )
    assert soup.find("a", href=re.compile(r"/staff/analysis/trend\?.*unit=province"))


def test_vietnamese_page_uses_vietnamese_numbers(app, db, world):
    """In Vietnamese the page renders, its drawn numbers written with a decimal comma."""
    seed(db, world, BREAK_PLAN)
    client = client_as(app, world, "analyst")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "vi"
    response = client.get(url())
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    drawn = [
        t.text for s in svgs(html) for t in s.iter(f"{SVG}text") if "value" in t.get("class", "")
    ]
    assert drawn and all(re.fullmatch(r"\d+,\d\d", text) for text in drawn)
    assert "Thang PAPI từ 1 đến 10" in html


def test_engine_runs_once_per_answered_version_and_data_version(app, db, world, monkeypatch):
    """Only versions answered in the window are estimated; a second view comes from the cache."""
    seed(db, world, BREAK_PLAN[:2])
    calls = []
    real = estimates.run
    monkeypatch.setattr(
        estimates, "run", lambda db, q, *a, **k: calls.append(q.version) or real(db, q, *a, **k)
    )
    client = client_as(app, world, "analyst")
    assert client.get(url(period="2026-Q2")).status_code == 200
    assert calls == [1]  # nobody answered version 2
    assert client.get(url(period="2026-Q2")).status_code == 200
    assert calls == [1]

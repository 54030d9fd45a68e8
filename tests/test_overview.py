"""Province overview: wards beside the province, coloured only where the interval says so."""

import pytest
from bs4 import BeautifulSoup

from survey import overview, targets
from tests.analysis.test_analysis_views import demo_world
from tests.factories import BEN_THANH, HCMC, SAI_GON
from tests.staff_helpers import client_as

# These tests store v1 answers: the pages and exports read v1 (v2 is current).
pytestmark = pytest.mark.usefixtures("pin_v1")


def row(unit_type="ward", code=BEN_THANH, key="d1", estimate=5.0, lower=4.5, upper=5.5, shown=1):
    """Return a summary row with the columns the overview reads."""
    return {
        "unit_type": unit_type,
        "unit_code": code,
        "level": "total" if key == "total" else "dimension",
        "key": key,
        "estimate": estimate,
        "ci_lower": lower,
        "ci_upper": upper,
        "shown": shown,
        "flag": "ok" if shown else "suppressed_n_eff",
        "n": 40,
        "n_item": 40,
        "n_eff": 35.0,
        "coverage": "",
    }


@pytest.mark.parametrize(
    ("lower", "upper", "province", "shown", "expected"),
    [
        (5.1, 5.9, 5.0, 1, overview.HIGHER),  # whole interval above the province's value
        (4.0, 4.9, 5.0, 1, overview.LOWER),  # whole interval below
        (4.5, 5.5, 5.0, 1, None),  # contains it
        (5.0, 5.9, 5.0, 1, None),  # touching is not excluding
        (4.0, 4.9, 5.0, 0, None),  # a suppressed ward is never compared
    ],
)
def test_compare_uses_the_wards_interval_against_the_provinces_value(
    lower, upper, province, shown, expected
):
    """The Bristol rule, worked by hand: the ward's 95% interval against the province's value."""
    ward = row(lower=lower, upper=upper, estimate=(lower + upper) / 2, shown=shown)
    # The province's own interval (4.99 to 5.01 here) plays no part.
    area = row("province", HCMC, estimate=province, lower=province - 0.01, upper=province + 0.01)
    assert overview.compare(ward, area) == expected
    assert overview.compare(ward, dict(area, shown=0)) is None


def test_ward_table_and_sort(db, world):
    """Wards get a cell per key with its comparison; sorting puts the highest first, hidden last."""
    rows = [
        row("province", HCMC, estimate=5.0, lower=4.9, upper=5.1),
        row(code=BEN_THANH, estimate=6.0, lower=5.5, upper=6.5),
        row(code=SAI_GON, estimate=3.0, lower=2.0, upper=4.0, shown=0),
    ]
    table = overview.ward_table(db, HCMC, rows)
    assert [w["name"] for w in table] == ["Phường Bến Thành", "Phường Sài Gòn"]
    assert table[0]["cells"]["d1"][1] == overview.HIGHER and table[1]["cells"]["d1"][1] is None
    assert table[0]["cells"]["d2"] == (None, None)
    rows[2].update(shown=1, estimate=7.0, lower=6.0, upper=8.0)
    ranked = overview.sort_wards(overview.ward_table(db, HCMC, rows), "d1")
    assert [w["code"] for w in ranked] == [SAI_GON, BEN_THANH]


def page(client, url):
    """Return the parsed page and its status."""
    response = client.get(url)
    return BeautifulSoup(response.data, "html.parser"), response.status_code


def url(period="2026-Q1", code=HCMC, sort=""):
    """Return the overview URL."""
    return f"/staff/analysis/province/{code}?period={period}" + (f"&sort={sort}" if sort else "")


def test_no_data_says_so(app, db, world):
    """A period without answers says so and shows no table of wards."""
    soup, status = page(client_as(app, world, "analyst"), url())
    assert status == 200
    assert "There are no answers for this province and period." in soup.text
    assert "0 wards and communes of 2 have answers in this period." in soup.text
    assert not soup.select("table.wards-table")


@pytest.mark.parametrize("count", [1, 12])
def test_few_answers_show_suppressed_cells_and_no_numbers(app, db, world, count):
    """One answer or a dozen: every cell says suppressed, keeps its n, and shows no estimate."""
    period = demo_world(db, world, count)
    soup, status = page(client_as(app, world, "analyst"), url(period))
    assert status == 200
    cells = soup.select("table.wards-table tbody td")
    assert cells and all("suppressed" in td.text or td.text == "—" for td in cells)
    assert all("n " in td.text for td in cells if td.text != "—")
    assert not soup.select("td.cell-higher, td.cell-lower")
    from survey.estimation import parse_periods
    from survey.questionnaire import catalogue

    rows = overview.area_rows(
        db, catalogue.get("papi-pulse-core", 1), parse_periods(period), HCMC, 5.0, 20.0
    )
    html = soup.select_one("main").text
    for hidden in (r for r in rows if not r["shown"] and r["estimate"] not in ("", None)):
        assert f"{hidden['estimate']:.2f}" not in html


def test_full_data_marks_and_sorts(app, db, world):
    """With answers, cells show estimate, n and n*; a marker always goes with a colour."""
    period = demo_world(db, world)
    client = client_as(app, world, "analyst")
    soup, _ = page(client, url(period))
    cells = soup.select("table.wards-table tbody td")
    assert len(cells) == 9 and all("n " in td.text and "n* " in td.text for td in cells)
    for td in soup.select("td.cell-higher"):
        assert "▲" in td.text and "higher than the province" in td.text
    for td in soup.select("td.cell-lower"):
        assert "▼" in td.text and "lower than the province" in td.text
    # A ward that is the province's only ward with answers sits inside its own province.
    assert not soup.select("td.cell-higher, td.cell-lower")
    links = [a["href"] for a in soup.select("table.wards-table thead a")]
    assert len(links) == 10 and all("sort=" in href for href in links)
    soup, _ = page(client, url(period, sort="d4"))
    assert soup.select_one("th[aria-sort]").text.strip() == "D4"
    summary = soup.select("table.summary tbody tr")
    assert len(summary) == 9 and "National mean" in soup.select_one("table.summary thead").text


def test_coverage_in_words_and_default_period(app, db, world):
    """Unknown population coverage says unknown; with no period the latest reliable one opens."""
    period = demo_world(db, world, 60)
    soup, _ = page(client_as(app, world, "analyst"), f"/staff/analysis/province/{HCMC}")
    coverage = soup.select_one("#coverage").text
    assert "1 ward or commune of 2 has answers in this period." in coverage
    assert "is unknown" in coverage
    h1 = soup.select_one("h1").text
    assert "Q" in h1 and period not in h1  # a quarter, not the test's range


def test_targets_show_on_the_overview(app, db, world):
    """The overview gives the plan target and its verdict."""
    period = demo_world(db, world)
    from survey.estimation import parse_periods

    year = parse_periods(period).last_day.year
    targets.load(
        db, None, f"province_code,year,dimension,target\n{HCMC},{year},total,10\n".encode(), "p.csv"
    )
    soup, _ = page(client_as(app, world, "analyst"), url(period))
    total = soup.select_one("table.summary tr.total").text
    assert "10.00: Likely met" in total or "Cannot tell yet" in total


@pytest.mark.parametrize(
    ("role", "status"),
    [("ward_staff", 404), ("other_ward", 404), ("province_manager", 200)],
)
def test_roles(app, db, world, role, status):
    """Province managers see their province; ward staff and other provinces' managers do not."""
    assert page(client_as(app, world, role), url())[1] == status


def test_bad_period_is_400(app, db, world):
    """A period that is not understood is a 400 with the reason."""
    soup, status = page(client_as(app, world, "analyst"), url("2026-Q9"))
    assert status == 400 and "2026-Q1" in soup.text, soup.text


def test_area_rows_are_computed_once_per_data_version(db, world, monkeypatch):
    """A second overview of unchanged data is served from the cache, not the engine."""
    from survey import estimation as estimates
    from survey.questionnaire import catalogue

    overview.clear()
    calls = []
    real = estimates.run
    monkeypatch.setattr(estimates, "run", lambda *a, **k: calls.append(1) or real(*a, **k))
    core, period = catalogue.get("papi-pulse-core", 1), estimates.parse_periods("2026-Q1")
    overview.area_rows(db, core, period, HCMC, 5.0, 20.0)
    overview.area_rows(db, core, period, HCMC, 5.0, 20.0)
    assert len(calls) == 1

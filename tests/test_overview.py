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
    """The share is of the city's population in the resolution; the latest reliable period opens.

    Sài Gòn's population is not known, so the share is of the 14,002,598 people of Resolution
    202/2025/QH15: Bến Thành's 28,000 (its margins) are 0.2 %, not 100 % and not "unknown".
    """
    period = demo_world(db, world, 60)
    soup, _ = page(client_as(app, world, "analyst"), f"/staff/analysis/province/{HCMC}")
    coverage = " ".join(soup.select_one("#coverage").text.split())
    assert "1 ward or commune of 2 has answers in this period." in coverage
    assert "Wards with answers hold 0.2% of the province's population." in coverage
    assert "14,002,598 people, the figure in Resolution 202/2025/QH15" in coverage
    assert "unknown" not in coverage
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


def cover(**overrides):
    """Return overview.coverage's numbers for one ward of 168 with answers, and overrides."""
    found = {
        "with_answers": 1,
        "wards": 168,
        "answers": 40,
        "median": 40,
        "population_share": 0.2,
        "basis": "nq202_2025_qh15",
        "population": 14_002_598,
        "capped": False,
        "without_population": 0,
    }
    return found | overrides


@pytest.mark.parametrize(
    ("lang", "numbers", "expected"),
    [
        ("en", {}, ["hold 20% of", "14,002,598 people, the figure in Resolution 202/2025/QH15"]),
        ("vi", {}, ["20%", "14.002.598 người, theo Nghị quyết 202/2025/QH15"]),
        ("en", {"population_share": 0.0034}, ["hold 0.3% of"]),
        ("vi", {"population_share": 0.0034}, ["0,3%"]),
        ("en", {"population_share": 0.0004}, ["hold less than 0.1% of"]),
        ("vi", {"population_share": 0.0004}, ["chưa đến 0,1%"]),
        (
            "en",
            {"basis": "gso_yearbook_2024", "population": 1_178_600},
            ["1,178,600 people, the average population in 2024 (Statistical Yearbook 2024"],
        ),
        ("en", {"basis": "wards", "population": None}, ["the sum of the populations of all"]),
        ("en", {"population_share": 1.0, "capped": True}, ["so the share is shown as 100%."]),
        ("en", {"without_population": 2}, ["2 wards with answers have no known population"]),
        ("vi", {"without_population": 1}, ["1 phường, xã có trả lời nhưng chưa có số dân"]),
        ("en", {"population_share": None, "basis": None}, ["is unknown"]),
    ],
)
def test_population_words(app, lang, numbers, expected):
    """The share in words, Babel-formatted, with the population it is of and what is left out."""
    from flask_babel import force_locale

    from survey.analysis.overview_pdf import population_words

    with app.test_request_context(), force_locale(lang):
        words = " ".join(population_words(cover(**numbers)))
    for text in expected:
        assert text in words
    assert ("100%" in words) == bool(numbers.get("capped"))
    assert ("Resolution" in words or "Nghị quyết" in words) == ("basis" not in numbers)


def test_no_answers_no_population_words(app):
    """Without answers there is no share to speak of."""
    from survey.analysis.overview_pdf import population_words

    with app.test_request_context():
        assert population_words(cover(with_answers=0)) == []


def test_coverage_numbers_for_one_ward_of_168(db):
    """Margins for the one ward that answered, none for the city's other 167: a small share.

    Sài Gòn (26740) also answered but has no population: it is counted apart, not in the share.
    """
    from tests.factories import load_units, make_margins

    load_units(db)
    make_margins(db, {BEN_THANH: {"sex": {"nam": 23_000, "nu": 24_000}}})
    table = [{"code": BEN_THANH, "n": 40}, {"code": "26740", "n": 3}]
    found = overview.coverage(db, HCMC, table)
    assert found["wards"] == 168 and found["with_answers"] == 2 and found["answers"] == 43
    assert found["population_share"] == pytest.approx(47_000 / 14_002_598)
    assert (found["basis"], found["population"]) == ("nq202_2025_qh15", 14_002_598)
    assert found["without_population"] == 1 and not found["capped"]


def test_no_known_population_among_wards_with_answers_is_unknown_not_zero(app, db):
    """The city's population is known, none of the answering wards' is: no "0 %" claim."""
    from flask_babel import force_locale

    from survey.analysis.overview_pdf import population_words
    from tests.factories import load_units

    load_units(db)
    found = overview.coverage(db, HCMC, [{"code": BEN_THANH, "n": 40}])
    assert found["population_share"] is None and found["without_population"] == 1
    with app.test_request_context(), force_locale("en"):
        words = " ".join(population_words(found))
    assert "unknown" in words and "0%" not in words


@pytest.mark.parametrize(
    ("populations", "share", "basis"),
    [
        ([10_000, 30_000], 0.25, "wards"),  # every ward known: their sum
        ([10_000, None], None, None),  # no shipped figure for code 99: unknown
    ],
)
def test_coverage_numbers_of_a_province_without_a_shipped_figure(db, populations, share, basis):
    """A made-up province (99): the wards' sum when all are known, else unknown."""
    from tests.factories import make_wards

    make_wards(db, province="99", wards=["99001", "99002"], populations=populations)
    found = overview.coverage(db, "99", [{"code": "99001", "n": 40}])
    assert found["population_share"] == (pytest.approx(share) if share else None)
    assert found["basis"] == basis and not found["capped"]


def test_coverage_above_the_shipped_figure_is_capped(db):
    """Ward margins adding up to more than the shipped figure: 100 %, and capped."""
    from tests.factories import make_margins, make_wards

    make_wards(db, wards=["26001", "26002"], populations=[None, None])
    make_margins(db, {"26001": {"sex": {"nam": 8_000_000, "nu": 8_000_000}}})
    found = overview.coverage(db, HCMC, [{"code": "26001", "n": 40}])
    assert found["population_share"] == 1.0 and found["capped"]


def test_estimates_page_says_whose_share_the_total_is(app, db, world):
    """The province's estimates give the total's share: wards where every dimension was estimated.

    The total needs all eight dimensions in a ward; its coverage is of those wards, which may be
    fewer than the wards with answers, so the sentence says which wards it means.
    """
    from tests.analysis.test_analysis_views import report_url

    period = demo_world(db, world)
    soup, status = page(client_as(app, world, "analyst"), report_url(period, HCMC, "province"))
    meta = " ".join(soup.select_one("p.meta").text.split())
    assert status == 200
    assert "Wards where every dimension could be estimated hold 0.2% of the population" in meta

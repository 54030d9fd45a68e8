"""A whole province: generated answers in all 168 wards of Ho Chi Minh City (bench/generate.py).

One instance for the module (about 20,000 answers over 2026, some 30 per ward and quarter, so
that the province is reliable and many wards are not): the overview, the trend, the CSVs and
`report province` must show every ward's n and never a suppressed number.
"""

import csv
import importlib.util
import io
import os
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from survey import accounts, create_app, margins, trends
from survey import estimation as estimates
from survey.questionnaire import catalogue
from survey.webdb import open_db
from tests.factories import HCMC
from tests.staff_helpers import english, sign_in
from tests.test_trends import SVG, svgs

PERIOD = "2026-Q2"
GENERATE = Path(__file__).resolve().parents[2] / "bench" / "generate.py"


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    """Return (app, analyst) on an instance with answers in every ward of Ho Chi Minh City."""
    spec = importlib.util.spec_from_file_location("bench_generate", GENERATE)
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    folder = tmp_path_factory.mktemp("hcmc") / "instance"
    generate.build_instance(folder, 20_000, 11, province=HCMC)
    previous = os.environ.get("PAPI_PULSE_INSTANCE")
    os.environ["PAPI_PULSE_INSTANCE"] = str(folder)
    try:
        # bench/generate.py writes v1 answers: the pages must read v1, not the current version.
        app = create_app({"TESTING": True, "SECRET_KEY": "province-test-secret-key-0123456789ab",
                          "QUESTIONNAIRE": "papi-pulse-core:1"})  # fmt: skip
    finally:
        if previous is None:
            os.environ.pop("PAPI_PULSE_INSTANCE")
        else:
            os.environ["PAPI_PULSE_INSTANCE"] = previous
    db = open_db(app)
    try:
        margins.load(db, (folder / "margins.csv").read_bytes(), "margins.csv", "test")
        analyst = accounts.create_user(db, "analyst", "analyst-password-0123", accounts.ANALYST)
    finally:
        db.close()
    return app, analyst


@pytest.fixture
def client(province):
    """Return an English client signed in as the analyst."""
    app, analyst = province
    found = english(app.test_client())
    sign_in(found, analyst)
    return found


def test_overview_lists_all_wards_with_n_and_no_suppressed_number(province, client):
    """168 wards with answers, each cell with its n; a suppressed cell has no estimate."""
    soup = BeautifulSoup(client.get(f"/staff/analysis/province/{HCMC}?period={PERIOD}").data,
                         "html.parser")  # fmt: skip
    rows = soup.select("table.wards-table tbody tr")
    assert len(rows) == 168
    assert "168 wards and communes of 168 have answers in this period." in soup.text
    cells = [td.get_text(" ", strip=True) for tr in rows for td in tr.select("td")]
    hidden = [text for text in cells if "suppressed" in text]
    shown = [text for text in cells if "suppressed" not in text and text != "—"]
    assert hidden and shown  # a full province has both
    assert all(re.fullmatch(r"suppressed n [\d,]+", text) for text in hidden)
    assert all(re.fullmatch(r"[▲▼ ]*(higher|lower)?[^\d]*[\d,]+\.\d\d\*? n [\d,]+ · n\* [\d,]+",
                            text) for text in shown), shown[:3]  # fmt: skip
    assert soup.select("table.summary tr.total td")[0].text.strip() != "—"


def test_trend_of_the_province_draws_the_engines_numbers(province, client):
    """The province's trend SVGs are valid XML and draw exactly the engine's estimates."""
    app, _analyst = province
    html = client.get(f"/staff/analysis/trend?unit=province&code={HCMC}&period={PERIOD}")
    html = html.get_data(as_text=True)
    db = open_db(app)
    try:
        found = trends.build(
            db, [catalogue.get("papi-pulse-core", 1), catalogue.get("papi-pulse-core", 2)],
            "province", HCMC, estimates.parse_periods(PERIOD), None, [HCMC],
            app.config["WEIGHT_TRIM_CAP"], float(app.config["SMOOTHING_PRIOR_N"]),
        )  # fmt: skip
    finally:
        db.close()
    panels = svgs(html)
    assert len(panels) == 9
    for svg, series in zip(panels, found.series, strict=True):
        drawn = [t.text for t in svg.iter(f"{SVG}text") if "value" in t.get("class", "")]
        assert drawn == [f"{p.row['estimate']:,.2f}" for p in series.points if p.shown]
    assert any(p.shown for p in found.series[0].points[-2:])


@pytest.mark.parametrize(
    "url",
    [
        f"/staff/analysis/estimates.csv?unit=province&code={HCMC}&period={PERIOD}",
        f"/staff/analysis/trend.csv?unit=province&code={HCMC}&period={PERIOD}",
    ],
)
def test_csv_leaves_suppressed_values_out(client, url):
    """In the estimates and trend CSVs a row that is not shown has no estimate or interval."""
    rows = list(csv.DictReader(io.StringIO(client.get(url).get_data(as_text=True))))
    hidden = [r for r in rows if r["shown"] == "0"]
    assert rows and all(r["n_item"] != "" for r in rows)
    assert all(r["estimate"] == r["ci_lower"] == r["ci_upper"] == "" for r in hidden)


def test_report_province_writes_overview_and_every_ward(province, tmp_path):
    """`report province 79` writes the province, its overview and one report per ward."""
    app, _analyst = province
    out = tmp_path / "out"
    result = app.test_cli_runner().invoke(
        args=["report", "province", HCMC, "--period", PERIOD, "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == 2 + 168
    reader = PdfReader(out / f"overview-{HCMC}-{PERIOD}.pdf")
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) >= 3 and "Phường Bến Thành" in text
    # Every ward has margins: the share is of their sum, and says so.
    words = " ".join(text.split())
    assert "chiếm 100% dân số của tỉnh, thành phố" in words
    assert "tổng số dân của tất cả các phường, xã" in words
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (210, 297)
    # Every suppressed cell prints its word and n, never a number: "không hiện" then "n 12".
    assert "không hiện" in text
    assert not re.search(r"không hiện\s*[\d,]+,\d\d", text)

"""The one-page ward report: A4 portrait, at most two pages, the texts that must be on it."""

import io
import shutil
import subprocess

import pytest
from PIL import Image
from pypdf import PdfReader

from survey import targets
from survey.analysis import ward_report
from survey.estimation import parse_periods
from tests.analysis.test_analysis_views import demo_world
from tests.factories import BEN_THANH, HCMC, SAI_GON
from tests.staff_helpers import client_as

A4 = (595.28, 841.89)  # points


# These tests store v1 answers: the pages and exports read v1 (v2 is current).
pytestmark = pytest.mark.usefixtures("pin_v1")


def text_of(data: bytes) -> tuple[PdfReader, str]:
    """Return the reader and the whole text of a PDF."""
    reader = PdfReader(io.BytesIO(data))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def write(runner, tmp_path, period, code=BEN_THANH, lang="vi"):
    """Run `report ward` and return the PDF bytes."""
    out = tmp_path / "ward.pdf"
    result = runner.invoke(
        args=["report", "ward", code, "--period", period, "--lang", lang, "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def test_full_report_is_a4_with_the_required_texts(app, db, world, runner, tmp_path):
    """Vietnamese by default: title, total, dimensions, lists, n, method, citation."""
    period = demo_world(db, world)
    year = parse_periods(period).last_day.year
    targets.load(
        db, None, f"province_code,year,dimension,target\n{HCMC},{year},total,10\n".encode(), "p.csv"
    )
    reader, text = text_of(write(runner, tmp_path, period, lang="vi"))
    assert 1 <= len(reader.pages) <= ward_report.MAX_PAGES
    for page in reader.pages:
        box = page.mediabox
        assert (round(float(box.width), 2), round(float(box.height), 2)) == A4
    flat = " ".join(text.split())
    for needed in ("Phường Bến Thành", "D1", "D8", "(n =", "2024"):
        assert needed in flat
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("vi"):
        from flask_babel import gettext

        for msgid in (
            "Three strongest sub-dimensions",
            "Three weakest sub-dimensions",
            "How to cite",
            "How the figures are made",
            "Answers and reliability",
        ):
            assert " ".join(gettext(msgid).split()) in flat
    import re

    assert re.search(r"\b\d{2},\d\d\b", flat)  # Babel's Vietnamese decimal comma (44,28)
    assert "Ward report" not in flat


def test_english_on_request(app, db, world, runner, tmp_path):
    """--lang en gives the English texts and decimal points."""
    period = demo_world(db, world)
    _, text = text_of(write(runner, tmp_path, period, lang="en"))
    flat = " ".join(text.split())
    assert "Ward report: Phường Bến Thành" in flat and "How to cite" in flat
    assert "Three weakest sub-dimensions" in flat


@pytest.mark.parametrize("count", [1, 12])
def test_few_answers_print_no_suppressed_value(app, db, world, runner, tmp_path, count):
    """With few answers the report prints reliability words and none of the hidden numbers."""
    period = demo_world(db, world, count)
    _, text = text_of(write(runner, tmp_path, period, lang="en"))
    flat = " ".join(text.split())
    assert "The total cannot be given" in flat
    rows = ward_report.rows_for(db, app.config, "ward", BEN_THANH, parse_periods(period))
    hidden = [r for r in rows if not r["shown"] and r["estimate"] not in ("", None)]
    for row in hidden:
        for value in (row["estimate"], row["ci_lower"], row["ci_upper"]):
            if value not in ("", None) and row["level"] in ("total", "dimension", "subdimension"):
                assert f"{value:,.2f}" not in flat


def test_no_data_is_still_a_report(app, db, world, runner, tmp_path):
    """A period without answers gives a one-page report that says so."""
    reader, text = text_of(write(runner, tmp_path, "2026-Q1", lang="en"))
    assert len(reader.pages) == 1 and "0 people answered" in " ".join(text.split())


def test_cli_refuses_unknown_ward_and_bad_period(app, db, world, runner, tmp_path):
    """An unknown ward or a bad period is one line and a non-zero exit."""
    out = str(tmp_path / "x.pdf")
    bad = runner.invoke(args=["report", "ward", "99999", "--period", "2026-Q1", "-o", out])
    assert bad.exit_code != 0 and "no ward or commune" in bad.output
    bad = runner.invoke(args=["report", "ward", BEN_THANH, "--period", "2026-Q9", "-o", out])
    assert bad.exit_code != 0


def test_province_writes_overview_and_ward_reports(app, db, world, runner, tmp_path):
    """`report province` writes the province's report and one per ward with answers."""
    period = demo_world(db, world)
    result = runner.invoke(
        args=["report", "province", HCMC, "--period", period, "-o", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert (
        len(names) == 3
        and names[0].startswith("overview-79")
        and names[1].startswith("province-79")
        and names[2].startswith(f"ward-{BEN_THANH}")
    )
    reader, text = text_of((tmp_path / "out" / names[0]).read_bytes())
    assert "Tổng quan Thành phố Hồ Chí Minh" in text
    assert "Phường Bến Thành" in text and "n 200" in text
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (210, 297)


@pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="needs poppler-utils (make install-test)"
)
def test_rendered_page_has_title_and_chart(app, db, world, runner, tmp_path):
    """The rendered first page is A4 portrait with ink in the title band and in the chart."""
    period = demo_world(db, world)
    out = tmp_path / "ward.pdf"
    out.write_bytes(write(runner, tmp_path, period))
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(out), str(tmp_path / "page")],
        check=True,
    )
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    width, height = image.size
    assert abs(width / height - 210 / 297) < 0.01
    assert image.crop((0, int(height * 0.03), width, int(height * 0.08))).getextrema()[0] < 64
    dark = sum(image.histogram()[:128])
    assert 0.01 < dark / (width * height) < 0.2


def test_web_download_and_roles(app, db, world):
    """Ward staff download their ward's PDF; another ward is 404."""
    period = demo_world(db, world)
    client = client_as(app, world, "ward_staff")
    response = client.get(f"/staff/analysis/report.pdf?unit=ward&code={BEN_THANH}&period={period}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    other = client.get(f"/staff/analysis/report.pdf?unit=ward&code={SAI_GON}&period={period}")
    assert other.status_code == 404
    province = client.get(f"/staff/analysis/report.pdf?unit=province&code={HCMC}&period={period}")
    assert province.status_code == 404


def test_province_run_gives_the_same_ward_rows_as_a_ward_run(app, db, world):
    """The one-run rows of `report province` equal the ward's own rows, so the PDFs agree."""
    period = parse_periods(demo_world(db, world))
    with app.app_context():
        shown = ward_report.shown_questionnaire(db, app.config, period, HCMC)
        found = ward_report.province_rows(db, app.config, HCMC, period, shown)
        alone = ward_report.rows_for(db, app.config, "ward", BEN_THANH, period)
    assert found[("ward", BEN_THANH)] == alone

"""Analysts' pages: estimates with n and flags, suppressed as a dash, scope, uploads, CSV."""

import io

import pytest
from bs4 import BeautifulSoup

from survey import csvout
from survey.estimation import COLUMNS
from tests.factories import BEN_THANH, HANOI, HCMC, SAI_GON, make_response
from tests.staff_helpers import client_as

ANSWERS = {"sex": "nam", "age_band": "30_44", "lives_here": "yes"}
AT = {"started_at": "2026-02-01T01:00:00+00:00", "submitted_at": "2026-02-01T01:00:00+00:00"}


# These tests store v1 answers: the pages and exports read v1 (v2 is current).
pytestmark = pytest.mark.usefixtures("pin_v1")


def add_answers(db, world, count):
    """Store count core responses at the Bến Thành point in 2026-Q1."""
    with db.atomic():
        for i in range(count):
            answers = dict(ANSWERS, lives_here="yes" if i % 3 else "no")
            make_response(db, world["point"], answers=answers, modules=[], **AT)


def page(client, url):
    """Return the parsed page and its status."""
    response = client.get(url)
    return BeautifulSoup(response.data, "html.parser"), response.status_code


def test_ward_estimates_show_n_flag_and_dash(app, db, world):
    """Each estimate shows its n; a suppressed one shows a dash and the reason in words."""
    add_answers(db, world, 12)
    client = client_as(app, world, "analyst")
    soup, status = page(client, f"/staff/analysis/?unit=ward&code={BEN_THANH}&period=2026-Q1")
    assert status == 200
    question = next(
        body
        for body in soup.select("table.items tbody")
        if "Do you live in this ward or commune?" in body.th.text
    )
    row = next(tr for tr in question.select("tr") if tr.th.text.strip() == "Yes")
    cells = [td.text.strip() for td in row.select("td")]
    assert cells[0] == "share"
    assert cells[1] == "—" and cells[2] == "—"
    assert cells[3] == "12" and cells[5] == "Not shown: too few answers"


def test_out_of_scope_ward_is_404(app, db, world):
    """Ward staff of another ward cannot see Bến Thành's estimates."""
    client = client_as(app, world, "other_ward")
    _, status = page(client, f"/staff/analysis/?unit=ward&code={BEN_THANH}&period=2026-Q1")
    assert status == 404


def test_bad_period_is_400(app, db, world):
    """A period that is not understood is a 400 with a message, not a 500."""
    client = client_as(app, world, "analyst")
    _, status = page(client, f"/staff/analysis/?unit=ward&code={BEN_THANH}&period=2026-Q9")
    assert status == 400


def test_code_form_sent_empty_asks_for_a_code(app, db, world):
    """The "enter a unit code" form sent as it stands says what is missing (it was a 404)."""
    client = client_as(app, world, "analyst")
    soup, status = page(client, "/staff/analysis/?unit=ward&code=&period=2026-Q1")
    assert status == 400
    assert "Enter the code of the ward, commune or province." in soup.get_text()


def test_csv_export_streams_rows_of_the_unit(app, db, world):
    """The CSV download has the method columns and only the asked-for unit."""
    add_answers(db, world, 6)
    client = client_as(app, world, "province_manager")
    response = client.get(
        f"/staff/analysis/estimates.csv?unit=ward&code={BEN_THANH}&period=2026-Q1&excel=1"
    )
    assert response.status_code == 200 and response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csvout.reader(io.BytesIO(response.data)))
    header, body = rows[0], rows[1:]
    assert "include_flagged" in header and body
    assert {r[header.index("unit_code")] for r in body} == {BEN_THANH}


def test_margins_upload_refuses_bad_file_with_reason(app, db, world):
    """A margins file with a wrong total is refused (422) with the ward named."""
    client = client_as(app, world, "analyst")
    bad = (
        "unit_code,variable,category,population\n"
        f"{BEN_THANH},sex,nam,5\n{BEN_THANH},sex,nu,5\n"
        f"{BEN_THANH},age_band,18_29,1\n{BEN_THANH},age_band,30_44,1\n"
        f"{BEN_THANH},age_band,45_59,1\n{BEN_THANH},age_band,60_plus,1\n"
    )
    response = client.post(
        "/staff/analysis/margins",
        data={"file": (io.BytesIO(bad.encode()), "m.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert (
        BEN_THANH in BeautifulSoup(response.data, "html.parser").select_one(".error-summary").text
    )
    assert db.execute("SELECT count(*) FROM margin_sets").fetchone()[0] == 0


def test_margins_page_is_for_analysts_and_admins(app, db, world):
    """Ward staff get 403 on the margins page."""
    _, status = page(client_as(app, world, "ward_staff"), "/staff/analysis/margins")
    assert status == 403


def test_methodology_states_aapor_caveat_and_multiplier(app, db, world):
    """The methodology page says the sample is opt-in and which multiplier PAPI uses."""
    soup, _ = page(client_as(app, world, "ward_staff"), "/staff/analysis/methodology")
    text = soup.text
    assert "opt-in" in text and "AAPOR" in text and "1.645" in text


def test_baselines_page_lists_official_scores(app, db, world):
    """The shipped official scores are listed."""
    soup, _ = page(client_as(app, world, "analyst"), "/staff/analysis/baselines")
    assert "Bình Dương" in soup.text and "42.8132" in soup.text


# The picker, the summary and the labels (issue 4, web side).


def demo_world(db, world, count=200):
    """Add demo answers and margins at the Bến Thành point; return a period that holds them."""
    from datetime import timedelta

    from survey.demo_data import add_demo_responses, ensure_demo_margins
    from survey.periods import LOCAL_TZ
    from survey.questionnaire import catalogue

    add_demo_responses(db, world["point"], catalogue.get("papi-pulse-core", 1), count)
    ensure_demo_margins(db, BEN_THANH)
    import datetime as dt

    today = dt.datetime.now(LOCAL_TZ).date()
    return f"{today - timedelta(days=200)}..{today + timedelta(days=1)}"


def report_url(period, code=BEN_THANH, unit="ward"):
    """Return the estimates page URL of a unit and period."""
    return f"/staff/analysis/?unit={unit}&code={code}&period={period}"


def test_picker_lists_only_wards_in_scope(app, db, world):
    """Ward staff see their own ward listed and cannot find another by name."""
    add_answers(db, world, 3)
    with db.atomic():
        db.execute(
            "UPDATE responses SET ward_code = ?, point_id = ? WHERE rowid IN"
            " (SELECT rowid FROM responses LIMIT 1)",
            [SAI_GON, world["other_point"]["id"]],
        )
    soup, _ = page(client_as(app, world, "ward_staff"), "/staff/analysis/?period=2026-Q1")
    listed = [a.text for a in soup.select("table.listed a")]
    assert listed == ["Phường Bến Thành"]
    assert soup.select_one("select#code") is None  # no province choice for ward staff
    assert soup.find("button", attrs={"value": "all"}) is None
    soup, _ = page(client_as(app, world, "ward_staff"), "/staff/analysis/?q=sai+gon")
    assert not soup.select("ul.found a") and "No ward or commune" in soup.text
    soup, _ = page(client_as(app, world, "analyst"), "/staff/analysis/?q=sai+gon&period=2026-Q1")
    links = soup.select("ul.found a")
    assert [a.text for a in links] == ["Phường Sài Gòn"]
    assert f"code={SAI_GON}" in links[0]["href"] and "period=2026-Q1" in links[0]["href"]
    soup, _ = page(client_as(app, world, "analyst"), "/staff/analysis/?period=2026-Q1")
    assert [a.text for a in soup.select("table.listed a")] == ["Phường Bến Thành", "Phường Sài Gòn"]


def test_search_without_diacritics_and_province_choice(app, db, world):
    """A name typed without accents finds the ward; a manager picks among their provinces."""
    client = client_as(app, world, "province_manager")
    soup, _ = page(client, "/staff/analysis/?q=Ben+thanh")
    assert [a.text for a in soup.select("ul.found a")] == ["Phường Bến Thành"]
    options = [o["value"] for o in soup.select("select#code option")]
    assert options == [HCMC]
    assert soup.find("button", attrs={"value": "all"}) is None
    _, status = page(client, f"/staff/analysis/?unit=province&code={HANOI}&period=2026-Q1")
    assert status == 404
    _, status = page(client, "/staff/analysis/?unit=all&period=2026-Q1")
    assert status == 404
    soup, _ = page(client_as(app, world, "analyst"), "/staff/analysis/")
    assert soup.find("button", attrs={"value": "all"}) is not None


def summary_rows(soup):
    """Return {row header: [cell texts]} of the summary table."""
    return {
        tr.th.text.strip(): [td.text.strip() for td in tr.select("td")]
        for tr in soup.select("table.summary tbody tr")
    }


def test_summary_shows_total_and_eight_dimensions_with_baselines(app, db, world):
    """The summary comes first: total and D1-D8, each with n, flag, baseline and difference."""
    period = demo_world(db, world)
    soup, status = page(client_as(app, world, "analyst"), report_url(period))
    assert status == 200
    first_table = soup.select_one("table")
    assert "summary" in first_table["class"] or first_table.find_parent(class_="picker")
    rows = summary_rows(soup)
    names = list(rows)
    assert names[0] == "PAPI-style total (10 to 80)"
    assert [n.split()[0] for n in names[1:]] == [f"D{i}" for i in range(1, 9)]
    assert "D4 Control of corruption in the public sector" in names
    for cells in rows.values():
        estimate, _interval, n, n_eff, flag, baseline, difference = cells[:7]
        assert int(n.replace(",", "")) > 0 and float(n_eff) > 0
        assert flag in {"Reliable", "Not shown: too few answers", "Not shown: too imprecise"}
        assert baseline != "—" and "(20" in baseline  # the official score and its year
        assert (estimate == "—") == (difference == "—") == (flag != "Reliable")
    header = [th.text for th in soup.select("table.summary thead th")]
    assert "Model-based estimate (smoothed)" in header
    caveat = soup.select_one(".caveat").text
    assert "not PAPI scores" in caveat and "opt-in" in caveat and "model-based" in caveat


def test_chart_is_inline_accessible_svg(app, db, world):
    """The dimension chart is inline SVG with a title and description, one group per dimension."""
    period = demo_world(db, world)
    soup, _ = page(client_as(app, world, "analyst"), report_url(period))
    svg = soup.select_one("svg.dimension-chart")
    assert svg["role"] == "img"
    ids = svg["aria-labelledby"].split()
    assert [soup.find(id=i).name for i in ids] == ["title", "desc"]
    assert "1 to 10" in soup.find(id=ids[0]).text
    groups = svg.find_all("g")
    assert len(groups) == 8
    shown = [r for r in summary_rows(soup).values() if r[4] == "Reliable"]
    assert len(svg.select("circle.estimate")) == len(shown) - 1  # the total is not drawn
    assert len(svg.select("path.baseline")) == 8
    assert not soup.select("script") and "http" not in svg.get("xmlns", "http")[7:]


def test_labels_follow_the_language(app, db, world):
    """Dimension names, question texts and option labels are in the page's language."""
    period = demo_world(db, world, 60)
    client = client_as(app, world, "analyst")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "vi"
    soup, _ = page(client, report_url(period))
    text = soup.text
    assert "Kiểm soát tham nhũng trong khu vực công" in text
    assert "Giới tính của ông/bà là gì?" in text and "Nữ" in text
    assert "Tổng điểm" in text or "tổng" in text.lower()
    assert "sex" not in [th.text.strip() for th in soup.select("table.items th")]
    assert "What is your sex?" not in text and "Reliable" not in text
    soup, _ = page(client_as(app, world, "analyst"), report_url(period))
    assert "What is your sex?" in soup.text and "Female" in soup.text
    assert "Control of corruption in the public sector" in soup.text


def test_items_sit_in_details_and_legend_explains_every_flag(app, db, world):
    """Questions are grouped by module in <details>; the legend lists every reliability word."""
    from survey.analysis.present import FLAG_WORDS

    period = demo_world(db, world, 60)
    soup, _ = page(client_as(app, world, "analyst"), report_url(period))
    modules = soup.select("details.module")
    assert modules and all(d.summary.text.strip() for d in modules)
    words = [dt.text for dt in soup.select(".legend dt")]
    assert words == [str(w) for w in FLAG_WORDS.values()]
    rows = soup.select("table.estimates tbody tr:not(.group)")
    assert len(rows) > 100
    for row in rows:
        flag = row.select_one("td.flag")
        n, n_eff = flag.find_previous_siblings("td", limit=2)[::-1]
        assert flag.text.strip() in words
        assert n.text.strip().isdigit() and n_eff.text.strip() not in ("", "—")


def print_rules(css: str) -> str:
    """Return the text of every @media print block of a style sheet."""
    found, start = [], css.find("@media print")
    while start != -1:
        depth, i = 0, css.index("{", start)
        for j in range(i, len(css)):
            depth += {"{": 1, "}": -1}.get(css[j], 0)
            if depth == 0:
                found.append(css[i + 1 : j])
                break
        start = css.find("@media print", j)
    return "\n".join(found)


def test_print_hides_the_picker_and_menus():
    """The print style sheet leaves out the picker, the menus and the download links."""
    from pathlib import Path

    css = (Path(__file__).parents[2] / "survey" / "static" / "staff.css").read_text()
    hidden = [rule.split("{")[0] for rule in print_rules(css).split("}") if "display: none" in rule]
    selectors = {sel.strip() for rule in hidden for sel in rule.split(",")}
    assert {".staff-top", ".picker", ".meta .downloads", "form"} <= selectors


def test_chart_svg_is_xml_and_draws_the_engines_numbers(app, db, world):
    """The SVG parses as XML; each dot sits at the engine's estimate and its title says it."""
    import re
    import xml.etree.ElementTree as ET

    from babel.numbers import format_decimal

    from survey.analysis import present
    from survey.estimation import cache as estimate_cache
    from survey.estimation import parse_periods

    period = demo_world(db, world)
    response = client_as(app, world, "analyst").get(report_url(period))
    svg = re.search(rb"<svg.*?</svg>", response.data, re.S).group(0)
    root = ET.fromstring(svg)
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert root.find("s:title", ns).text and root.find("s:text[@class='axis']", ns) is not None
    rows = estimate_cache.unit_rows(
        db, catalogue_core(), parse_periods(period), "ward", BEN_THANH, {BEN_THANH}, [HCMC],
        app.config["WEIGHT_TRIM_CAP"], float(app.config["SMOOTHING_PRIOR_N"]),
    )  # fmt: skip
    dims = {r["key"]: r for r in rows if r["level"] == "dimension"}
    geometry = present.chart([present.Line(k, "x", r) for k, r in sorted(dims.items())])
    groups = root.findall("s:g", ns)
    summary = summary_rows(BeautifulSoup(response.data, "html.parser"))
    for group, (key, engine), drawn in zip(
        groups, sorted(dims.items()), geometry["rows"], strict=True
    ):
        title = group.find("s:title", ns).text
        circle = group.find("s:circle", ns)
        if engine["shown"]:
            assert float(circle.get("cx")) == drawn["x"]
            text = format_decimal(engine["estimate"], "#,##0.00", locale="en")
            assert text in title
            table = next(v for k, v in summary.items() if k.startswith(key.upper() + " "))
            assert table[0] == text  # the table alternative gives the same number
        else:
            assert (
                circle is None
                and format_decimal(engine["estimate"] or 0, "#,##0.00", locale="en") not in title
            )


def catalogue_core():
    """Return the core questionnaire the pages use."""
    from survey.questionnaire import catalogue

    return catalogue.get("papi-pulse-core", 1)


def test_csv_names_units_and_estimates_in_words_at_the_end(app, db, world):
    """The download ends with the unit's name and the estimate's name, in the page's language."""
    period = demo_world(db, world, 60)
    url = f"/staff/analysis/estimates.csv?unit=ward&code={BEN_THANH}&period={period}"
    for lang, dimension in (("en", "Control of corruption in the public sector"),
                            ("vi", "Kiểm soát tham nhũng trong khu vực công")):  # fmt: skip
        client = client_as(app, world, "analyst")
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = lang
        header, *body = list(csvout.reader(io.BytesIO(client.get(url).data)))
        assert header[-2:] == ["unit_name", "name"]
        assert header[: len(COLUMNS)] == list(COLUMNS)
        named = {(r[header.index("level")], r[header.index("key")]): r[-1] for r in body}
        assert {r[-2] for r in body} == {"Phường Bến Thành"}
        assert named[("dimension", "d4")] == dimension
        assert named[("subdimension", "4.1")].startswith("4.1 ")
        assert all(name for name in named.values())


def test_cli_csv_names_in_vietnamese(app, db, world, runner, tmp_path):
    """`export estimates` (CSV) ends with the names in Vietnamese."""
    period = demo_world(db, world, 60)
    out = tmp_path / "e.csv"
    args = ["export", "estimates", "--unit-type", "ward", "--period", period, "-o", str(out)]
    assert runner.invoke(args=args).exit_code == 0
    header, *body = list(csvout.reader(io.BytesIO(out.read_bytes())))
    assert header[-2:] == ["unit_name", "name"]
    names = {r[header.index("key")]: r[-1] for r in body if r[header.index("level")] == "dimension"}
    assert names["d4"] == "Kiểm soát tham nhũng trong khu vực công"

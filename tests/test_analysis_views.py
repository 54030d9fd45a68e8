"""Analysts' pages: estimates with n and flags, suppressed as a dash, scope, uploads, CSV."""

import io

from bs4 import BeautifulSoup

from survey import csvout
from tests.staff_helpers import BEN_THANH, HCMC, client_as, world_fixture  # noqa: F401

ANSWERS = {"sex": "nam", "age_band": "30_44", "lives_here": "yes"}


def add_answers(db, world, count):
    """Store count core responses at the Bến Thành point in 2026-Q1."""
    import json
    import uuid

    with db.atomic():
        for i in range(count):
            answers = dict(ANSWERS, lives_here="yes" if i % 3 else "no")
            db.execute(
                "INSERT INTO responses (id, point_id, ward_code, province_code,"
                " questionnaire_id, questionnaire_version, modules, answers, locale,"
                " started_at, submitted_at) VALUES (?, ?, ?, ?, 'papi-pulse-core', 1, '[]', ?,"
                " 'vi', '2026-02-01T01:00:00+00:00', '2026-02-01T01:00:00+00:00')",
                [uuid.uuid4().hex, world["point"]["id"], BEN_THANH, HCMC, json.dumps(answers)],
            )


def page(client, url):
    """Return the parsed page and its status."""
    response = client.get(url)
    return BeautifulSoup(response.data, "html.parser"), response.status_code


def test_ward_estimates_show_n_flag_and_dash(app, db, world):
    """Each estimate shows its n; a suppressed one shows a dash and the reason."""
    add_answers(db, world, 12)
    client = client_as(app, world, "analyst")
    soup, status = page(client, f"/staff/analysis/?unit=ward&code={BEN_THANH}&period=2026-Q1")
    assert status == 200
    row = next(tr for tr in soup.select("tbody tr") if "lives_here = yes" in tr.th.text)
    cells = [td.text.strip() for td in row.select("td")]
    assert cells[1] == "—" and "effective sample size" in cells[2]
    assert cells[3] == "12"


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

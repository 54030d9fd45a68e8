"""PAPI plan targets: the file checked whole, history kept, progress with its uncertainty."""

import io

import pytest
from bs4 import BeautifulSoup

from survey import estimation as estimates
from survey import targets
from tests.analysis.test_analysis_views import demo_world, report_url, summary_rows
from tests.factories import HANOI, HCMC
from tests.staff_helpers import client_as

HEADER = "province_code,year,dimension,target\n"
GOOD = HEADER + f'{HCMC},2026,total,45.5\n{HCMC},2026,D1,6\n{HCMC},2026,D3,"5,25"\n'


# These tests store v1 answers: the pages and exports read v1 (v2 is current).
pytestmark = pytest.mark.usefixtures("pin_v1")


def count(db, table):
    """Return how many rows a table holds."""
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_load_stores_targets_with_audit_row(db, world):
    """A good file is stored in one set, with the loader and an audit entry."""
    loaded = targets.load(db, None, GOOD.encode(), "plan.csv")
    assert loaded["rows"] == 3 and loaded["loaded_by"] == "(cli)"
    assert targets.current(db, HCMC, 2026) == {"total": 45.5, "d1": 6.0, "d3": 5.25}
    assert targets.current(db, HCMC, 2025) == {}
    action = db.execute("SELECT action, object_type FROM audit_log").fetchall()
    assert action == [("load_targets", "targets")]


def test_new_load_supersedes_and_keeps_history(db, world):
    """Loading the same province, year and dimension again replaces it; the old row stays."""
    targets.load(db, None, GOOD.encode(), "plan.csv")
    targets.load(db, None, (HEADER + f"{HCMC},2026,D1,6.5\n").encode(), "revised.csv")
    assert targets.current(db, HCMC, 2026)["d1"] == 6.5
    d1 = [r for r in targets.history(db) if r["dimension"] == "d1"]
    assert [(r["target"], r["filename"], bool(r["superseded_at"])) for r in d1] == [
        (6.5, "revised.csv", False),
        (6.0, "plan.csv", True),
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("99,2026,total,40", "Line 2: unknown province code 99."),
        (f"{HCMC},2026,D9,5", "Line 2: unknown dimension D9; use total or D1 to D8."),
        (f"{HCMC},2026,d1,5", "Line 2: unknown dimension d1; use total or D1 to D8."),
        (f"{HCMC},2026,D2,11", "Line 2: target 11 is not a number from 1.0 to 10.0."),
        (f"{HCMC},2026,total,9", "Line 2: target 9 is not a number from 10.0 to 80.0."),
        (f"{HCMC},2026,D2,abc", "Line 2: target abc is not a number from 1.0 to 10.0."),
        (f"{HCMC},20x6,D2,5", "Line 2: year 20x6 is not a year such as 2026."),
        (f"{HCMC},2026,D2", "Line 2: expected 4 values."),
    ],
)
def test_bad_rows_are_refused_with_their_line(db, world, line, message):
    """Each bad row is named with its line, and nothing is stored."""
    data = (HEADER + line + "\n").encode()
    with pytest.raises(targets.TargetError) as info:
        targets.load(db, None, data, "bad.csv")
    assert str(info.value) == message
    assert count(db, "plan_targets") == count(db, "target_sets") == count(db, "audit_log") == 0


def test_duplicate_and_several_problems_one_line_each(db, world):
    """A duplicated row names the first line; every problem of the file is listed, in order."""
    data = GOOD + f"{HCMC},2026,D1,7\n99,2026,D1,7\n"
    with pytest.raises(targets.TargetError) as info:
        targets.load(db, None, data.encode(), "bad.csv")
    assert str(info.value).splitlines() == [
        "Line 5: 79 2026 D1 was already given on line 3.",
        "Line 6: unknown province code 99.",
    ]
    assert count(db, "plan_targets") == 0


def test_header_and_empty_file(db, world):
    """A wrong header or a file without rows is refused."""
    with pytest.raises(targets.TargetError, match="first line"):
        targets.parse(db, b"province,year,dimension,target\n")
    with pytest.raises(targets.TargetError, match="no target rows"):
        targets.parse(db, HEADER.encode())
    with pytest.raises(targets.TargetError) as info:
        targets.parse(db, HEADER.encode("utf-16"))
    assert str(info.value) == "The file is not UTF-8 text."
    assert [p.code for p in info.value.problems] == ["encoding"]


def test_scope_limits_a_managers_file(db, world):
    """A province manager's file may name only their provinces."""
    with pytest.raises(targets.TargetError, match="not one of yours"):
        targets.load(db, None, (HEADER + f"{HANOI},2026,D1,6\n").encode(), "x.csv", [HCMC])


@pytest.mark.parametrize(
    ("lower", "upper", "shown", "verdict"),
    [
        (6.1, 6.9, 1, targets.MET),
        (5.0, 5.9, 1, targets.NOT_MET),
        (5.5, 6.5, 1, targets.UNSURE),
        (6.0, 6.5, 1, targets.UNSURE),  # touching the target is not above it
        (6.1, 6.9, 0, targets.UNRELIABLE),
    ],
)
def test_progress_reads_the_interval(lower, upper, shown, verdict):
    """Met when the lower bound is above the target, not met when the upper is below."""
    row = {"ci_lower": lower, "ci_upper": upper, "shown": shown}
    assert targets.progress(row, 6.0) == verdict
    assert targets.progress(row, None) is None


def test_cli_loads_and_refuses(runner, db, world, tmp_path):
    """`papi-pulse targets load` prints one line on success; errors exit non-zero, one a line."""
    good, bad = tmp_path / "plan.csv", tmp_path / "bad.csv"
    good.write_text(GOOD)
    bad.write_text(GOOD + "99,2026,D1,7\n" + f"{HCMC},2026,D2,0\n")
    ok = runner.invoke(args=["targets", "load", str(good)])
    assert ok.exit_code == 0 and ok.output.strip() == "Loaded 3 targets from plan.csv (set 1)."
    refused = runner.invoke(args=["targets", "load", str(bad)])
    assert refused.exit_code != 0
    lines = refused.output.strip().splitlines()
    assert lines[1:] == [
        "Line 5: unknown province code 99.",
        "Line 6: target 0 is not a number from 1.0 to 10.0.",
    ]
    assert count(db, "plan_targets") == 3


def upload(client, text, name="plan.csv"):
    """Post a targets file; return the response."""
    return client.post(
        "/staff/analysis/targets",
        data={"file": (io.BytesIO(text.encode()), name)},
        content_type="multipart/form-data",
    )


def test_upload_by_manager_and_analyst(app, db, world):
    """A province manager loads their province's targets; a bad file is a 422 with lines."""
    manager = client_as(app, world, "province_manager")
    response = upload(manager, GOOD)
    assert response.status_code == 302
    soup = BeautifulSoup(manager.get("/staff/analysis/targets").data, "html.parser")
    assert "Thành phố Hồ Chí Minh" in soup.select_one("table").text
    refused = upload(manager, HEADER + f"{HANOI},2026,D1,6\n")
    assert refused.status_code == 422
    summary = BeautifulSoup(refused.data, "html.parser").select_one(".error-summary").text
    assert "Line 2: province 01 is not one of yours." in summary
    analyst = upload(client_as(app, world, "analyst"), HEADER + f"{HANOI},2026,D1,6\n")
    assert analyst.status_code == 302
    assert count(db, "plan_targets") == 4


def test_upload_messages_are_translated(app, db, world):
    """In Vietnamese the refusal names the line in Vietnamese, numbers with a decimal comma."""
    client = client_as(app, world, "analyst")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "vi"
    client.get("/?lang=vi")
    refused = upload(client, HEADER + f"{HCMC},2026,D2,11\n")
    assert refused.status_code == 422
    text = BeautifulSoup(refused.data, "html.parser").select_one(".error-summary").text
    assert "Dòng 2" in text and "10" in text and "Line 2" not in text


def test_ward_staff_cannot_upload(app, db, world):
    """Ward staff get 403 on the targets page."""
    assert client_as(app, world, "ward_staff").get("/staff/analysis/targets").status_code == 403


def test_estimates_page_shows_progress_against_the_target(app, db, world):
    """The summary gives the plan target and a verdict that matches the estimate's reliability."""
    period = demo_world(db, world)
    year = estimates.parse_periods(period).last_day.year
    plan = HEADER + f"{HCMC},{year},total,10\n{HCMC},{year},D1,10\n"
    targets.load(db, None, plan.encode(), "plan.csv")
    soup = BeautifulSoup(
        client_as(app, world, "analyst").get(report_url(period)).data, "html.parser"
    )
    header = [th.text for th in soup.select("table.summary thead th")]
    assert f"Plan target {year}" in header
    rows = summary_rows(soup)
    column = header.index(f"Plan target {year}") - 1
    total, d1 = (
        rows["PAPI-style total (10 to 80)"],
        next(v for k, v in rows.items() if k[:2] == "D1"),
    )
    # The total is at least 10 and D1 at most 10: the interval decides as soon as it is shown.
    for cells, verdict in ((total, "Likely met"), (d1, "Likely not met")):
        expected = verdict if cells[4] == "Reliable" else "Cannot tell yet: the estimate"
        assert cells[column].startswith("10.00: ") and expected in cells[column]
    assert rows["D2 Transparency in local decision-making"][column] == "—"
    assert "Likely met: the whole 95 percent interval is above the target" in soup.text

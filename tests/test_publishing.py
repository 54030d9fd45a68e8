"""Publishing a province's quarter: who may, what the snapshot keeps, corrections, audit."""

import json

import pytest

from survey import audit, publishing
from tests.factories import BEN_THANH, HCMC, SAI_GON, make_responses


def test_manager_publishes_a_snapshot_with_its_audit_row(db, world):
    make_responses(db, world["point"], 40)
    make_responses(db, world["other_point"], 12)
    row = publishing.publish(db, world["users"]["province_manager"], HCMC, "2026-Q1")
    assert row["period"] == "2026-Q1" and row["published_by"] == "manager"
    assert row["corrects"] is None
    wards = row["snapshot"]["wards"]
    assert wards[SAI_GON] == {"enough": False}  # 12 answers: no figure at all
    ben_thanh = wards[BEN_THANH]
    assert ben_thanh["enough"] and ben_thanh["answered"] == 40
    assert set(ben_thanh["lines"]) == set(publishing.LINES)
    shown = [line for line in ben_thanh["lines"].values() if line["shown"]]
    assert shown and all(line["lower"] <= line["estimate"] <= line["upper"] for line in shown)
    entries, total = audit.list_entries(db, {"action": "publish"})
    assert total == 1 and entries[0]["object_id"] == str(row["id"])
    assert entries[0]["detail"]["period"] == "2026-Q1"


def test_snapshot_never_keeps_a_suppressed_value(db, world, monkeypatch):
    """A line the engine does not show is stored as not shown, with no number at all."""
    make_responses(db, world["point"], 40)
    real = publishing.estimates.run

    def suppress_d3(*args, **kwargs):
        for values in real(*args, **kwargs):
            row = dict(zip(publishing.estimates.COLUMNS, values, strict=True))
            if row["key"] == "d3":
                row["shown"], row["flag"] = 0, "suppressed_width"
            yield tuple(row.values())

    monkeypatch.setattr(publishing.estimates, "run", suppress_d3)
    row = publishing.publish(db, None, HCMC, "2026-Q1")
    assert row["snapshot"]["wards"][BEN_THANH]["lines"]["d3"] == {"shown": False}
    stored = db.execute("SELECT snapshot FROM publications").fetchone()[0]
    assert json.loads(stored)["wards"][BEN_THANH]["lines"]["d3"] == {"shown": False}


def test_published_figures_stay_when_data_change_and_a_correction_is_a_new_row(db, world):
    make_responses(db, world["point"], 40)
    first = publishing.publish(db, world["users"]["administrator"], HCMC, "2026-Q1")
    make_responses(db, world["point"], 30, seed=99)
    assert publishing.latest(db, HCMC)["snapshot"] == first["snapshot"]
    second = publishing.publish(db, world["users"]["administrator"], HCMC, "2026-Q1")
    assert second["corrects"] == first["id"]
    assert second["snapshot"]["wards"][BEN_THANH]["answered"] == 70
    assert publishing.latest(db, HCMC)["id"] == second["id"]
    assert audit.list_entries(db, {"action": "correct_publication"})[1] == 1


@pytest.mark.parametrize(
    ("role", "period", "code"),
    [
        ("ward_staff", "2026-Q1", "not_allowed"),
        ("analyst", "2026-Q1", "not_allowed"),
        ("hanoi_manager", "2026-Q1", "not_allowed"),
        ("province_manager", "2026-Q9", "bad_period"),
        ("province_manager", "2026-03", "not_a_quarter"),
        ("province_manager", "2999-Q1", "not_over"),
        ("province_manager", "2025-Q1", "no_answers"),
    ],
)
def test_refusals_write_nothing(db, world, role, period, code):
    make_responses(db, world["point"], 5)
    with pytest.raises(publishing.PublishError) as raised:
        publishing.publish(db, world["users"][role], HCMC, period)
    assert raised.value.code == code
    assert db.execute("SELECT count(*) FROM publications").fetchone()[0] == 0
    assert audit.list_entries(db, {"object_type": "publication"})[1] == 0


def test_unknown_province_is_refused(db, world):
    with pytest.raises(publishing.PublishError, match="unknown_province"):
        publishing.publish(db, None, "99", "2026-Q1")


def test_staff_page_publishes_and_says_why_it_refuses(app, db, world):
    from bs4 import BeautifulSoup

    from tests.staff_helpers import client_as

    make_responses(db, world["point"], 40)
    client = client_as(app, world, "province_manager")
    refused = client.post("/staff/publish/", data={"province": HCMC, "period": "2026-03"})
    assert refused.status_code == 422
    assert "Results are published per quarter" in refused.get_data(as_text=True)
    done = client.post(
        "/staff/publish/", data={"province": HCMC, "period": "2026-Q1"}, follow_redirects=True
    )
    soup = BeautifulSoup(done.data, "html.parser")
    assert "The results of 2026-Q1 are published." in soup.select_one(".flash").text
    cells = [td.text for td in soup.select("tbody tr td")]
    assert cells[0] == "2026-Q1" and cells[2] == "manager"

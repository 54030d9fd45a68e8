"""Masking of personal identifiers in free text, and retention of raw responses."""

import json
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey import privacy, responses, retention
from survey.questionnaire import latest
from tests.factories import FLAGGED, make_flagged_response, make_point, response_record
from tests.privacy_cases import KEPT, MASKED

PHONE, EMAIL, ID = privacy.PHONE, privacy.EMAIL, privacy.ID_NUMBER


@pytest.mark.parametrize(
    "text",
    [
        "0912345678",
        "0912 345 678",
        "0912.345.678",
        "0912-345-678",
        "091 234 5678",
        "09 1234 5678",
        "0912 34 56 78",
        "0336123456",
        "0868 123 456",
        "070.123.4567",
        "+84 912 345 678",
        "+84912345678",
        "84912345678",
        "(+84) 912345678",
        "+84 (0) 912 345 678",
        "0084 912 345 678",
        "(0912) 345 678",
        "024 3825 1234",
        "028.3822.1234",
        "0236 3821 234",
        "(024) 3825 1234",
        "+84 24 3825 1234",
        "02838221234",
    ],
)
def test_phone_numbers_are_masked(text):
    masked, kinds = privacy.mask(f"Có gì gọi tôi theo số {text} nhé.")
    assert masked == f"Có gì gọi tôi theo số {PHONE} nhé."
    assert kinds == ["phone"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("email nguyen.van.a@gmail.com nhé", f"email {EMAIL} nhé"),
        ("a_b+c@cong-an.gov.vn", EMAIL),
        ("Thư: Trần.Thị.Bé@yahoo.com.vn.", f"Thư: {EMAIL}."),
        ("CCCD 079203004567", f"CCCD {ID}"),
        ("số 079 203 004 567 của tôi", f"số {ID} của tôi"),
        ("căn cước 001-203-004-567", f"căn cước {ID}"),
        ("CMND 023456789", f"CMND {ID}"),
        ("số CMND: 023 456 789", f"số CMND: {ID}"),
        ("chứng minh nhân dân số 271 234 567", f"chứng minh nhân dân số {ID}"),
        ("mã định danh 079.203.004.567", f"mã định danh {ID}"),
        ("cmt 123456789", f"cmt {ID}"),
    ],
)
def test_emails_and_id_numbers_are_masked(text, expected):
    assert privacy.mask(text)[0] == expected


@pytest.mark.parametrize(
    "text",
    [
        "2 lần",
        "năm 2024",
        "500.000 đồng",
        "500000000 đồng",
        "1.500.000đ",
        "20.000.000 VND",
        "Tôi đến 3 lần trong năm 2024, tốn 500.000 đồng.",
        "84.900.000.000 đồng",
        "ngày 12/03/2024",
        "09.03.2024 10:30",
        "từ 2020 đến 2024",
        "khoảng 10-15 người",
        "số nhà 123/45 đường 3/2",
        "giờ 7:30-11:30",
        "0,5 ha đất",
        "1234567890",
        "mất 2 triệu",
        "chờ 45 phút",
        "tổ 12 khu phố 3",
        "QL1A km 1234",
        "hộ nghèo 2023-2025",
        "3.000.000.000 đồng",
        "lương 12.500.000 một tháng",
    ],
)
def test_ordinary_numbers_are_kept(text):
    assert privacy.mask(text) == (text, [])


CONTEXT = "Người dân để lại {} cho cán bộ."


@pytest.mark.parametrize(("text", "stored"), MASKED, ids=[t for t, _ in MASKED])
def test_common_vietnamese_formats_are_masked(text, stored):
    masked, kinds = privacy.mask(CONTEXT.format(text))
    assert masked == CONTEXT.format(stored)
    assert kinds and privacy.mask(masked) == (masked, [])


@pytest.mark.parametrize("text", KEPT)
def test_ordinary_text_and_numbers_are_kept(text):
    assert privacy.mask(CONTEXT.format(text)) == (CONTEXT.format(text), [])


FRAGMENTS = [text for text, _ in MASKED] + KEPT + ["", "Đường ngập", "0", "84", "@", ".", ","]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=6), st.sampled_from([" ", "", ", ", "\n"]))
def test_masking_is_idempotent(parts, joiner):
    once = privacy.mask(joiner.join(parts))[0]
    assert privacy.mask(once) == (once, [])


def test_two_phones_joined_by_a_comma_are_both_masked():
    assert privacy.mask("0912345678,0987654321")[0] == f"{PHONE},{PHONE}"


def test_every_caller_of_store_response_gets_masked_text_and_the_flag(db):
    point = make_point(db)
    answers = {"sex": "nu", "age_band": "30_44", "pressing_issue": "Gọi 0912 - 345 - 678"}
    record = FLAGGED | {"id": "direct", "flags": [], "answers": answers}
    responses.store_response(db, response_record(db, point, **record))
    stored = responses.get_response(db, "direct")
    assert stored["answers"]["pressing_issue"] == f"Gọi {PHONE}"
    assert stored["flags"] == ["pii_masked"]


def test_several_identifiers_in_one_answer():
    masked, kinds = privacy.mask("Gọi 0912345678 hoặc 0987 654 321, thư a@b.vn, CCCD 079203004567")
    assert masked == f"Gọi {PHONE} hoặc {PHONE}, thư {EMAIL}, CCCD {ID}"
    assert sorted(kinds) == ["email", "id_number", "phone"]


def test_only_free_text_answers_are_masked():
    questionnaire = latest("papi-pulse-core")
    answers = {"pressing_issue": "Gọi 0912345678", "land_extra_amount": "912345678"}
    masked, changed = privacy.mask_answers(questionnaire, answers)
    assert changed
    assert masked == {"pressing_issue": f"Gọi {PHONE}", "land_extra_amount": "912345678"}
    assert privacy.mask_answers(questionnaire, {"pressing_issue": "Đường ngập"})[1] is False


def _store(db, point, response_id, submitted_at, **overrides):
    """Store one response submitted at a given time."""
    return make_flagged_response(
        db, point, response_id, submitted_at=submitted_at, started_at=submitted_at, **overrides
    )


def test_retention_counts_then_deletes_old_responses_once(app, db, runner):
    point = make_point(db)
    _store(db, point, "old1", "2025-01-10T03:00:00+00:00", flags=[])
    _store(db, point, "old2", "2025-02-10T03:00:00+00:00")
    _store(db, point, "old3", "2025-02-11T03:00:00+00:00", flags=[])
    db.execute("UPDATE responses SET review_status = 'excluded' WHERE id = 'old3'")
    _store(db, point, "new1", "2026-01-10T03:00:00+00:00")
    dry = retention.apply(db, 6, dry_run=True, today=date(2026, 1, 20))
    assert dry["deleted"] == 3 and responses.count(db) == 4
    done = retention.apply(db, 6, today=date(2026, 1, 20))
    assert done == {"before": "2025-07-19T17:00:00+00:00", "aggregated": 2, "deleted": 3}
    assert [row["id"] for row in db.query("SELECT id FROM responses")] == ["new1"]
    rows = {
        (r["period"], r["item_id"], r["code"]): (r["n"], r["n_flagged"])
        for r in db.query("SELECT * FROM aggregates")
    }
    assert rows[("2025-Q1", "_responses", "")] == (2, 1)
    assert rows[("2025-Q1", "sex", "nu")] == (2, 1)
    assert rows[("2025-Q1", "pressing_issue", "_text")] == (2, 1)
    assert not any("0912" in key[2] or "Đường" in key[2] for key in rows)
    again = retention.apply(db, 6, today=date(2026, 1, 20))
    assert again["deleted"] == 0
    assert db.execute("SELECT n FROM aggregates WHERE item_id = '_responses'").fetchone()[0] == 2
    entry = db.execute("SELECT action, detail FROM audit_log").fetchall()
    assert [(a, json.loads(d)["deleted"]) for a, d in entry] == [("retention_apply", 3)]


def test_retention_command(app, db, runner):
    point = make_point(db)
    _store(db, point, "old1", "2020-01-10T03:00:00+00:00")
    result = runner.invoke(args=["retention", "apply", "--dry-run"])
    assert result.exit_code != 0 and "RETENTION_MONTHS" in result.output
    result = runner.invoke(args=["retention", "apply", "--months", "12", "--dry-run"])
    assert result.exit_code == 0 and "Would delete 1 response" in result.output
    assert responses.count(db) == 1
    app.config["RETENTION_MONTHS"] = 12
    result = runner.invoke(args=["retention", "apply"])
    assert result.exit_code == 0 and "Deleted 1 response" in result.output
    assert responses.count(db) == 0


def test_privacy_notice_says_what_is_done(client, app):
    page = client.get("/privacy?lang=en").get_data(as_text=True)
    assert "network address is never stored" in page
    assert "hidden before the answer is saved" in page
    assert "marked for staff to check" in page
    app.config["RETENTION_MONTHS"] = 24
    assert "deleted 24 months after" in client.get("/privacy?lang=en").get_data(as_text=True)

"""Staff review of flagged answers: scoped list and filters, show, include/exclude with reason."""

import json

from bs4 import BeautifulSoup

from tests.factories import make_flagged_response
from tests.staff_helpers import client_as


def _ids(response):
    """Return the response ids linked from the review list."""
    soup = BeautifulSoup(response.text, "html.parser")
    return sorted(a["href"].rsplit("/", 1)[1] for a in soup.select("table a"))


def _seed(db, world):
    """Store flagged answers at both points, and one clean answer."""
    make_flagged_response(db, world["point"], "a" * 32, flags=["burst"])
    make_flagged_response(
        db,
        world["point"],
        "b" * 32,
        flags=["too_fast", "pii_masked"],
        submitted_at="2026-05-02T03:00:00+00:00",
    )
    make_flagged_response(db, world["other_point"], "c" * 32, flags=["honeypot"])
    make_flagged_response(db, world["point"], "d" * 32, flags=[])


def test_list_is_scoped_and_filtered(app, db, world):
    _seed(db, world)
    admin = client_as(app, world, "administrator")
    assert _ids(admin.get("/staff/review/")) == ["a" * 32, "b" * 32, "c" * 32]
    assert _ids(client_as(app, world, "ward_staff").get("/staff/review/")) == ["a" * 32, "b" * 32]
    assert _ids(client_as(app, world, "other_ward").get("/staff/review/")) == ["c" * 32]
    assert _ids(client_as(app, world, "province_manager").get("/staff/review/")) == [
        "a" * 32,
        "b" * 32,
        "c" * 32,
    ]
    assert _ids(client_as(app, world, "analyst").get("/staff/review/")) == [
        "a" * 32,
        "b" * 32,
        "c" * 32,
    ]
    assert _ids(admin.get("/staff/review/?flag=too_fast")) == ["b" * 32]
    assert _ids(admin.get(f"/staff/review/?point={world['other_point']['id']}")) == ["c" * 32]
    assert _ids(admin.get("/staff/review/?period=2026-Q2")) == ["b" * 32]
    assert _ids(admin.get("/staff/review/?period=2026-Q1")) == ["a" * 32, "c" * 32]
    bad = admin.get("/staff/review/?period=2026-Q5&lang=en")
    assert bad.status_code == 400 and "The period is not valid" in bad.text
    assert _ids(admin.get("/staff/review/?flag=<script>")) == ["a" * 32, "b" * 32, "c" * 32]


def test_show_lists_flags_and_labelled_answers(app, db, world):
    _seed(db, world)
    page = client_as(app, world, "ward_staff").get("/staff/review/" + "b" * 32 + "?lang=en")
    assert page.status_code == 200
    soup = BeautifulSoup(page.text, "html.parser")
    assert "Answered too fast to read" in soup.text and "Personal data masked" in soup.text
    rows = {th.text: td.text for th, td in ((tr.th, tr.td) for tr in soup.select("table tbody tr"))}
    assert "Female" in rows.values() or "Nữ" in rows.values()
    assert "Đường ngập khi mưa, gọi [số điện thoại]." in rows.values()
    assert client_as(app, world, "other_ward").get("/staff/review/" + "b" * 32).status_code == 404
    assert client_as(app, world, "ward_staff").get("/staff/review/nope").status_code == 404


def test_decisions_need_a_reason_and_are_audited(app, db, world):
    _seed(db, world)
    client = client_as(app, world, "ward_staff")
    url = "/staff/review/" + "a" * 32
    missing = client.post(url, data={"decision": "excluded", "reason": "  "})
    assert missing.status_code == 422
    assert client.post(url, data={"decision": "deleted", "reason": "x"}).status_code == 422
    row = db.execute(
        "SELECT review_status, reviewed_at FROM responses WHERE id = ?", ["a" * 32]
    ).fetchone()
    assert row == ("included", None)
    done = client.post(url, data={"decision": "excluded", "reason": "Cùng máy, 40 phiếu/giờ"})
    assert done.status_code == 302
    status, reason, by = db.execute(
        "SELECT review_status, review_reason, reviewed_by FROM responses WHERE id = ?", ["a" * 32]
    ).fetchone()
    assert (status, reason, by) == ("excluded", "Cùng máy, 40 phiếu/giờ", "ward.staff")
    action, object_id, detail = db.execute(
        "SELECT action, object_id, detail FROM audit_log WHERE object_type = 'response'"
    ).fetchone()
    assert (action, object_id) == ("exclude", "a" * 32)
    assert json.loads(detail) == {
        "flags": ["burst"],
        "from": "included",
        "reason": "Cùng máy, 40 phiếu/giờ",
    }
    assert _ids(client.get("/staff/review/?status=excluded")) == ["a" * 32]
    assert _ids(client.get("/staff/review/?status=pending")) == ["b" * 32]
    client.post(url, data={"decision": "included", "reason": "Gia đình dùng chung máy"})
    assert (
        db.execute("SELECT review_status FROM responses WHERE id = ?", ["a" * 32]).fetchone()[0]
        == "included"
    )


def test_analysts_read_but_do_not_decide(app, db, world):
    _seed(db, world)
    analyst = client_as(app, world, "analyst")
    page = analyst.get("/staff/review/" + "a" * 32)
    assert page.status_code == 200
    assert BeautifulSoup(page.text, "html.parser").select("form[method=post] textarea") == []
    refused = analyst.post(
        "/staff/review/" + "a" * 32, data={"decision": "excluded", "reason": "x"}
    )
    assert refused.status_code == 403
    assert (
        db.execute("SELECT reviewed_at FROM responses WHERE id = ?", ["a" * 32]).fetchone()[0]
        is None
    )


def test_the_reason_is_stored_nfc_as_every_text(app, db, world):
    import unicodedata

    from survey import reviews

    make_flagged_response(db, world["point"], "nfc-reason")
    typed = unicodedata.normalize("NFD", "  Trả lời trùng lặp  ")  # as a Mac keyboard sends it
    client_as(app, world, "ward_staff").post(
        "/staff/review/nfc-reason", data={"decision": "excluded", "reason": typed}
    )
    row = reviews.get_for_review(db, "nfc-reason")
    assert row["review_status"] == "excluded"
    assert row["review_reason"] == "Trả lời trùng lặp"
    detail = db.execute("SELECT detail FROM audit_log WHERE action = 'exclude'").fetchone()[0]
    assert json.loads(detail)["reason"] == "Trả lời trùng lặp"


def test_a_ward_moved_to_another_province_is_reviewed_by_its_new_manager(app, db, world):
    """After a units load moves a ward, the answer is in the new province's list and hands."""
    from tests.factories import HANOI, SAI_GON

    _seed(db, world)
    with db.atomic():
        db.execute("UPDATE wards SET province_code = ? WHERE code = ?", [HANOI, SAI_GON])
    url = "/staff/review/" + "c" * 32
    hanoi = client_as(app, world, "hanoi_manager")
    assert _ids(hanoi.get("/staff/review/")) == ["c" * 32]
    assert hanoi.get(url).status_code == 200
    done = hanoi.post(url, data={"decision": "excluded", "reason": "Phường đã chuyển tỉnh"})
    assert done.status_code == 302
    old = client_as(app, world, "province_manager")
    assert "c" * 32 not in _ids(old.get("/staff/review/"))
    assert old.get(url).status_code == 404
    refused = old.post(url, data={"decision": "included", "reason": "x"})
    assert refused.status_code == 404
    status = db.execute("SELECT review_status FROM responses WHERE id = ?", ["c" * 32]).fetchone()
    assert status == ("excluded",)

"""Ward notes: masked and escaped, public only once approved, with the next quarter's figure."""

from datetime import date

import pytest
from bs4 import BeautifulSoup

from survey import audit, notes, publishing
from survey.public import cache
from tests.factories import BEN_THANH, HCMC, make_responses
from tests.staff_helpers import client_as

NOTE = {
    "ward": BEN_THANH,
    "dimension": "d5",
    "said": "Chị Lan gọi 0912 345 678: quầy <b>Một cửa</b> không có ghế.",
    "did": "Chúng tôi đã thêm 12 ghế.",
    "acted_on": "2025-12-20",
    "acting_unit": "Bộ phận Một cửa, UBND phường",
}


@pytest.fixture(autouse=True)
def fresh_cache():
    """Start and end every test without rendered copies."""
    cache.clear()
    yield
    cache.clear()


def test_note_is_masked_approved_then_public_with_the_next_quarters_figure(app, db, world):
    make_responses(db, world["point"], 40)
    pub = publishing.publish(db, None, HCMC, "2026-Q1")
    staff = client_as(app, world, "ward_staff")
    assert staff.post("/staff/notes/", data=NOTE).status_code == 302
    stored = db.execute("SELECT said, status FROM ward_notes").fetchone()
    assert "0912" not in stored[0] and "[số điện thoại]" in stored[0] and stored[1] == "pending"
    public = app.test_client()
    page = public.get(f"/ket-qua/{BEN_THANH}?lang=en").get_data(as_text=True)
    assert "12 ghế" not in page  # not approved yet
    manager = client_as(app, world, "province_manager")
    listed = BeautifulSoup(manager.get("/staff/notes/").data, "html.parser")
    assert "[số điện thoại]" in listed.select_one("tbody td:nth-of-type(2)").text
    assert "0912" not in listed.text
    note_id = db.execute("SELECT id FROM ward_notes").fetchone()[0]
    done = manager.post(f"/staff/notes/{note_id}/decide", data={"decision": "approved"})
    assert done.status_code == 302
    assert audit.list_entries(db, {"action": "approve_note"})[1] == 1
    response = public.get(f"/ket-qua/{BEN_THANH}?lang=en")
    soup = BeautifulSoup(response.data, "html.parser")
    item = next(li for li in soup.select(".figures li") if "You said:" in li.text)
    assert "We asked: Public administrative procedures" in item.h3.text
    assert "<b>Một cửa</b>" in item.text and not item.select("b")  # escaped, not HTML
    assert "0912" not in response.get_data(as_text=True)
    assert "Bộ phận Một cửa, UBND phường, December 20, 2025." in item.text
    figure = pub["snapshot"]["wards"][BEN_THANH]["lines"]["d5"]
    assert "Score in quarter 1 of 2026, after this:" in item.text
    if figure["shown"]:
        assert f"{figure['estimate']:.1f}" in item.text


def test_rejected_and_pending_notes_never_appear(app, db, world):
    make_responses(db, world["point"], 40)
    publishing.publish(db, None, HCMC, "2026-Q1")
    note = notes.write(
        db, None, BEN_THANH, "d6", "Đường ngập", "Đã khơi thông cống", date(2026, 2, 1), "UBND"
    )
    notes.decide(db, world["users"]["province_manager"], note["id"], "rejected")
    notes.write(db, None, BEN_THANH, "d7", "Rác nhiều", "Thêm thùng rác", date(2026, 2, 1), "UBND")
    page = app.test_client().get(f"/ket-qua/{BEN_THANH}").get_data(as_text=True)
    assert "khơi thông" not in page and "thùng rác" not in page


@pytest.mark.parametrize(
    ("role", "changes", "code"),
    [
        ("other_ward", {}, "not_allowed"),
        ("analyst", {}, "not_allowed"),
        ("ward_staff", {"dimension": "d9"}, "bad_dimension"),
        ("ward_staff", {"said": "  "}, "bad_said"),
        ("ward_staff", {"did": "x" * 401}, "bad_did"),
        ("ward_staff", {"acted_on": date(2999, 1, 1)}, "bad_date"),
    ],
)
def test_bad_notes_are_refused(db, world, role, changes, code):
    values = {
        "dimension": "d5",
        "said": "Không có ghế",
        "did": "Thêm ghế",
        "acted_on": date(2026, 1, 5),
        "acting_unit": "UBND",
    } | changes
    with pytest.raises(notes.NoteError) as raised:
        notes.write(db, world["users"][role], BEN_THANH, **values)
    assert raised.value.code == code
    assert db.execute("SELECT count(*) FROM ward_notes").fetchone()[0] == 0


def test_ward_staff_cannot_approve(db, world):
    note = notes.write(db, None, BEN_THANH, "d5", "a", "b", date(2026, 1, 5), "UBND")
    with pytest.raises(notes.NoteError, match="not_allowed"):
        notes.decide(db, world["users"]["ward_staff"], note["id"], "approved")
    assert notes.get_note(db, note["id"])["status"] == "pending"


def test_a_future_date_on_the_form_is_a_translated_message(app, db, world):
    staff = client_as(app, world, "ward_staff")
    response = staff.post("/staff/notes/", data=NOTE | {"acted_on": "2999-01-01"})
    assert response.status_code == 422
    assert "The date is not valid or is in the future" in response.get_data(as_text=True)
    bad = staff.post("/staff/notes/", data=NOTE | {"acted_on": "hôm qua"})
    assert bad.status_code == 422


def _jpeg_with_gps() -> bytes:
    """Return a JPEG carrying EXIF metadata (a GPS block and the camera owner's name)."""
    import io

    from PIL import Image

    image = Image.new("RGB", (2400, 1600), (200, 120, 40))
    exif = Image.Exif()
    exif[0x013B] = "Nguyễn Văn A"  # Artist
    exif[0x8825] = {1: "N", 2: (21.0, 1.0, 30.0)}  # GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_photo_is_re_encoded_without_metadata_and_public_only_once_approved(app, db, world):
    import io

    from PIL import Image

    original = _jpeg_with_gps()
    assert b"Exif" in original
    staff = client_as(app, world, "ward_staff")
    data = NOTE | {"photo": (io.BytesIO(original), "ghe.jpg")}
    assert (
        staff.post("/staff/notes/", data=data, content_type="multipart/form-data").status_code
        == 302
    )
    note_id = db.execute("SELECT id FROM ward_notes").fetchone()[0]
    public = app.test_client()
    assert public.get(f"/ket-qua/anh/{note_id}.jpg").status_code == 404  # pending
    manager = client_as(app, world, "province_manager")
    seen = manager.get(f"/staff/notes/{note_id}/photo.jpg")
    assert seen.status_code == 200
    manager.post(f"/staff/notes/{note_id}/decide", data={"decision": "approved"})
    served = public.get(f"/ket-qua/anh/{note_id}.jpg")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    image = Image.open(io.BytesIO(served.data))
    assert max(image.size) == 1024 and not image.getexif()
    assert b"Exif" not in served.data and "Nguyễn".encode() not in served.data
    page = BeautifulSoup(public.get(f"/ket-qua/{BEN_THANH}").data, "html.parser")
    assert page.select_one("img.photo")["src"] == f"/ket-qua/anh/{note_id}.jpg"
    # Kept by the browser but asked again: 304 while approved, gone once the note is withdrawn.
    assert served.headers["Cache-Control"] == "public, no-cache"
    tag = {"If-None-Match": served.headers["ETag"]}
    assert public.get(f"/ket-qua/anh/{note_id}.jpg", headers=tag).status_code == 304
    manager.post(f"/staff/notes/{note_id}/decide", data={"decision": "rejected"})
    assert public.get(f"/ket-qua/anh/{note_id}.jpg", headers=tag).status_code == 404


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"GIF89a" + b"\x00" * 100, "The photo must be a JPEG or PNG picture."),
        (b"not an image at all", "The photo must be a JPEG or PNG picture."),
        (b"\xff\xd8" + b"\x00" * 1_500_001, "The photo is too large"),
    ],
)
def test_bad_photos_are_refused_with_a_message(app, db, world, payload, message):
    import io

    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    staff = client_as(app, world, "ward_staff")
    # Encoded here, in memory: the test client spools a large body to a file it never closes.
    values = NOTE | {"photo": FileStorage(io.BytesIO(payload), "x.jpg")}
    boundary, body = encode_multipart(values)
    response = staff.post(
        "/staff/notes/", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM ward_notes").fetchone()[0] == 0

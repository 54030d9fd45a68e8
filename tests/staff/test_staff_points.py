"""Collection points through the staff pages: create, rotate, deactivate, CSV import."""

import io

import pytest
from bs4 import BeautifulSoup

from survey import points
from tests.factories import BEN_THANH, HOAN_KIEM, OTHER_POINT, SAI_GON, SECRET_POINT
from tests.staff_helpers import client_as


def count(db):
    return db.execute("SELECT count(*) FROM points").fetchone()[0]


def test_create_point_records_audit(app, db, world):
    client = client_as(app, world, "ward_staff")
    response = client.post(
        "/staff/points/new",
        data={
            "ward": BEN_THANH,
            "name": "  Nhà văn hóa khu phố 1 ",
            "kind": "community_hall",
            "address": "Số 5",
        },
    )
    assert response.status_code == 302
    row = db.execute("SELECT id, name FROM points ORDER BY id DESC LIMIT 1").fetchone()
    assert row[1] == "Nhà văn hóa khu phố 1"
    audit = db.execute("SELECT action, object_type, object_id, username FROM audit_log").fetchall()
    assert audit == [("create", "point", str(row[0]), "ward.staff")]


def test_edit_point_saves_and_says_so_on_the_point(app, db, world):
    client = client_as(app, world, "ward_staff")
    point_id = world["point"]["id"]
    response = client.post(
        f"/staff/points/{point_id}/edit",
        data={"name": "Quầy một cửa", "kind": "reception", "address": "Số 2"},
    )
    assert response.status_code == 302 and response.location.endswith(f"/staff/points/{point_id}")
    stored = points.get_point(db, point_id)
    assert (stored["name"], stored["kind"], stored["address"]) == (
        "Quầy một cửa",
        "reception",
        "Số 2",
    )
    assert "The changes have been saved." in client.get(response.location).get_data(as_text=True)


def test_ward_search_without_accents_offers_only_scope(app, world):
    client = client_as(app, world, "province_manager")
    body = client.get("/staff/points/new?q=Ben+Thanh").get_data(as_text=True)
    assert "Phường Bến Thành" in body and "Phường Sài Gòn" not in body
    assert "Hoàn Kiếm" not in client.get("/staff/points/new").get_data(as_text=True)


def audit_actions(db):
    return [r[0] for r in db.execute("SELECT action FROM audit_log ORDER BY id")]


def confirm_form(client, url):
    """Open a confirmation page and return its parsed form (action, fields, cancel link)."""
    response = client.get(url)
    assert response.status_code == 200
    form = BeautifulSoup(response.data, "html.parser").select_one("main form[method=post]")
    fields = {i["name"]: i.get("value", "") for i in form.select("input[name]")}
    return form["action"], fields, form.select_one("a")["href"], response.get_data(as_text=True)


def test_rotate_asks_first_and_confirming_rotates(app, db, world):
    client = client_as(app, world, "ward_staff")
    point_id, old = world["point"]["id"], world["point"]["token"]
    show = BeautifulSoup(client.get(f"/staff/points/{point_id}").data, "html.parser")
    link = show.find("a", string="Replace the code")
    assert link["href"] == f"/staff/points/{point_id}/rotate"
    action, fields, cancel, body = confirm_form(client, link["href"])
    assert "Every poster, table tent and QR code printed for this point will stop" in body
    assert "“This code has been replaced”" in body
    assert "print the new poster" in body and "answers already received are kept" in body
    assert points.get_point(db, point_id)["token"] == old
    assert cancel == f"/staff/points/{point_id}"
    response = client.post(action, data=fields)
    assert response.status_code == 302 and response.location.endswith(f"/staff/points/{point_id}")
    assert points.find_by_token(db, old) == (None, "retired")
    new = points.get_point(db, point_id)["token"]
    assert new != old and points.find_by_token(db, new)[1] == "active"
    assert audit_actions(db) == ["rotate_token"]


def test_deactivate_asks_first_and_confirming_deactivates(app, db, world):
    client = client_as(app, world, "administrator")
    point_id = world["point"]["id"]
    show = BeautifulSoup(client.get(f"/staff/points/{point_id}").data, "html.parser")
    link = show.find("a", string="Deactivate")
    action, fields, cancel, body = confirm_form(client, link["href"])
    assert "People who scan its poster will see “This survey point is closed”." in body
    assert "The answers already received are kept and still count in the results." in body
    assert points.find_by_token(db, world["point"]["token"])[1] == "active"
    assert client.post(action, data=fields).status_code == 302
    assert points.find_by_token(db, world["point"]["token"])[1] == "inactive"
    client.post(f"/staff/points/{point_id}/reactivate")
    assert points.find_by_token(db, world["point"]["token"])[1] == "active"
    assert audit_actions(db) == ["deactivate", "reactivate"]


@pytest.mark.parametrize("action", ["rotate", "deactivate"])
def test_one_click_without_the_confirmation_changes_nothing(app, db, world, action):
    client = client_as(app, world, "administrator")
    point_id = world["point"]["id"]
    before = points.get_point(db, point_id)
    for data in ({}, {"confirm": ""}, {"confirm": "no"}):
        response = client.post(f"/staff/points/{point_id}/{action}", data=data)
        assert response.status_code == 303
        assert response.location.endswith(f"/staff/points/{point_id}/{action}")
    assert points.get_point(db, point_id) == before
    assert audit_actions(db) == []


@pytest.mark.parametrize("action", ["rotate", "deactivate"])
def test_cancel_changes_nothing(app, db, world, action):
    client = client_as(app, world, "ward_staff")
    point_id = world["point"]["id"]
    before = points.get_point(db, point_id)
    _, _, cancel, _ = confirm_form(client, f"/staff/points/{point_id}/{action}")
    assert client.get(cancel).status_code == 200
    assert points.get_point(db, point_id) == before
    assert audit_actions(db) == []


@pytest.mark.parametrize("action", ["rotate", "deactivate"])
def test_confirmation_page_of_a_point_out_of_scope_is_404(app, db, world, action):
    client = client_as(app, world, "other_ward")
    point_id = world["point"]["id"]
    response = client.get(f"/staff/points/{point_id}/{action}")
    assert response.status_code == 404
    assert SECRET_POINT not in response.get_data(as_text=True)
    response = client.post(f"/staff/points/{point_id}/{action}", data={"confirm": "yes"})
    assert response.status_code == 404
    assert points.get_point(db, point_id) == world["point"]


def upload(client, content: bytes, filename="points.csv"):
    return client.post(
        "/staff/points/import",
        data={"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def test_csv_import_all_valid_creates_every_point(app, db, world):
    client = client_as(app, world, "province_manager")
    csv = (
        "\ufeffward_code;name;kind;address\n"
        f"{BEN_THANH};Tiếp dân Bến Thành;reception;\n"
        f"{SAI_GON};Điểm lưu động;outreach;Công viên\n"
    ).encode()
    before = count(db)
    assert upload(client, csv).status_code == 302
    assert count(db) == before + 2
    vias = [r[0] for r in db.execute("SELECT detail FROM audit_log")]
    assert all('"via": "csv"' in v for v in vias) and len(vias) == 2


def test_csv_with_broken_rows_writes_nothing_and_explains(app, db, world):
    client = client_as(app, world, "province_manager")
    csv = "\n".join(
        [
            "ward_code,name,kind,address",
            f"{BEN_THANH},Điểm tốt,one_stop,",
            "99999,Không có phường,one_stop,",
            f"{HOAN_KIEM},Ngoài phạm vi,one_stop,",
            f"{SAI_GON},Trùng,one_stop,",
            f"{SAI_GON},trùng,reception,",
            f"{SAI_GON},{OTHER_POINT},reception,",
            f"{BEN_THANH},Loại sai,kiosk,",
            f"{BEN_THANH},{'x' * 121},one_stop,",
            f"{BEN_THANH},Có\x07ký tự,one_stop,",
            f"{BEN_THANH},,one_stop,",
            f"{BEN_THANH},Thừa,one_stop,addr,extra",
        ]
    ).encode()
    before = count(db)
    response = upload(client, csv)
    assert response.status_code == 422
    assert count(db) == before
    body = response.get_data(as_text=True)
    for text in [
        "There is no ward with code 99999.",
        f"Ward {HOAN_KIEM} is not in the area your account manages.",
        "Same ward and name as line 5 of the file.",
        "This ward already has a point with this name",
        "Unknown kind “kiosk”",
        "The name is longer than 120 characters.",
        "The name contains invisible control characters.",
        "The name of the place is empty.",
        "more values than there are columns",
        "Điểm tốt",
    ]:
        assert text in body, text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("ward_code,name\n26743,Nhà Đà\n".encode("cp1258"), "not saved as UTF-8"),
        ("ward_code,name\n26743,Café\n".encode("latin-1"), "not saved as UTF-8"),
        (
            "ward_code,name\n26743,Điểm\n".encode().replace(b"\xc4\x90", b"\xd0"),
            "not saved as UTF-8",
        ),
        (b"code,title\n26743,x\n", "missing: ward_code, name"),
        (b"ward_code,name\n", "no data lines"),
    ],
)
def test_csv_file_problems(app, db, world, content, message):
    client = client_as(app, world, "administrator")
    before = count(db)
    response = upload(client, content)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert count(db) == before


def test_csv_rejects_other_file_types(app, db, world):
    client = client_as(app, world, "administrator")
    response = upload(client, b"ward_code,name\n26743,x\n", "points.xlsx")
    assert response.status_code == 422
    assert "The file must be a .csv file." in response.get_data(as_text=True)


def test_csv_excel_dropped_leading_zeros(app, db, world):
    client = client_as(app, world, "administrator")
    assert upload(client, b"ward_code,name\n70,Mot cua Hoan Kiem\n").status_code == 302
    assert (
        db.execute("SELECT ward_code FROM points WHERE name = 'Mot cua Hoan Kiem'").fetchone()[0]
        == HOAN_KIEM
    )


def test_secret_point_never_reaches_other_ward(app, world):
    client = client_as(app, world, "other_ward")
    for url in ("/staff/", "/staff/points/"):
        body = client.get(url).get_data(as_text=True)
        assert SECRET_POINT not in body and OTHER_POINT in body
    body = client.get(f"/staff/points/?ward={BEN_THANH}").get_data(as_text=True)
    assert SECRET_POINT not in body and "There is no collection point" in body

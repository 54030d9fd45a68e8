"""``papi-pulse points``: the staff pages' point operations from the command line, audit-logged."""

import pytest

from survey import points
from tests.factories import BEN_THANH, HOAN_KIEM, SAI_GON, make_point, make_units
from tests.staff_helpers import client_as

BASE = "https://khaosat.example.vn/s/"


@pytest.fixture
def units(db):
    """Two provinces and three wards."""
    make_units(db)


def invoke(runner, *args):
    return runner.invoke(args=["points", *args])


def stored(db):
    return db.execute(
        "SELECT id, ward_code, name, kind, address, active, token FROM points"
    ).fetchall()


def audit_rows(db):
    return db.execute(
        "SELECT user_id, username, action, object_type, object_id, detail FROM audit_log"
        " ORDER BY id"
    ).fetchall()


def lines(result):
    return [line for line in result.output.splitlines() if line.strip()]


def test_round_trip_create_list_rotate_retire_import(runner, db, units, tmp_path):
    created = {}
    for ward, name, extra in (
        (BEN_THANH, "Bưu điện phường", ["--kind", "reception", "--address", "Số 3 Lê Lợi"]),
        (BEN_THANH, "  Ấp Mới  ", []),
        (HOAN_KIEM, "Nhà văn hóa", ["--kind", "community_hall"]),
    ):
        result = invoke(runner, "create", "--ward", ward, "--name", name, *extra)
        assert result.exit_code == 0, result.output
        assert len(lines(result)) == 1
        point_id, url = result.output.split("Created point ")[1].split(": ")
        point = points.get_point(db, int(point_id))
        assert url.strip() == BASE + point["token"]
        created[name.strip()] = point
    assert created["Bưu điện phường"]["kind"] == "reception"
    assert created["Bưu điện phường"]["address"] == "Số 3 Lê Lợi"
    assert created["Ấp Mới"]["kind"] == "one_stop"  # the default, as on the staff page

    listing = lines(invoke(runner, "list"))
    assert listing[0].split() == ["id", "state", "ward", "name", "kind", "survey", "URL"]
    # Vietnamese order: Hà Nội before Hồ Chí Minh, and Ấ sorts with A, before B (code points
    # would put "Bưu điện" first).
    assert [name for line in listing[1:] for name in created if name in line] == [
        "Nhà văn hóa", "Ấp Mới", "Bưu điện phường"
    ]  # fmt: skip
    assert all(line.endswith(BASE + p["token"]) for line, p in zip(
        listing[1:], [created["Nhà văn hóa"], created["Ấp Mới"], created["Bưu điện phường"]],
        strict=True))  # fmt: skip
    ward_only = lines(invoke(runner, "list", "--ward", BEN_THANH))
    assert len(ward_only) == 3 and all(BEN_THANH in line for line in ward_only[1:])
    province_only = lines(invoke(runner, "list", "--province", "01"))
    assert len(province_only) == 2 and "Nhà văn hóa" in province_only[1]

    point = created["Ấp Mới"]
    result = invoke(runner, "rotate", str(point["id"]))
    assert result.exit_code == 0, result.output
    new_token = points.get_point(db, point["id"])["token"]
    assert new_token != point["token"] and result.output.strip().endswith(BASE + new_token)
    assert points.find_by_token(db, point["token"]) == (None, "retired")

    result = invoke(runner, "retire", str(point["id"]))
    assert result.exit_code == 0, result.output
    assert points.find_by_token(db, new_token)[1] == "inactive"
    listing = lines(invoke(runner, "list", "--ward", BEN_THANH))
    assert listing[-1].split()[:2] == [str(point["id"]), "retired"]  # active points first

    csv_file = tmp_path / "points.csv"
    csv_file.write_text(
        "ward_code;name;kind;address\n26734;Ủy ban phường Sài Gòn;one_stop;Số 1\n"
        "70;Điểm tiếp dân;reception;\n",
        encoding="utf-8",
    )
    result = invoke(runner, "import", str(csv_file))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Created 2 collection point(s)."
    imported = [row for row in stored(db) if row[2] in ("Ủy ban phường Sài Gòn", "Điểm tiếp dân")]
    assert {(row[1], row[3]) for row in imported} == {
        (SAI_GON, "one_stop"),
        (HOAN_KIEM, "reception"),
    }

    rows = audit_rows(db)
    assert {(row[0], row[1]) for row in rows} == {(None, "(cli)")}
    assert [row[2] for row in rows] == [
        "create", "create", "create", "rotate_token", "deactivate", "create", "create"
    ]  # fmt: skip
    assert rows[3][3:5] == ("point", str(point["id"]))
    assert '"via": "csv"' in rows[-1][5]


def test_reactivate_and_deactivate_alias(runner, db, units):
    result = invoke(runner, "create", "--ward", BEN_THANH, "--name", "Một cửa")
    point_id = result.output.split("Created point ")[1].split(":")[0]
    assert invoke(runner, "deactivate", point_id).exit_code == 0
    assert invoke(runner, "retire", point_id).exit_code == 0  # already retired: no new entry
    assert invoke(runner, "reactivate", point_id).exit_code == 0
    assert points.get_point(db, int(point_id))["active"] == 1
    assert [row[2] for row in audit_rows(db)] == ["create", "deactivate", "reactivate"]


def test_ward_code_without_its_leading_zeros_is_padded(runner, db, units):
    result = invoke(runner, "create", "--ward", "70", "--name", "Nhà văn hóa")
    assert result.exit_code == 0, result.output
    assert stored(db)[0][1] == HOAN_KIEM


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["create", "--ward", "99999", "--name", "Điểm"], "no ward with code '99999'"),
        (["create", "--ward", BEN_THANH, "--name", "   "], "name of the place is empty"),
        (["create", "--ward", BEN_THANH, "--name", "x" * 121], "longer than 120 characters"),
        (["create", "--ward", BEN_THANH, "--name", "Điểm\u200b1"], "invisible control"),
        (["rotate", "999"], "no collection point 999"),
        (["retire", "999"], "no collection point 999"),
        (["list", "--ward", "99999"], "no ward with code '99999'"),
        (["list", "--province", "99"], "no province with code '99'"),
    ],
)
def test_bad_input_is_one_line_and_stores_nothing(runner, db, units, args, message):
    before = stored(db)
    result = invoke(runner, *args)
    assert result.exit_code != 0
    assert len(lines(result)) == 1 and message in result.output
    assert "Traceback" not in result.output
    assert stored(db) == before and audit_rows(db) == []


def test_a_retired_point_is_not_rotated(runner, db, units):
    point = make_point(db, BEN_THANH, "Một cửa", "one_stop")
    points.set_active(db, point["id"], False)
    result = invoke(runner, "rotate", str(point["id"]))
    assert result.exit_code == 1 and len(lines(result)) == 1
    assert "is retired: reactivate it" in result.output
    assert points.get_point(db, point["id"])["token"] == point["token"]
    assert audit_rows(db) == []


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"ward,name\n26743,A\n", ["The first line must name the columns; missing: ward_code."]),
        (b"ward_code,name\n", ["The file has no data lines."]),
        ("ward_code,name\n26743,Điểm\n".encode("utf-16"), ["The file is not UTF-8"]),
        (
            b"ward_code,name,kind\n26743,A,one_stop\n99999,B,one_stop\n26743,C,shop\n",
            [
                "line 3: There is no ward with code '99999'.",
                "line 4: Unknown kind 'shop'",
                "Nothing was imported: 2 line(s) to fix.",
            ],
        ),
    ],
)
def test_a_malformed_csv_imports_nothing(runner, db, units, tmp_path, content, expected):
    path = tmp_path / "points.csv"
    path.write_bytes(content)
    result = invoke(runner, "import", str(path))
    assert result.exit_code == 1
    got = lines(result)
    assert len(got) == len(expected)
    for line, start in zip(got, expected, strict=True):
        assert start in line
    assert stored(db) == [] and audit_rows(db) == []


def test_staff_pages_refuse_to_rotate_a_deactivated_point_too(app, db, world):
    client = client_as(app, world, "administrator")
    point = world["point"]
    points.set_state(db, None, point["id"], False)
    for response in (
        client.get(f"/staff/points/{point['id']}/rotate"),
        client.post(f"/staff/points/{point['id']}/rotate", data={"confirm": "yes"}),
    ):
        assert response.status_code == 409
        assert "reactivate it before replacing its code" in response.get_data(as_text=True)
    assert points.get_point(db, point["id"])["token"] == point["token"]
    assert [row[2] for row in audit_rows(db)] == ["deactivate"]


@pytest.mark.parametrize(
    "args",
    [
        ["points", "rotate"],
        ["points", "retire"],
        ["points", "reactivate"],
        ["print", "questionnaire", "-o", "forms.pdf", "--point"],
    ],
)
def test_an_id_too_large_for_sqlite_is_one_line_not_a_traceback(runner, units, args):
    result = runner.invoke(args=[*args, "9" * 20])
    assert result.exit_code != 0
    assert not isinstance(result.exception, OverflowError)
    assert "9" * 20 in result.output and "Traceback" not in result.output

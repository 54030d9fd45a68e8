"""The staff pages, the command line and the CSV import are adapters of the same operations."""

import io
import json

import pytest

from survey import accounts, points
from tests.factories import BEN_THANH
from tests.staff_helpers import client_as


def spy_on(monkeypatch, module, name):
    """Replace module.name by a wrapper that records each call, and return the record."""
    calls = []
    real = getattr(module, name)

    def spy(db, actor, *args, **kwargs):
        calls.append(actor["username"] if actor else None)
        return real(db, actor, *args, **kwargs)

    monkeypatch.setattr(module, name, spy)
    return calls


def last_audit(db):
    row = db.execute(
        "SELECT action, object_type, detail FROM audit_log ORDER BY id DESC LIMIT 1"
    ).fetchone()
    return row[0], row[1], json.loads(row[2])


def test_web_cli_and_import_create_points_through_one_operation(
    app, db, world, runner, monkeypatch, tmp_path
):
    calls = spy_on(monkeypatch, points, "create")
    client = client_as(app, world, "province_manager")
    web = client.post(
        "/staff/points/new",
        data={"ward": BEN_THANH, "name": "Bưu điện", "kind": "reception", "address": ""},
    )
    assert web.status_code == 302
    from_web = last_audit(db)
    cli = runner.invoke(
        args=[
            "points",
            "create",
            "--ward",
            BEN_THANH,
            "--name",
            "Nhà văn hóa",
            "--kind",
            "reception",
        ]
    )
    assert cli.exit_code == 0, cli.output
    from_cli = last_audit(db)
    assert [from_web[0], from_web[1], sorted(from_web[2])] == [
        from_cli[0],
        from_cli[1],
        sorted(from_cli[2]),
    ]
    csv = tmp_path / "points.csv"
    csv.write_text(f"ward_code,name\n{BEN_THANH},Tiếp dân\n", encoding="utf-8")
    assert runner.invoke(args=["points", "import", str(csv)]).exit_code == 0
    upload = client.post(
        "/staff/points/import",
        data={"file": (io.BytesIO(f"ward_code,name\n{BEN_THANH},Lưu động\n".encode()), "p.csv")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 302
    assert calls == ["manager", None, None, "manager"]


@pytest.mark.parametrize("name", ["rotate", "set_state"])
def test_web_and_cli_change_points_through_one_operation(app, db, world, runner, monkeypatch, name):
    calls = spy_on(monkeypatch, points, name)
    point_id = world["point"]["id"]
    client = client_as(app, world, "ward_staff")
    action = "rotate" if name == "rotate" else "deactivate"
    assert (
        client.post(f"/staff/points/{point_id}/{action}", data={"confirm": "yes"}).status_code
        == 302
    )
    points.set_state(db, None, point_id, True)
    command = "rotate" if name == "rotate" else "retire"
    assert runner.invoke(args=["points", command, str(point_id)]).exit_code == 0
    assert calls[0] == "ward.staff" and calls[-1] is None


def test_web_and_cli_create_accounts_through_one_operation(
    app, db, world, runner, monkeypatch, tmp_path
):
    calls = spy_on(monkeypatch, accounts, "create")
    client = client_as(app, world, "administrator")
    web = client.post(
        "/staff/users/new",
        data={
            "username": "lan",
            "role": "analyst",
            "password": "long enough pw",
            "confirm": "long enough pw",
        },
    )
    assert web.status_code == 302
    from_web = last_audit(db)
    secret = tmp_path / "pw.txt"
    secret.write_text("long enough pw\n", encoding="utf-8")
    cli = runner.invoke(
        args=["users", "create", "binh", "--role", "analyst", "--password-file", str(secret)]
    )
    assert cli.exit_code == 0, cli.output
    assert calls == ["admin", None]
    assert from_web == ("create", "user", {"username": "lan", "role": "analyst", "scopes": []})
    assert last_audit(db) == (
        "create",
        "user",
        {"username": "binh", "role": "analyst", "scopes": []},
    )


def test_an_operation_refused_behind_a_page_answers_403_not_500(app, db, world, monkeypatch):
    # The page's own checks come first; should one be missed, the operation still refuses.
    from survey.domain_errors import Refused

    def refuse(*args, **kwargs):
        raise Refused()

    monkeypatch.setattr(points, "update", refuse)
    client = client_as(app, world, "ward_staff")
    response = client.post(
        f"/staff/points/{world['point']['id']}/edit", data={"name": "Tên", "kind": "one_stop"}
    )
    assert response.status_code == 403


def test_margins_uploads_from_the_page_and_the_command_are_audited(
    app, db, world, runner, tmp_path
):
    from tests.test_operations import BASELINES, MARGINS

    client = client_as(app, world, "analyst")
    page = client.post(
        "/staff/analysis/margins",
        data={"file": (io.BytesIO(MARGINS), "m.csv")},
        content_type="multipart/form-data",
    )
    assert page.status_code == 302
    file = tmp_path / "b.csv"
    file.write_bytes(BASELINES)
    assert runner.invoke(args=["baselines", "load", str(file)]).exit_code == 0
    file = tmp_path / "m2.csv"
    file.write_bytes(MARGINS)
    assert runner.invoke(args=["margins", "load", str(file)]).exit_code == 0
    rows = db.execute("SELECT username, action, object_type FROM audit_log ORDER BY id").fetchall()
    assert rows == [
        ("analyst", "load_margins", "margins"),
        ("(cli)", "load_baselines", "baselines"),
        ("(cli)", "load_margins", "margins"),
    ]

"""Paper data entry (#13.3): same answers as online, numbers entered once, bad boxes refused,
skips broken on paper kept and flagged, who typed it kept out of exports."""

import csv
import io
import json
import re

import pytest
from bs4 import BeautifulSoup

from survey import exports, quality, responses
from survey.paper import layout, store
from survey.questionnaire import latest
from survey.staff.paper_check import box_field
from tests.citizen.citizen_helpers import complete, everything
from tests.factories import BEN_THANH, make_point, make_units, make_user
from tests.staff_helpers import sign_in

CORE = latest("papi-pulse-core")
CORE_MODULES = [m.id for m in CORE.core_modules]


@pytest.fixture
def point(db):
    """Return an active point of Phường Bến Thành."""

    make_units(db)
    return make_point(db, BEN_THANH, "Bộ phận Một cửa", "one_stop")


@pytest.fixture
def clerk(client, db, point):
    """Return the signed-in ward staff account of the point's ward."""
    user = make_user(db, "clerk", "ward_staff", [BEN_THANH])
    sign_in(client, user)
    return user


def reserve_with(db, point_id: int, number: int, modules) -> None:
    """Record a printed form holding exactly these modules (as a drawn reservation would)."""
    db.execute(
        "INSERT INTO paper_forms (point_id, form_number, questionnaire_id, questionnaire_version,"
        " modules, drawn, printed_at) VALUES (?, ?, ?, ?, ?, 1, '2026-03-01T00:00:00+00:00')",
        [point_id, number, CORE.id, CORE.version, json.dumps(list(modules))],
    )


def typed_for(form: layout.Form, answers: dict) -> dict:
    """Return what a clerk types for these answers: box numbers, the number, the text."""
    data = {"form_number": str(form.number)}
    for question in form.questions:
        item, value = question.item, answers.get(question.item.id)
        if value is None:
            continue
        numbers = layout.box_numbers(item)
        if item.type == "text" or (item.type == "integer" and isinstance(value, int)):
            data[item.id] = str(value)
        elif item.type == "integer":
            data[box_field(item.id)] = str(numbers[value])
        elif isinstance(value, list):
            data[item.id] = " ".join(str(numbers[code]) for code in value)
        else:
            data[item.id] = str(numbers[value])
    return data


def entry_url(point) -> str:
    """Return the entry page of a point."""
    return f"/staff/points/{point['id']}/paper/entry"


def errors_of(response) -> list[str]:
    """Return the error messages shown beside the fields."""
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return [p.get_text(" ", strip=True).removeprefix("Lỗi:").strip() for p in page.select(".error")]


@pytest.mark.parametrize("run", range(3))
def test_a_paper_form_stores_the_answers_given_online(app, client, db, run):
    """Answer online, then type the same answers from paper: the stored answers are equal."""
    web_point = make_point(db)
    complete(app.test_client(), web_point["token"], everything)
    online = responses.decode(next(iter(db.query("SELECT * FROM responses WHERE mode = 'web'"))))
    staff = make_user(db, f"clerk{run}", "ward_staff", [web_point["ward_code"]])
    sign_in(client, staff)
    reserve_with(db, web_point["id"], 1, online["modules"])
    form = layout.build(CORE, online["modules"], True, 1)
    data = typed_for(form, online["answers"])
    confirm = client.post(entry_url(web_point), data=data)
    assert confirm.status_code == 200, errors_of(confirm)
    saved = client.post(entry_url(web_point), data=dict(data, action="save"))
    assert saved.status_code == 303
    paper = responses.decode(next(iter(db.query("SELECT * FROM responses WHERE mode = 'paper'"))))
    assert paper["answers"] == online["answers"]
    assert paper["modules"] == online["modules"]
    assert paper["source"] == "web"
    assert paper["flags"] == [f for f in online["flags"] if f == "straight_lining"]
    row = db.execute(
        "SELECT entered_by, response_id FROM paper_forms WHERE point_id = ? AND form_number = 1",
        [web_point["id"]],
    ).fetchone()
    assert tuple(row) == (staff["id"], paper["id"])


def test_keyboard_steps_number_then_boxes_then_read_back(client, db, point, clerk):
    store.reserve(db, point["id"], CORE, 2, False, None)
    first = BeautifulSoup(client.get(entry_url(point)).get_data(as_text=True), "html.parser")
    number = first.select_one("#form_number")
    assert number.has_attr("autofocus") and number["value"] == "1"  # the next form to enter
    assert not first.select("script")  # no JavaScript needed
    page = BeautifulSoup(
        client.get(entry_url(point) + "?form_number=1").get_data(as_text=True), "html.parser"
    )
    inputs = page.select("form.paper-entry input[type=text], form.paper-entry textarea")
    assert inputs[0]["id"] == "answered_on" and inputs[0].has_attr("autofocus")  # as printed
    assert inputs[1]["id"] == "sex" and inputs[1]["inputmode"] == "numeric"
    assert "Câu 1" in page.select_one("label[for=sex]").get_text()
    assert "1 Nam · 2 Nữ · 99 Không muốn trả lời" in page.select_one("#sex-hint").get_text()
    data = {"form_number": "1", "sex": "2", "came_for_procedure": "1", "land_extra_amount": "500"}
    confirm = BeautifulSoup(
        client.post(entry_url(point), data=data).get_data(as_text=True), "html.parser"
    )
    cells = {
        row.th.get_text(" ", strip=True).split(".")[0]: row.td.get_text(" ", strip=True)
        for row in confirm.select("tbody tr")
    }
    assert cells["1"] == "2 · Nữ"
    amount = layout.build(CORE, layout.all_modules(CORE), False).numbers()["land_extra_amount"]
    assert cells[str(amount)].startswith("500.000 đồng (năm trăm nghìn đồng)")
    assert confirm.select_one("button[value=save]").has_attr("autofocus")
    assert responses.count(db) == 0  # nothing stored before Save
    hidden = {i["name"]: i["value"] for i in confirm.select("form.actions input[type=hidden]")}
    assert hidden["land_extra_amount"] == "500" and hidden["form_number"] == "1"
    saved = client.post(entry_url(point), data=dict(hidden, action="save"))
    assert saved.status_code == 303 and saved.location.endswith("next=2")
    assert "Đã lưu phiếu số 1" in client.get(saved.location).get_data(as_text=True)
    stored = responses.decode(next(iter(db.query("SELECT * FROM responses"))))
    assert stored["mode"] == "paper" and stored["answers"]["land_extra_amount"] == 500
    audit = db.execute("SELECT user_id, detail FROM audit_log WHERE action = 'enter_paper_form'")
    user_id, detail = audit.fetchone()
    assert user_id == clerk["id"] and json.loads(detail)["form_number"] == 1


def test_a_form_number_already_entered_is_refused_naming_it(client, db, point, clerk):
    store.reserve(db, point["id"], CORE, 1, False, None)
    data = {"form_number": "1", "sex": "1"}
    assert client.post(entry_url(point), data=dict(data, action="save")).status_code == 303
    for response in (
        client.get(entry_url(point) + "?form_number=1"),
        client.post(entry_url(point), data=dict(data, action="save")),
    ):
        assert response.status_code == 409
        assert "Phiếu số 1 của điểm này đã được nhập" in response.get_data(as_text=True)
    assert responses.count(db) == 1


def test_a_blank_form_numbered_by_hand_holds_every_module(client, db, point, clerk):
    page = BeautifulSoup(
        client.get(entry_url(point) + "?form_number=77").get_data(as_text=True), "html.parser"
    )
    assert len(page.select("div.paper-answer:not(#answered_on-group)")) == len(CORE.items)
    client.post(entry_url(point), data={"form_number": "77", "sex": "1", "action": "save"})
    form = store.get_form(db, point["id"], 77)
    assert form.modules == layout.all_modules(CORE) and form.printed_at is None
    assert form.response_id is not None


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ({"sex": "7"}, "Câu 1 không có ô số 7: hãy gõ một trong các số 1, 2, 99."),
        ({"sex": "1 2"}, "Chỉ chọn một câu trả lời."),
        (
            {"sex": "Nam"},
            "Hãy gõ các số in cạnh những ô được đánh dấu (1, 2, 99), cách nhau bằng dấu cách.",
        ),
        ({"services_used": "1 4"}, "cùng với các câu trả lời khác"),
        ({"land_extra_amount": "2000000"}, "Xin ghi số tiền từ"),
        ({box_field("land_extra_amount"): "98"}, "không có ô số 98"),
        ({"form_number": "abc"}, "Số phiếu là một số nguyên từ 1 đến 10000000"),
    ],
)
def test_an_answer_outside_the_boxes_is_refused_with_a_message(
    client, db, point, clerk, typed, message
):
    store.reserve(db, point["id"], CORE, 1, False, None)
    data = {"form_number": "1", "sex": "1", "action": "save"} | typed
    response = client.post(entry_url(point), data=data)
    assert response.status_code in (400, 422)
    assert any(message in text for text in errors_of(response)), errors_of(response)
    assert responses.count(db) == 0


def test_a_skip_broken_on_paper_is_kept_and_flagged_for_review(client, db, point, clerk):
    store.reserve(db, point["id"], CORE, 1, False, None)
    data = {"form_number": "1", "sex": "1", "came_for_procedure": "2", "sipas_access": "4"}
    confirm = client.post(entry_url(point), data=data).get_data(as_text=True)
    assert "Phiếu ghi bỏ qua câu này." in confirm
    client.post(entry_url(point), data=dict(data, action="save"))
    stored = responses.decode(next(iter(db.query("SELECT * FROM responses"))))
    assert stored["answers"]["sipas_access"] == "4"  # kept, not silently dropped
    assert stored["flags"] == ["paper_skip_violated"]
    review = client.get("/staff/review/?flag=paper_skip_violated").get_data(as_text=True)
    assert stored["id"] in review
    shown = client.get(f"/staff/review/{stored['id']}").get_data(as_text=True)
    assert "Giấy, phiếu số 1" in shown
    assert CORE.items["sipas_access"].text("vi") in shown


def test_who_typed_a_form_never_reaches_an_export(client, db, point, clerk):
    client.post(entry_url(point), data={"form_number": "1", "sex": "1", "action": "save"})
    table = exports.export_responses(db, exports.Filters())
    text = json.dumps([table.header, *table.rows], ensure_ascii=False)
    assert "clerk" not in text and "entered_by" not in text
    assert not re.search(rf'"{clerk["id"]}"', text)


def test_paper_entries_do_not_make_a_web_burst(db, point):
    for number in range(1, 30):
        store.enter(db, number, _record(point, f"p{number}"), None)
    assert not quality.is_burst(db, point["id"])


def _record(point, response_id: str) -> dict:
    """Return a minimal paper response record of the point."""
    now = responses.now_iso()
    return {
        "id": response_id, "point_id": point["id"], "ward_code": point["ward_code"],
        "province_code": point["province_code"], "questionnaire_id": CORE.id,
        "questionnaire_version": CORE.version, "modules": CORE_MODULES, "answers": {},
        "locale": "vi", "started_at": now, "submitted_at": now,
    }  # fmt: skip


def test_a_flagged_paper_form_survives_export_and_import(client, db, point, clerk):
    from survey import importer

    data = {"form_number": "1", "sex": "1", "came_for_procedure": "2", "sipas_access": "4"}
    client.post(entry_url(point), data=dict(data, action="save"))
    before = b"".join(exports.stream(exports.export_responses(db, exports.Filters())))
    db.execute("DELETE FROM responses")
    assert importer.import_responses(db, io.BytesIO(before), "paper.csv") == 1
    after = b"".join(exports.stream(exports.export_responses(db, exports.Filters())))
    assert after == before
    assert db.execute("SELECT mode FROM responses").fetchall() == [("paper",)]


def test_an_export_made_before_the_mode_column_imports_as_web(client, db, point, clerk):
    from survey import importer

    client.post(entry_url(point), data={"form_number": "1", "sex": "1", "action": "save"})
    rows = list(csv.reader(io.StringIO(
        b"".join(exports.stream(exports.export_responses(db, exports.Filters()))).decode()
    )))  # fmt: skip
    at = rows[0].index("mode")
    old = io.StringIO()
    csv.writer(old, lineterminator="\n").writerows([row[:at] + row[at + 1 :] for row in rows])
    db.execute("DELETE FROM responses")
    assert importer.import_responses(db, io.BytesIO(old.getvalue().encode()), "old.csv") == 1
    assert db.execute("SELECT mode FROM responses").fetchall() == [("web",)]


def test_the_date_written_on_the_form_decides_its_quarter(client, db, point, clerk):
    from datetime import timedelta

    from survey.staff.paper_entry import today

    store.reserve(db, point["id"], CORE, 1, False, None)
    day = today()
    for typed, message in (
        (f"{(day + timedelta(days=1)):%d/%m/%Y}", "ngày chưa tới"),
        (f"{(day - timedelta(days=3)):%d/%m/%Y}", "không thể được trả lời trước ngày đó"),
        ("32/13/2026", "theo ngày/tháng/năm"),
    ):
        response = client.post(entry_url(point), data={"form_number": "1", "answered_on": typed})
        assert response.status_code == 422
        assert any(message in text for text in errors_of(response)), errors_of(response)
    earlier = day - timedelta(days=40)
    data = {
        "form_number": "9",
        "sex": "1",
        "answered_on": f"{earlier.day}/{earlier.month}/{earlier.year}",
    }
    confirm = client.post(entry_url(point), data=data).get_data(as_text=True)
    assert "Ngày ghi trên phiếu" in confirm
    client.post(entry_url(point), data=dict(data, action="save"))
    stored = next(iter(db.query("SELECT submitted_at, started_at FROM responses")))
    assert stored["submitted_at"] == f"{earlier.isoformat()}T05:00:00+00:00"  # noon in Vietnam
    assert stored["started_at"] == stored["submitted_at"]

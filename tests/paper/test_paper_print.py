"""The paper questionnaire (#13.2): every question, derived skips, numbered forms, large type."""

import io
import json
import re
import shutil
import subprocess

import pytest
from bs4 import BeautifulSoup
from PIL import Image
from pypdf import PdfReader

from survey import migrations, points
from survey.paper import layout, skips, store
from survey.questionnaire import latest, placewords
from tests.factories import BEN_THANH, make_point, make_units, make_user
from tests.staff_helpers import sign_in

CORE = latest("papi-pulse-core")


def words(text: str) -> str:
    """Return text with every run of white space as one space (lines wrap anywhere)."""
    return re.sub(r"\s+", " ", text).strip()


def pdf_text(data: bytes) -> str:
    """Return the words of every page of a PDF, as a reader copying them would."""
    return words(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def font_sizes(data: bytes) -> set[float]:
    """Return every font size the PDF's pages set (the Tf operator)."""
    sizes = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for operands, operator in page.get_contents().operations:
            if operator == b"Tf":
                sizes.add(float(operands[1]))
    return sizes


def skip_sentences(form) -> list[str]:
    """Return the Vietnamese skip sentences the form must print, from its conditions.

    Every jump after a yes/no question ("Nếu chọn “Không”, chuyển sang câu 12.") and every
    only-if line that reads one yes/no answer; there must be at least one of each.
    """
    numbers, jumps, only_ifs = form.numbers(), [], []
    for question in form.questions:
        item = question.item
        for jump in question.jumps:
            if item.type == "yes_no" and jump.codes == ("no",) and jump.target:
                jumps.append(f"Nếu chọn “Không”, chuyển sang câu {jump.target}.")
        condition = item.show_if
        if question.only_if and condition.op == "in" and condition.values == ("yes",):
            if condition.item.type == "yes_no" and condition.item.options[0].vi == "Có":
                only_ifs.append(
                    f"Chỉ trả lời câu này nếu ở câu {numbers[condition.item_id]} ông/bà chọn “Có”."
                )
    assert jumps and only_ifs
    return jumps + only_ifs


@pytest.fixture
def point(db):
    """Return an active point of Phường Bến Thành."""
    make_units(db)
    return make_point(db, BEN_THANH, "Bộ phận Một cửa", "one_stop")


def test_blank_form_has_every_question_and_skip_in_large_type(runner, tmp_path):
    out = tmp_path / "form.pdf"
    result = runner.invoke(args=["print", "questionnaire", "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) > 5
    for number, page in enumerate(reader.pages, start=1):
        assert words(page.extract_text()).startswith(f"Trang {number} / {len(reader.pages)}")
    text = pdf_text(data)
    blank = placewords.neutral(CORE)  # no point: "phường, xã", "thôn, tổ dân phố"
    for item in blank.items.values():
        assert words(item.text("vi")) in text, item.id
    for sentence in skip_sentences(layout.build(blank, layout.all_modules(blank), False)):
        assert sentence in text
    assert "Số phiếu: ......" in text and "Điểm khảo sát: ......" in text
    assert "Phiếu này có đủ tất cả các phần của bảng hỏi." in text
    assert "Ngày trả lời: ........ / ........ / 20........ (ngày / tháng / năm)" in text
    assert min(font_sizes(data)) >= 12


def test_bilingual_form_prints_english_at_12_pt_at_least(runner, tmp_path):
    out = tmp_path / "form.pdf"
    result = runner.invoke(args=["print", "questionnaire", "--lang", "bilingual", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = pdf_text(out.read_bytes())
    assert words(CORE.items["sex"].text("en")) in text
    target = next(
        j.target
        for q in layout.build(CORE, layout.all_modules(CORE), False).questions
        for j in q.jumps
        if q.item.type == "yes_no" and j.codes == ("no",)
    )
    assert f"If you chose “No”, go to question {target}." in text
    assert min(font_sizes(out.read_bytes())) >= 12


@pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="needs poppler-utils (make install-test)"
)
def test_rendered_first_page_shows_the_title_and_the_boxes(runner, tmp_path):
    out = tmp_path / "form.pdf"
    runner.invoke(args=["print", "questionnaire", "-o", str(out)])
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(out), str(tmp_path / "page")],
        check=True,
    )
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    width, height = image.size
    assert abs(width / height - 210 / 297) < 0.01  # A4 portrait
    dark = sum(image.histogram()[:128])
    assert 0.01 < dark / (width * height) < 0.2  # ink, but not a black page
    title = image.crop((0, int(height * 0.06), width, int(height * 0.12)))
    assert title.getextrema()[0] < 64  # the title is printed near the top
    # The tick boxes of question 1 (A4: 18 mm margin, 11 mm indent, boxes from about 40 mm).
    boxes = image.crop((int(width * 0.17), int(height * 0.5), int(width * 0.28), height))
    assert boxes.getextrema()[0] < 100


def test_numbered_forms_reserve_consecutive_numbers_and_record_their_modules(
    runner, db, point, tmp_path
):
    out = tmp_path / "forms.pdf"
    args = ["print", "questionnaire", "--point", str(point["id"]), "--modules", "drawn"]
    result = runner.invoke(args=[*args, "--copies", "3", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "forms 1 to 3" in result.output
    result = runner.invoke(args=[*args, "--copies", "2", "-o", str(tmp_path / "more.pdf")])
    assert "forms 4 to 5" in result.output
    forms = store.forms_between(db, point["id"], 1, 10)
    assert [f.number for f in forms] == [1, 2, 3, 4, 5]
    for form in forms:
        assert form.drawn and form.response_id is None
        rotating = [m for m in form.modules if not CORE.module(m).core]
        assert len(rotating) == CORE.rotating_modules_per_response
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    text = pdf_text(out.read_bytes())
    for form in forms[:3]:
        assert f"Số phiếu: {form.number}" in text
        local = placewords.localise(CORE, "phường")  # the point's own words: "tổ dân phố"
        titles = [local.module(m).title("vi") for m in form.modules if not CORE.module(m).core]
        assert (
            f"ngẫu nhiên cho riêng nó, giống như khi trả lời trên điện thoại: {', '.join(titles)}."
            in text
        )
    assert "Bộ phận Một cửa, Phường Bến Thành" in text
    assert words(reader.pages[-1].extract_text()).startswith("Phiếu số 3, trang")
    audit = db.execute(
        "SELECT detail FROM audit_log WHERE action = 'print_paper_forms' ORDER BY id"
    ).fetchall()
    assert [json.loads(row[0])["first"] for row in audit] == [1, 4]


def test_drawn_form_numbers_its_own_questions(point):
    modules = [m.id for m in CORE.core_modules] + ["procedures", "environment"]
    form = layout.build(CORE, modules, True, 7)
    numbers = form.numbers()
    assert numbers["pressing_issue"] == len(form.questions)
    payment = next(q for q in form.questions if q.item.id == "land_extra_payment")
    assert payment.jumps == (skips.Jump(("no", "refused"), numbers["land_extra_amount"] + 1),)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--modules", "drawn"], "--modules drawn needs --point"),
        (["--point", "999"], "There is no collection point 999."),
        (["--lang", "fr"], "Invalid value for '--lang'"),
        (["--copies", "0"], "Invalid value for '--copies'"),
    ],
)
def test_bad_options_are_one_line_and_print_nothing(runner, db, point, tmp_path, args, message):
    out = tmp_path / "x.pdf"
    result = runner.invoke(args=["print", "questionnaire", *args, "-o", str(out)])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert db.execute("SELECT count(*) FROM paper_forms").fetchone()[0] == 0


def test_inactive_point_prints_nothing(runner, db, point, tmp_path):
    points.set_active(db, point["id"], False)
    result = runner.invoke(
        args=["print", "questionnaire", "--point", str(point["id"]), "-o", str(tmp_path / "x.pdf")]
    )
    assert result.exit_code == 1 and "is inactive" in result.output


def test_print_page_reserves_then_shows_the_same_forms_again(client, db, point):
    user = make_user(db, "ward.staff", "ward_staff", [BEN_THANH])
    sign_in(client, user)
    url = f"/staff/points/{point['id']}/paper"
    page = BeautifulSoup(client.get(url).get_data(as_text=True), "html.parser")
    assert page.select_one("#copies")["value"] == "20"
    response = client.post(url, data={"copies": "2", "language": "vi", "modules": "all"})
    assert response.status_code == 303
    first = client.get(response.location)
    page = BeautifulSoup(first.get_data(as_text=True), "html.parser")
    again = BeautifulSoup(client.get(response.location).get_data(as_text=True), "html.parser")
    assert page.select_one("main") == again.select_one("main")  # a reload reserves nothing
    assert store.next_number(db, point["id"]) == 3
    forms = page.select("article.form")
    assert [f.select_one(".number").get_text(strip=True) for f in forms] == [
        "Số phiếu: 1",
        "Số phiếu: 2",
    ]
    text = words(forms[0].get_text(" "))
    local = placewords.localise(CORE, "phường")  # Bến Thành is a phường
    for item in local.items.values():
        assert words(item.text("vi")) in text, item.id
    assert skip_sentences(layout.build(local, layout.all_modules(local), False))[0] in text
    listing = client.get(url).get_data(as_text=True)
    assert "1 đến 2" in listing
    pdf_response = client.get(response.location + "&format=pdf")
    assert pdf_response.mimetype == "application/pdf"
    assert len(PdfReader(io.BytesIO(pdf_response.data)).pages) >= 2


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("first=1&last=2&language=fr", "phiếu song ngữ"),
        ("first=1&last=2&format=docx", "PDF"),
        ("first=2&last=1", "danh sách phiếu đã in"),
        ("first=50&last=60", "chưa in phiếu nào"),
        ("", "danh sách phiếu đã in"),
    ],
)
def test_print_page_bad_input_is_a_400_that_says_why(client, db, point, query, message):
    sign_in(client, make_user(db, "admin", "administrator"))
    client.post(
        f"/staff/points/{point['id']}/paper",
        data={"copies": "2", "language": "vi", "modules": "all"},
    )
    response = client.get(f"/staff/points/{point['id']}/paper/print?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_too_many_copies_are_refused_with_the_limit(client, db, point):
    sign_in(client, make_user(db, "admin", "administrator"))
    response = client.post(
        f"/staff/points/{point['id']}/paper",
        data={"copies": "5000", "language": "vi", "modules": "all"},
    )
    assert response.status_code == 422
    assert f"Mỗi lần in từ 1 đến {store.MAX_COPIES} phiếu." in response.get_data(as_text=True)
    assert store.next_number(db, point["id"]) == 1


def test_mode_migration_keeps_every_response_as_web(tmp_path):
    db = migrations.reference(11)
    db.execute("INSERT INTO provinces VALUES ('79', 'HCM', 'hcm', 'x', NULL)")
    db.execute("INSERT INTO wards VALUES ('26743', '79', 'BT', 'bt', 'phường', NULL)")
    db.execute(
        "INSERT INTO points (id, ward_code, name, kind, token, created_at, updated_at)"
        " VALUES (1, '26743', 'P', 'one_stop', 'T', 'now', 'now')"
    )
    for index in range(3):
        db.execute(
            "INSERT INTO responses (id, point_id, ward_code, province_code, questionnaire_id,"
            " questionnaire_version, modules, answers, locale, started_at, submitted_at)"
            f" VALUES ('r{index}', 1, '26743', '79', 'q', 1, '[]', '{{}}', 'vi', 'a', 'b')"
        )
    migrations.migrations.apply(db)
    rows = db.execute("SELECT id, mode, source FROM responses ORDER BY id").fetchall()
    assert rows == [("r0", "web", "web"), ("r1", "web", "web"), ("r2", "web", "web")]


def test_the_printed_v2_form_says_the_points_own_place_words(app, client, db, point):
    """A phường of Ho Chi Minh City prints "khu phố" and "trưởng khu phố" where v2 says
    {thon} and {truong}, as its citizen pages do; no placeholder reaches the paper (#14)."""
    app.config["PLACE_WORDS"] = {"79": {"phường": "khu phố"}}
    sign_in(client, make_user(db, "ward.staff", "ward_staff", [BEN_THANH]))
    url = f"/staff/points/{point['id']}/paper"
    response = client.post(url, data={"copies": "1", "language": "vi", "modules": "all"})
    page = BeautifulSoup(client.get(response.location).get_data(as_text=True), "html.parser")
    text = words(page.select_one("article.form").get_text(" "))
    found = text.index("{") if "{" in text else -1
    assert "{" not in text, text[found - 80 : found + 80]
    assert "Lần bầu trưởng khu phố gần nhất" in text and "Việc chung ở khu phố" in text
    assert "tổ dân phố" not in text

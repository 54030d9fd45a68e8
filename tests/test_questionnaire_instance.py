"""An imported module in a questionnaire of the instance: listed, answered, exported, reimported."""

import json
from pathlib import Path

import pytest

from survey import create_app
from survey.config import ConfigError
from survey.questionnaire import catalogue
from survey.xlsform.reader import check_with, read_form
from survey.xlsform.writer import option_label
from tests.citizen.citizen_helpers import complete
from tests.factories import make_point
from tests.xlsform_helpers import workbook

TEST_CONFIG = {
    "TESTING": True,
    "WTF_CSRF_ENABLED": False,
    "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
    "BASE_URL": "https://khaosat.example.vn",
}
PROVINCE_FILE = """id = "hcm-2026"
version = 1
base = "papi-pulse-core:1"
include = ["ngap_nuoc"]
insert_before = "closing"
"""


def questionnaires_dir(app) -> Path:
    return Path(app.instance_path) / "questionnaires"


@pytest.fixture
def province_app(app, runner, tmp_path):
    """Import the flooding module (asked of everyone) and start an app that uses hcm-2026."""
    result = runner.invoke(
        args=["questionnaire", "import", str(workbook(tmp_path / "ngap.xlsx")), "--core"]
    )
    assert result.exit_code == 0, result.output
    (questionnaires_dir(app) / "hcm-2026-v1.toml").write_text(PROVINCE_FILE, encoding="utf-8")
    yield create_app(TEST_CONFIG | {"QUESTIONNAIRE": "hcm-2026"})
    catalogue.use_instance(None)


def test_list_shows_what_is_available_and_active(province_app):
    result = province_app.test_cli_runner().invoke(args=["questionnaire", "list"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    active = next(line for line in lines if "hcm-2026 v1" in line)
    assert active.startswith("* ") and "hcm-2026-v1.toml" in active
    assert "e_government, ngap_nuoc, closing" in active  # before the closing module
    assert any(line.startswith("  papi-pulse-core v1") and "shipped" in line for line in lines)
    module = next(line for line in lines if line.startswith("  ngap_nuoc"))
    assert "core  5 questions  Ngập nước mùa mưa" in module
    assert "included by: hcm-2026-v1.toml" in module


def test_a_citizen_without_javascript_answers_the_imported_module(province_app, tmp_path):
    from survey.webdb import open_db

    db = open_db(province_app)
    try:
        point = make_point(db)
        visited = complete(province_app.test_client(), point["token"])
        rows = db.execute("SELECT questionnaire_id, questionnaire_version, answers FROM responses")
        stored = rows.fetchall()
    finally:
        db.close()
    pages = [path.rsplit("/", 1)[1] for path in visited]
    module_pages = ["ngap_nha", "muc_do_ngap", "ho_tro_kip_thoi_page", "de_xuat_page"]
    assert [p for p in pages if p in module_pages] == module_pages
    assert pages[-1] == "closing" and pages.index("ngap_nha") > pages.index("about_you")
    [(qid, version, answers)] = stored
    answers = json.loads(answers)
    assert (qid, version) == ("hcm-2026", 1)
    assert {key: answers[key] for key in ("nha_bi_ngap", "so_lan_ngap", "thiet_hai",
                                          "ho_tro_kip_thoi")} == {  # fmt: skip
        "nha_bi_ngap": "co", "so_lan_ngap": 3, "thiet_hai": ["nha_cua"],
        "ho_tro_kip_thoi": "kip_thoi",
    }  # fmt: skip
    assert answers["de_xuat"] and answers["lives_here"] == "yes"
    out = tmp_path / "responses.csv"
    exported = province_app.test_cli_runner().invoke(
        args=["export", "responses", "--questionnaire", "hcm-2026:1", "-o", str(out)]
    )
    assert exported.exit_code == 0, exported.output
    header = out.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[-6:-1] == [
        "nha_bi_ngap",
        "so_lan_ngap",
        "thiet_hai",
        "ho_tro_kip_thoi",
        "de_xuat",
    ]


def test_the_citizen_page_of_the_module_is_in_vietnamese_with_the_note_as_help(province_app):
    from survey.webdb import open_db

    db = open_db(province_app)
    try:
        point = make_point(db)
    finally:
        db.close()
    from tests.citizen.citizen_helpers import walk_to

    page = walk_to(province_app.test_client(), point["token"], "ngap_nha")
    text = page.get_data(as_text=True)
    assert "Năm nay nhà ông/bà có bị ngập không?" in text
    assert "Các câu sau hỏi về mùa mưa năm nay." in text
    assert "<script" not in text


def test_a_module_included_by_a_questionnaire_is_never_replaced(province_app, tmp_path):
    result = province_app.test_cli_runner().invoke(
        args=[
            "questionnaire",
            "import",
            str(workbook(tmp_path / "n.xlsx")),
            "--replace",
            "--id",
            "ngap_nuoc",
        ]  # fmt: skip
    )
    assert result.exit_code == 1
    assert "is already a module of hcm-2026 v1" in result.output


def projection(item):
    """Return what an XLSForm carries of a question (see survey/xlsform/writer.py)."""
    kind = "single" if item.type in ("yes_no", "single", "likert5", "rating10") else item.type
    return {
        "id": item.id, "type": kind, "texts": (item.text_vi, item.text_en),
        "hints": (item.hint_vi, item.hint_en), "required": item.required,
        "show_if": item.show_if.raw if item.show_if else None,
        "options": [(o.code, option_label(item, o, "vi"), option_label(item, o, "en"),
                     o.exclusive) for o in item.options],
        "special": [o.code for o in item.special] if kind != "integer" else [],
        "range": (item.min, item.max), "max_length": item.max_length,
        "page": item.page_id,
    }  # fmt: skip


def test_export_reimports_to_the_same_items_and_converts_with_pyxform(province_app, tmp_path):
    from pyxform.xls2xform import convert

    out = tmp_path / "hcm.xlsx"
    result = province_app.test_cli_runner().invoke(
        args=["questionnaire", "export", "--xlsform", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Wrote hcm-2026 v1 (61 questions)" in result.output
    original = catalogue.latest("hcm-2026")
    form = read_form(out)
    table = catalogue.table("hcm-2026", 1) | {"modules": [], "rotating_modules_per_response": 0}
    again = check_with(form, table | {"id": "round-trip"}, "round trip")
    assert [projection(i) for i in again.items.values()] == [
        projection(i) for i in original.items.values()
    ]
    xform = convert(xlsform=str(out), validate=False)
    assert "Năm nay nhà ông/bà có bị ngập không?" in xform.xform
    assert xform.warnings == []


def test_one_module_exports_alone_unless_it_needs_other_questions(province_app, tmp_path):
    runner = province_app.test_cli_runner()
    out = tmp_path / "one.xlsx"
    result = runner.invoke(args=["questionnaire", "export", "--xlsform", "-o", str(out),
                                 "--module", "participation"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert read_form(out).module["id"] == "participation"
    result = runner.invoke(args=["questionnaire", "export", "--xlsform", "-o", str(out),
                                 "--module", "ngap_nuoc"])  # fmt: skip
    assert result.exit_code == 1
    assert "refers to questions outside it (lives_here)" in result.output
    result = runner.invoke(args=["questionnaire", "export", "-o", str(out)])
    assert result.exit_code == 2 and "Choose the format: --xlsform." in result.output


def test_a_wrong_instance_questionnaire_stops_the_start(app, tmp_path):
    folder = questionnaires_dir(app)
    folder.mkdir()
    (folder / "hcm-2026-v1.toml").write_text(PROVINCE_FILE, encoding="utf-8")
    with pytest.raises(ConfigError, match="include: there is no module 'ngap_nuoc'"):
        create_app(TEST_CONFIG)
    (folder / "hcm-2026-v1.toml").unlink()
    (folder / "papi-pulse-core-v2.toml").write_text(
        PROVINCE_FILE.replace("hcm-2026", "papi-pulse-core").replace("version = 1", "version = 2")
        .replace('include = ["ngap_nuoc"]\n', ""), encoding="utf-8"
    )  # fmt: skip
    with pytest.raises(ConfigError, match="is a shipped questionnaire's: give this one its own id"):
        create_app(TEST_CONFIG)
    (folder / "papi-pulse-core-v2.toml").unlink()
    with pytest.raises(ConfigError, match="QUESTIONNAIRE 'hcm-2026' names no questionnaire"):
        create_app(TEST_CONFIG | {"QUESTIONNAIRE": "hcm-2026"})
    catalogue.use_instance(None)

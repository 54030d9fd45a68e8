"""``papi-pulse questionnaire import``: an XLSForm becomes an instance module, or is refused."""

import tomllib
import zipfile
from pathlib import Path

import pytest

from survey.questionnaire import latest
from tests.xlsform_helpers import CHOICES_HEADER, FLOODING_SURVEY, SURVEY_HEADER, workbook

PYXFORM = Path(__file__).parents[1] / "fixtures" / "xlsform" / "pyxform"


def modules_dir(app):
    return Path(app.instance_path) / "questionnaires" / "modules"


def run_import(runner, path, *args):
    return runner.invoke(args=["questionnaire", "import", str(path), *args])


def lines(result):
    return [line for line in result.output.splitlines() if line.strip()]


def test_vietnamese_module_is_written_in_the_instance(app, runner, tmp_path):
    path = workbook(tmp_path / "ngap.xlsx")
    dry = run_import(runner, path, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "module ngap_nuoc: 5 question(s) on 4 page(s); nothing written" in dry.output
    assert not modules_dir(app).exists()

    result = run_import(runner, path)
    assert result.exit_code == 0, result.output
    written = modules_dir(app) / "ngap_nuoc.toml"
    assert f"Wrote module ngap_nuoc: 5 question(s) on 4 page(s) to {written}." in result.output
    module = tomllib.loads(written.read_text(encoding="utf-8"))
    assert (module["id"], module["title_vi"], module["core"]) == (
        "ngap_nuoc", "Ngập nước mùa mưa", False
    )  # fmt: skip
    pages = {page["id"]: page for page in module["pages"]}
    assert list(pages) == ["ngap_nha", "muc_do_ngap", "ho_tro_kip_thoi_page", "de_xuat_page"]
    assert pages["ngap_nha"]["title_en"] == "Flooding where you live"
    flooded = pages["ngap_nha"]["items"][0]
    assert flooded["hint_vi"] == "Các câu sau hỏi về mùa mưa năm nay."  # the note before it
    assert [o["code"] for o in flooded["options"]] == ["co", "khong"]
    assert flooded["special"] == ["dont_know"] and flooded["required"] is True
    times, damage = pages["muc_do_ngap"]["items"]
    assert (times["type"], times["min"], times["max"]) == ("integer", 1, 100)
    assert times["show_if"] == {"item": "nha_bi_ngap", "in": ["co"]}  # the group's relevant
    assert [o.get("exclusive", False) for o in damage["options"]] == [False] * 3 + [True]
    helped = pages["ho_tro_kip_thoi_page"]["items"][0]
    assert helped["show_if"] == {
        "all": [{"item": "nha_bi_ngap", "in": ["co"]}, {"item": "so_lan_ngap", "gte": 2}]
    }
    suggestion = pages["de_xuat_page"]["items"][0]
    assert (suggestion["max_length"], suggestion["required"]) == (300, False)
    assert suggestion["show_if"] == {"item": "lives_here", "in": ["yes"]}  # a core question

    again = run_import(runner, path)
    assert again.exit_code == 1
    assert "module ngap_nuoc already exists" in again.output
    assert run_import(runner, path, "--replace").exit_code == 0


def row(kind, name, vi="Câu hỏi?", en="Question?", **columns):
    """Return a survey row with named extra columns."""
    values = [kind, name, vi, en, columns.get("hint_vi", ""), "", columns.get("required", ""),
              columns.get("relevant", ""), columns.get("constraint", "")]  # fmt: skip
    return values


YES_NO = [["yn", "co", "Có", "Yes"], ["yn", "khong", "Không", "No"]]


@pytest.mark.parametrize(
    ("survey", "choices", "expected"),
    [
        pytest.param(
            [row("select_one yn", "a"), row("rank yn", "b")],
            YES_NO,
            ["survey row 3, column type: type 'rank' is not supported"],
            id="unsupported type",
        ),
        pytest.param(
            [row("decimal", "a", constraint=". >= 0 and . <= 99.5")],
            YES_NO,
            None,
            id="decimal",
        ),
        pytest.param(
            [row("decimal", "a")],
            YES_NO,
            [
                "survey row 2, column constraint: a decimal needs a range, e.g. '. >= 0 and . <= "
                "99.5'"
            ],
            id="decimal without a range",
        ),
        pytest.param(
            [row("decimal", "a", constraint=". >= 'x' and . <= 2")],
            YES_NO,
            [
                "survey row 2, column constraint: a decimal's constraint compares '.' with numbers "
                "(in \". >= 'x' and . <= 2\")"
            ],
            id="decimal with a text bound",
        ),
        pytest.param(
            [
                row("decimal", "a", constraint=". >= 0 and . <= 9.5"),
                row("integer", "b", relevant="${a} > 2.5", constraint=". >= 0 and . <= 9"),
            ],
            YES_NO,
            [
                "survey row 3, column relevant: ${a} is a decimal number: compare it with >= or "
                "<=, not > (in '${a} > 2.5')"
            ],
            id="decimal compared strictly",
        ),
        pytest.param(
            [
                row("integer", "a", constraint=". >= 0 and . <= 9"),
                row("integer", "b", relevant="${a} >= 2.5", constraint=". >= 0 and . <= 9"),
            ],
            YES_NO,
            ["survey row 3, column relevant: 2.5 is not a whole number (in '${a} >= 2.5')"],
            id="whole number compared with a decimal",
        ),
        pytest.param(
            [row("select_one yn", "a"), row("select_one yn", "a")],
            YES_NO,
            ["survey row 3, column name: 'a' is used twice (row 2)"],
            id="duplicate name",
        ),
        pytest.param(
            [row("select_one yn", "a"), row("select_one nhieu_muc", "b")],
            YES_NO,
            ["survey row 3, column type: there is no choice list 'nhieu_muc' on the choices sheet"],
            id="unknown list",
        ),
        pytest.param(
            [row("text", "a"), row("select_one yn", "b", relevant="regex(${a}, '[0-9]+')")],
            YES_NO,
            [
                "survey row 3, column relevant: the function regex() is not supported (in "
                "\"regex(${a}, '[0-9]+')\")"
            ],
            id="formula the model cannot express",
        ),
        pytest.param(
            [
                row("integer", "a", constraint=". >= 0 and . <= 9"),
                row("integer", "b", relevant="${a} > ${a}", constraint=". >= 0 and . <= 9"),
            ],
            YES_NO,
            [
                "survey row 3, column relevant: comparing two questions is not supported (in "
                "'${a} > ${a}')"
            ],
            id="two questions compared",
        ),
        pytest.param(
            [row("select_one yn", "a", relevant="${b} = 'co'"), row("select_one yn", "b")],
            YES_NO,
            [
                "survey row 2, column relevant: ${b} comes later: a condition looks back only "
                "(in \"${b} = 'co'\")"
            ],
            id="later question",
        ),
        pytest.param(
            [
                ["begin_group", "g", "Nhóm", "Group"],
                row("select_one yn", "a"),
                row("select_one yn", "b", relevant="${a} = 'co'"),
                ["end_group"],
            ],
            YES_NO,
            [
                "survey row 4, column relevant: ${a} is on the same page (group): a follow-up "
                "question goes in a later group, so that the page works without JavaScript (in "
                "\"${a} = 'co'\")"
            ],
            id="same page",
        ),
        pytest.param(
            [row("select_one yn", "a"), row("select_one yn", "b", relevant="${a} = 'co'")],
            [["yn", "co", "Có", "Yes"], ["yn", "khong", "Không", "No"]],
            None,
            id="a valid form (control)",
        ),
        pytest.param(
            [row("select_one yn", "a"), row("select_one yn", "b", relevant="${a} = 'maybe'")],
            YES_NO,
            ["survey row 3, column relevant: ${a} has no choice 'maybe' (in \"${a} = 'maybe'\")"],
            id="unknown code",
        ),
        pytest.param(
            [row("integer", "a")],
            YES_NO,
            [
                "survey row 2, column constraint: an integer needs a range, e.g. '. >= 0 and . <= "
                "100'"
            ],
            id="integer without range",
        ),
        pytest.param(
            [row("select_one yn", "sex")],
            YES_NO,
            ["survey row 2, column name: 'sex' is already a question of papi-pulse-core v2"],
            id="name of a core question",
        ),
        pytest.param(
            [row("select_one yn", "A1")],
            YES_NO,
            [
                "survey row 2, column name: 'A1' is not a valid name: use a-z, 0-9 and _, "
                "starting with a letter"
            ],
            id="bad name",
        ),
        pytest.param(
            [
                ["begin_group", "g", "Nhóm", "Group"],
                ["begin_group", "h", "Nhóm", "Group"],
                row("select_one yn", "a"),
                ["end_group"],
                ["end_group"],
            ],
            YES_NO,
            [
                "survey row 3, column type: a group inside a group is not supported",
                "survey row 6, column type: end_group without a begin_group",
            ],
            id="nested group",
        ),
        pytest.param(
            [row("select_one yn", "a"), ["note", "n", "Ghi chú", "Note"]],
            YES_NO,
            ["survey row 3, column type: a note must come before a question of its page"],
            id="note at the end",
        ),
        pytest.param(
            [row("select_one yn", "a", required="${b}")],
            YES_NO,
            ["survey row 2, column required: required must be yes or no, not '${b}'"],
            id="required formula",
        ),
        pytest.param(
            [row("select_one yn or_other", "a")],
            YES_NO,
            ["survey row 2, column type: 'or_other' after the list is not supported"],
            id="or_other",
        ),
        pytest.param(
            [row("select_one yn", "a", vi="Chào ${b}")],
            YES_NO,
            ["survey row 2, column label: a label cannot show an answer (${...})"],
            id="answer in label",
        ),
        pytest.param(
            [row("select_one yn", "a")],
            [["yn", "Co", "Có", "Yes"], ["yn", "co", "", ""]],
            [
                "choices row 2, column name: 'Co' is not a valid choice name: use a-z, 0-9 and _",
                "choices row 3, column label: the label is empty",
            ],
            id="bad choices",
        ),
        pytest.param(
            [row("select_one yn", "a")],
            [["yn", "co", "Có", "Yes"], ["yn", "co", "Có", "Yes"]],
            ["choices row 3, column name: 'co' appears twice in list yn"],
            id="duplicate choice",
        ),
    ],
)
def test_each_refusal_is_one_line_naming_sheet_row_and_column(
    app, runner, tmp_path, survey, choices, expected
):
    path = workbook(tmp_path / "form.xlsx", survey=survey, choices=choices,
                    settings=[["form_id"], ["thu_nghiem"]])  # fmt: skip
    result = run_import(runner, path)
    if expected is None:
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code == 1
    assert lines(result) == [*expected, f"Error: Nothing was written: {len(expected)} problem(s)."]
    assert "Traceback" not in result.output
    assert not modules_dir(app).exists()


def test_unsupported_columns_and_languages_are_refused_once_each(app, runner, tmp_path):
    header = [*SURVEY_HEADER, "label::Français (fr)", "calculation"]
    survey = [
        row("select_one yn", "a") + ["Question ?", ""],
        row("select_one yn", "b") + ["", "1+1"],
        row("select_one yn", "c") + ["", "2"],
    ]
    path = workbook(tmp_path / "form.xlsx", survey=survey, choices=YES_NO, survey_header=header)
    result = run_import(runner, path)
    assert lines(result)[:2] == [
        "survey row 2, column label::français (fr): only Vietnamese (vi) and English (en) texts "
        "are supported",
        "survey row 3, column calculation: column 'calculation' is not supported (used in 2 rows)",
    ]


def test_the_module_id_must_be_new(app, runner, tmp_path):
    path = workbook(tmp_path / "form.xlsx", settings=[["form_id"], ["core"]])
    result = run_import(runner, path)
    expected = "'core' is already a module of papi-pulse-core v2 (give another --id)"
    assert lines(result)[0] == expected
    assert run_import(runner, path, "--id", "ngap_2026", "--dry-run").exit_code == 0


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("form.csv", b"type,name,label\n", "form.csv is not an .xlsx file"),
        (
            "form.xls",
            b"\xd0\xcf\x11\xe0",
            "form.xls is not an .xlsx file (save it as Excel Workbook .xlsx)",
        ),
        (
            "form.xlsx",
            b"type,name,label\n",
            "form.xlsx is not an Excel workbook (an .xlsx file is a zip archive)",
        ),
    ],
)
def test_a_file_that_is_not_an_xlsx_workbook_is_refused(runner, tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    result = run_import(runner, path)
    assert result.exit_code == 1 and lines(result) == [
        expected, "Error: Nothing was written: 1 problem(s)."
    ]  # fmt: skip


def test_a_50_mb_file_is_refused_by_its_size_before_it_is_parsed(runner, tmp_path, monkeypatch):
    import openpyxl

    def never(*args, **kwargs):
        raise AssertionError("the file was parsed")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    path = tmp_path / "big.xlsx"
    with open(path, "wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: no 50 MB written to the disk
    result = run_import(runner, path)
    assert result.exit_code == 1
    expected = "big.xlsx is 52,428,800 bytes; an XLSForm module is at most 2,097,152"
    assert lines(result)[0] == expected


def test_a_small_file_that_unpacks_to_too_much_is_refused(runner, tmp_path, monkeypatch):
    import openpyxl

    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: pytest.fail("parsed"))
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (41 * 1024 * 1024))
    assert path.stat().st_size < 200_000
    result = run_import(runner, path)
    assert "bomb.xlsx would unpack to 42,991,616 bytes; at most 41,943,040" in result.output


def test_a_workbook_without_a_survey_sheet_is_refused(runner, tmp_path):
    path = workbook(tmp_path / "form.xlsx", sheets={"Trang 1": [["type", "name", "label"]]})
    result = run_import(runner, path)
    assert lines(result)[0] == "the workbook has no sheet named survey (its sheets: trang 1)"


def test_pyxform_examples_inside_the_subset_import(runner):
    for name, summary in (
        ("yes_or_no_question.xlsx", "module yes_or_no_question: 1 question(s) on 1 page(s)"),
        ("extra_columns.xlsx", "module extra_columns: 1 question(s) on 1 page(s)"),
    ):
        result = run_import(runner, PYXFORM / name, "--dry-run")
        assert result.exit_code == 0, result.output
        assert summary in result.output
        assert "note: no Vietnamese labels: the English or default ones are used" in result.output


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("text_and_integer.xlsx", [
            "survey row 3, column constraint: an integer needs a range, e.g. '. >= 0 and . <= 100'",
        ]),
        ("group.xlsx", [
            "survey row 4, column type: type 'phone number' is not supported",
            "survey row 5, column constraint: an integer needs a range, e.g. '. >= 0 and . <= 100'",
        ]),
        ("or_other.xlsx", [
            "survey row 3, column choice_filter: column 'choice_filter' is not supported (used in "
            "1 row)",
            "choices row 2, column pastel: column 'pastel' is not supported (used in 5 rows)",
            "survey row 2, column type: 'or_other' after the list is not supported",
        ]),
    ],
)  # fmt: skip
def test_pyxform_examples_outside_the_subset_are_refused_line_by_line(runner, name, expected):
    result = run_import(runner, PYXFORM / name)
    assert result.exit_code == 1
    assert lines(result) == [*expected, f"Error: Nothing was written: {len(expected)} problem(s)."]


def test_the_flooding_rows_are_a_valid_form_on_their_own_header(tmp_path):
    # The fixture's header has the columns the rows use, in order (a guard for the tests above).
    assert len(max(FLOODING_SURVEY, key=len)) <= len(SURVEY_HEADER)
    assert CHOICES_HEADER[0] == "list_name"
    assert latest("papi-pulse-core").items["lives_here"].type == "yes_no"

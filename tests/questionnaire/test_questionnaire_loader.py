"""The loader accepts the shipped file and reports every kind of error with its item id."""

import textwrap
import tomllib
import unicodedata

import pytest

from survey import questionnaire as qn
from survey.questionnaire import LoadError, QuestionnaireError, loads
from survey.questionnaire.loader import from_raw

HEADER = """\
id = "t"
version = 1
title_vi = "Thử"
title_en = "Test"
intro_vi = "Giới thiệu"
intro_en = "Introduction"
organiser_vi = "Phường"
organiser_en = "Ward"
rotating_modules_per_response = {per}
"""

MODULE = """
[[modules]]
id = "{id}"
title_vi = "Phần"
title_en = "Part"
core = {core}
"""

PAGE = """
[[modules.pages]]
id = "{id}"
title_vi = "Trang"
title_en = "Page"
"""

Q1 = """
[[modules.pages.items]]
id = "q1"
type = "single"
role = "experience"
text_vi = "Câu một?"
text_en = "Question one?"
options = [{ code = "a", vi = "A", en = "A" }, { code = "b", vi = "B", en = "B" }]
special = ["dont_know"]
"""

Q9 = """
[[modules.pages.items]]
id = "q9"
type = "yes_no"
role = "experience"
text_vi = "Câu chín?"
text_en = "Question nine?"
"""


def build(snippet: str, per: int = 0) -> str:
    """Return a questionnaire with q1 on page p1, the snippet's items on p2 and q9 on p3."""
    items = "".join(
        "\n[[modules.pages.items]]\n" + textwrap.dedent(block).strip() + "\n"
        for block in snippet.split("---")
    )
    return (
        HEADER.format(per=per)
        + MODULE.format(id="m1", core="true")
        + PAGE.format(id="p1")
        + Q1
        + PAGE.format(id="p2")
        + items
        + PAGE.format(id="p3")
        + Q9
    )


def errors_of(text: str) -> list[LoadError]:
    """Return the load errors of text (failing if it loads)."""
    with pytest.raises(QuestionnaireError) as info:
        loads(text)
    return info.value.errors


YES_NO = 'id = "x"\ntype = "yes_no"\nrole = "experience"\ntext_vi = "Câu?"\ntext_en = "Question?"\n'
INTEGER = (
    'id = "x"\ntype = "integer"\nrole = "experience"\ntext_vi = "Bao nhiêu?"\n'
    'text_en = "How many?"\nmin = 0\nmax = 10\n'
)
LIKERT = (
    'id = "x"\ntype = "likert5"\nrole = "perception"\ntext_vi = "Thế nào?"\ntext_en = "How?"\n'
    'low_vi = "Kém"\nlow_en = "Poor"\nhigh_vi = "Tốt"\nhigh_en = "Good"\n'
)
SCORE = 'dimension = "d1", subdimension = "1.1", indicator = "i", direction = "higher_better"'
DECOMPOSED = unicodedata.normalize("NFD", "Câu hỏi?")

BROKEN = [
    # (snippet on page p2, item id in the error, fragment of the message)
    ('id = "x"\ntype = "yes_no"\nrole = "experience"\ntext_vi = "Câu?"', "x",
     "missing English translation 'text_en'"),
    (YES_NO.replace('"Câu?"', '"  "'), "x", "missing Vietnamese translation 'text_vi'"),
    (YES_NO.replace("yes_no", "slider"), "x", "unknown type 'slider'"),
    (YES_NO.replace('"x"', '"q1"'), "q1", "duplicate item id 'q1'"),
    (YES_NO.replace('"x"', '"Bad-Id"'), "Bad-Id", "not a valid identifier"),
    (YES_NO.replace('role = "experience"\n', ""), "x", "missing field 'role'"),
    (YES_NO.replace("experience", "opinion"), "x", "unknown role 'opinion'"),
    (YES_NO + "requird = false", "x", "unknown field 'requird'"),
    (YES_NO + "max_length = 20", "x", "field 'max_length' is not used by yes_no items"),
    (YES_NO + "required = 1", "x", "field 'required' must be true or false"),
    (YES_NO.replace("yes_no", "single") + 'options = [{ code = "Bad Code", vi = "A", en = "A" },'
     ' { code = "b", vi = "B", en = "B" }]', "x", "code must be a lower-case snake_case"),
    (YES_NO.replace("yes_no", "single") + 'options = [{ code = "a", vi = "A", en = "A" },'
     ' { code = "a", vi = "B", en = "B" }]', "x", "duplicate option code 'a'"),
    (YES_NO.replace("yes_no", "single") + 'options = [{ code = "a", vi = "A", en = "" },'
     ' { code = "b", vi = "B", en = "B" }]', "x", "option 'a': missing English translation"),
    (YES_NO.replace("yes_no", "single") + 'options = [{ code = "a", vi = "A", en = "A",'
     ' exclusive = true }, { code = "b", vi = "B", en = "B" }]', "x",
     "only multiple-choice options can be exclusive"),
    (YES_NO.replace("yes_no", "single") + 'options = [{ code = "a", vi = "A", en = "A" }]', "x",
     "needs at least two options"),
    (YES_NO + 'special = ["maybe"]', "x", "unknown special code 'maybe'"),
    (YES_NO + 'show_if = { item = "q9", in = ["yes"] }', "x",
     "item x: show_if: refers to 'q9' which comes later"),
    (YES_NO + 'show_if = { item = "nope", in = ["yes"] }', "x", "refers to unknown item 'nope'"),
    (YES_NO + 'show_if = { item = "q1", in = ["zzz"] }', "x", "'q1' has no answer code 'zzz'"),
    (YES_NO + 'show_if = { item = "q1", not_in = ["a", "b", "c"] }', "x",
     "'q1' has no answer code 'c'"),
    (YES_NO + 'show_if = { item = "q1", gte = 3 }', "x", "'gte' needs a numeric question"),
    (YES_NO + 'show_if = { item = "q1", answered = "yes" }', "x", "'answered' must be true"),
    (YES_NO + 'show_if = { item = "q1" }', "x", "needs exactly one of in, not_in, answered"),
    (YES_NO + 'show_if = { all = [] }', "x", "'all' needs a non-empty list of conditions"),
    (YES_NO + 'show_if = { any = [{ item = "q1", in = ["a"] }, { item = "q1", in = ["z"] }] }',
     "x", "'q1' has no answer code 'z'"),
    (YES_NO + 'show_if = { not = { item = "q9", in = ["yes"] } }', "x", "which comes later"),
    (YES_NO + '---\nid = "y"\ntype = "yes_no"\nrole = "experience"\ntext_vi = "Câu?"\n'
     'text_en = "Q?"\nshow_if = { item = "x", in = ["yes"] }', "y", "on the same page"),
    (YES_NO + f'scoring = {{ {SCORE.replace("d1", "d9")}, score = {{ yes = 1, no = 0 }} }}', "x",
     "unknown dimension 'd9'"),
    (YES_NO + f'scoring = {{ {SCORE.replace("1.1", "5.2")}, score = {{ yes = 1, no = 0 }} }}',
     "x", "unknown subdimension '5.2'"),
    (YES_NO + f'scoring = {{ {SCORE.replace("1.1", "5.1")}, score = {{ yes = 1, no = 0 }} }}',
     "x", "subdimension '5.1' does not belong to dimension 'd1'"),
    (YES_NO + f'scoring = {{ {SCORE}, score = {{ yes = 1.5, no = 0 }} }}', "x",
     "score for 'yes' is 1.5, outside [0, 1]"),
    (YES_NO + f'scoring = {{ {SCORE}, score = {{ yes = 1 }} }}', "x",
     "gives no score for option 'no'"),
    (YES_NO + f'scoring = {{ {SCORE}, score = {{ yes = 1, no = 0, maybe = 0 }} }}', "x",
     "code 'maybe' which is not an option"),
    (YES_NO + f'scoring = {{ {SCORE} }}', "x", "missing field 'score'"),
    (YES_NO + f'scoring = {{ {SCORE}, score = {{ yes = 1, no = 0 }} }}'.replace("higher_", "up_"),
     "x", "direction 'up_better' must be one of"),
    (YES_NO + f'scoring = {{ {SCORE}, score = {{ yes = 1, no = 0 }}, dont_know = "as_zero" }}',
     "x", "does not offer special 'dont_know'"),
    (YES_NO + f'scoring = {{ {SCORE}, score = {{ yes = 1, no = 0 }}, eligibility = {{ item = '
     f'"q9", in = ["yes"] }} }}', "x", "scoring.eligibility: refers to 'q9' which comes later"),
    (INTEGER + f"scoring = {{ {SCORE} }}", "x", "missing field 'anchors'"),
    (INTEGER + f"scoring = {{ {SCORE}, anchors = [10, 5] }}", "x", "low < high"),
    (INTEGER.replace("max = 10", "max = 5").replace("min = 0", "min = 10"), "x",
     "min 10 is greater than max 5"),
    (INTEGER.replace("max = 10\n", ""), "x", "missing field 'max'"),
    (LIKERT + f"scoring = {{ {SCORE}, anchors = [0, 5] }}", "x", "outside the likert5 scale"),
    (LIKERT + f"scoring = {{ {SCORE}, score = {{ yes = 1 }} }}", "x",
     "'score' is only for yes_no, single and multiple"),
    (LIKERT.replace('low_vi = "Kém"\n', ""), "x", "missing Vietnamese translation 'low_vi'"),
    (LIKERT + 'labels_vi = ["1", "2"]\nlabels_en = ["1", "2"]', "x", "must list 5"),
    ('id = "x"\ntype = "text"\nrole = "open"\ntext_vi = "Ý kiến?"\ntext_en = "Views?"\n'
     f"scoring = {{ {SCORE} }}", "x", "text questions cannot be scored"),
    ('id = "x"\ntype = "text"\nrole = "open"\ntext_vi = "Ý kiến?"\ntext_en = "Views?"\n'
     'special = ["dont_know"]', "x", "field 'special' is not used by text items"),
    (YES_NO.replace("experience", "weighting"), "x", "needs weighting_variable"),
    (YES_NO + 'weighting_variable = "sex"', "x", "only for items with role = 'weighting'"),
    (YES_NO.replace('"Câu?"', f'"{DECOMPOSED}"'), "x", "is not NFC-normalised"),
]  # fmt: skip


@pytest.mark.parametrize(("snippet", "item_id", "fragment"), BROKEN)
def test_broken_item_is_reported_with_its_id(snippet, item_id, fragment):
    errors = errors_of(build(snippet))
    matching = [e for e in errors if fragment in e.message]
    assert matching, f"no error mentions {fragment!r}: {[e.message for e in errors]}"
    assert all(e.item_id == item_id for e in matching)
    assert all(e.message.startswith(f"item {item_id}: ") for e in matching)


def test_the_base_of_the_broken_table_is_valid():
    questionnaire = loads(build(YES_NO + "---\n" + INTEGER.replace('"x"', '"z"')))
    assert list(questionnaire.items) == ["q1", "x", "z", "q9"]


def test_every_error_is_reported_at_once():
    snippet = (
        YES_NO.replace("yes_no", "slider")
        + "---\n"
        + INTEGER.replace('"x"', '"y"').replace("min = 0", "min = 99")
        + "---\n"
        + YES_NO.replace('"x"', '"z"')
        + 'show_if = { item = "q9", in = ["yes"] }'
    )
    errors = errors_of(build(snippet))
    assert {e.item_id for e in errors} == {"x", "y", "z"}
    assert len(errors) == 3


def test_toml_syntax_error_gives_the_line():
    errors = errors_of('id = "t"\nversion = = 1\n')
    assert len(errors) == 1
    assert errors[0].item_id is None
    assert "TOML syntax error" in errors[0].message and "line 2" in errors[0].message


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ('version = 1\n', "", "missing field 'version'"),
        ('title_en = "Test"\n', "", "missing English translation 'title_en'"),
        ('id = "t"', 'id = "T t"', "not a valid identifier"),
        ("rotating_modules_per_response = 0", "rotating_modules_per_response = 2",
         "there are 0 rotating modules"),
        ('id = "p3"', 'id = "p1"', "duplicate page id 'p1'"),
        ('id = "m1"', 'id = "M1"', "not a valid identifier"),
        ("core = true", 'core = "yes"', "field 'core' must be true or false"),
    ],
)  # fmt: skip
def test_questionnaire_module_and_page_errors(old, new, fragment):
    errors = errors_of(build(YES_NO).replace(old, new, 1))
    assert any(fragment in e.message and e.item_id is None for e in errors), errors


def test_condition_may_not_reach_into_another_rotating_module():
    text = (
        HEADER.format(per=1)
        + MODULE.format(id="m1", core="false")
        + PAGE.format(id="p1")
        + Q1
        + MODULE.format(id="m2", core="false")
        + PAGE.format(id="p2")
        + "\n[[modules.pages.items]]\n"
        + YES_NO
        + 'show_if = { item = "q1", in = ["a"] }\n'
    )
    errors = errors_of(text)
    assert [e.item_id for e in errors] == ["x"]
    assert "rotating module 'm1', which may not be shown" in errors[0].message


def test_error_text_lists_every_problem():
    with pytest.raises(QuestionnaireError) as info:
        loads(build(YES_NO.replace("yes_no", "slider")), source="bad.toml")
    assert str(info.value).startswith("bad.toml: 1 error(s)")
    assert "item x: unknown type 'slider'" in str(info.value)


def test_loader_builds_implicit_options_and_defaults():
    text = build(
        YES_NO
        + 'special = ["dont_know", "refused"]\n---\n'
        + LIKERT.replace('"x"', '"lk"')
        + "---\n"
        + 'id = "t1"\ntype = "text"\nrole = "open"\ntext_vi = "Ý kiến?"\ntext_en = "Views?"'
    )
    q = loads(text)
    x, lk, t1 = q.items["x"], q.items["lk"], q.items["t1"]
    assert [o.code for o in x.options] == ["yes", "no"]
    assert [o.label("vi") for o in x.special] == ["Không biết", "Không muốn trả lời"]
    assert [o.label("en") for o in x.special] == ["Don't know", "Prefer not to say"]
    assert x.all_codes() == ("yes", "no", "dont_know", "refused")
    assert x.required is True and x.page_id == "p2" and x.module_id == "m1"
    assert lk.all_codes() == ("1", "2", "3", "4", "5")
    assert (lk.low("vi"), lk.high("en")) == ("Kém", "Good")
    assert t1.max_length == 500
    assert "số điện thoại" in t1.warning("vi") and "phone numbers" in t1.warning("en")
    assert x.text("en") == "Question?"


def test_shipped_questionnaire_loads_and_is_cached():
    shipped = qn.shipped()
    assert ("papi-pulse-core", 1) in shipped
    core = qn.get("papi-pulse-core", 1)
    assert core is shipped[("papi-pulse-core", 1)]
    assert qn.current_questionnaire("papi-pulse-core") is shipped[("papi-pulse-core", 2)]
    assert core.source == "papi-pulse-core-v1.toml"
    with pytest.raises(KeyError):
        qn.get("papi-pulse-core", 99)
    with pytest.raises(KeyError):
        qn.current_questionnaire("no-such-questionnaire")


def test_load_reads_a_file(tmp_path):
    path = tmp_path / "t-v1.toml"
    path.write_text(build(YES_NO), encoding="utf-8")
    assert qn.load(path).id == "t"
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(QuestionnaireError):
        qn.load(path)


MONEY = INTEGER.replace("max = 10", 'max = 1000\nunit_vi = "nghìn đồng"\nunit_en = "thousand dong"')


def test_an_amount_needs_an_always_shown_page_after_it_for_its_read_back():
    assert loads(build(MONEY)).items["x"].unit("vi") == "nghìn đồng"
    last = (
        HEADER.format(per=0) + MODULE.format(id="m1", core="true") + PAGE.format(id="p1") + Q1
        + PAGE.format(id="p2") + "\n[[modules.pages.items]]\n" + MONEY
    )  # fmt: skip
    [error] = errors_of(last)
    assert error.item_id == "x" and "read back on the next page" in error.message
    hidden = build(MONEY).replace('text_en = "Question nine?"', 'text_en = "Question nine?"\n'
                                  'show_if = { item = "q1", in = ["a"] }')  # fmt: skip
    assert [e.item_id for e in errors_of(hidden)] == ["x"]


def test_modules_and_pages_that_are_no_tables_or_empty_are_reported_in_order():
    raw = tomllib.loads(build(YES_NO))
    raw["modules"][0]["pages"].append(7)
    raw["modules"][0]["pages"].append({"id": "p9", "title_vi": "T", "title_en": "T", "items": []})
    raw["modules"] += ["oops", {"id": "m9", "title_vi": "P", "title_en": "P", "pages": []}]
    with pytest.raises(QuestionnaireError) as info:
        from_raw(raw)
    assert [str(e) for e in info.value.errors] == [
        "page #4 of module m1 must be a table",
        "page p9: needs at least one [[modules.pages.items]]",
        "module #2 must be a table",
        "module m9: missing field 'core'",
        "module m9: needs at least one [[modules.pages]]",
    ]

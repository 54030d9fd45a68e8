"""Helpers for the estimates tests: a small questionnaire, the R worked example, row lookup."""

from survey.estimation import COLUMNS
from survey.questionnaire import loads

HEAD = """\
id = "tiny"
version = 1
title_vi = "Thử"
title_en = "Test"
intro_vi = "Giới thiệu"
intro_en = "Introduction"
organiser_vi = "Phường"
organiser_en = "Ward"
rotating_modules_per_response = 0

[[modules]]
id = "core"
title_vi = "Phần"
title_en = "Part"
core = true

[[modules.pages]]
id = "p1"
title_vi = "Trang"
title_en = "Page"

[[modules.pages.items]]
id = "sex"
type = "single"
role = "weighting"
weighting_variable = "sex"
text_vi = "Giới tính?"
text_en = "Sex?"
options = [{ code = "m", vi = "Nam", en = "Male" }, { code = "f", vi = "Nữ", en = "Female" }]
special = ["refused"]

[[modules.pages.items]]
id = "age_band"
type = "single"
role = "weighting"
weighting_variable = "age_band"
text_vi = "Tuổi?"
text_en = "Age?"
options = [
  { code = "a18_34", vi = "18-34", en = "18-34" },
  { code = "a35_54", vi = "35-54", en = "35-54" },
  { code = "a55_plus", vi = "55+", en = "55+" },
]
special = ["refused"]

[[modules.pages.items]]
id = "q1"
type = "yes_no"
role = "perception"
text_vi = "Câu một?"
text_en = "Question one?"

[[modules.pages.items]]
id = "q2"
type = "likert5"
role = "perception"
required = false
text_vi = "Câu hai?"
text_en = "Question two?"
low_vi = "Thấp"
low_en = "Low"
high_vi = "Cao"
high_en = "High"
"""

AGE = {
    "18-34": "a18_34",
    "35-54": "a35_54",
    "55+": "a55_plus",
    "18-29": "a18_34",
    "30-44": "a35_54",
    "45-59": "a55_plus",
}


FOUR_BANDS = """options = [
  { code = "a18_29", vi = "18-29", en = "18-29" },
  { code = "a30_44", vi = "30-44", en = "30-44" },
  { code = "a45_59", vi = "45-59", en = "45-59" },
  { code = "a60_plus", vi = "60+", en = "60+" },
]"""


def tiny(four_bands=False):
    """Return the small test questionnaire (two weighting items, q1 yes/no, q2 likert)."""
    if not four_bands:
        return loads(HEAD)
    start = HEAD.index('options = [\n  { code = "a18_34"')
    end = HEAD.index("]", start) + 1
    return loads(HEAD[:start] + FOUR_BANDS + HEAD[end:])


def worked_example(fixture):
    """Return (answers list, margins) of the R worked example for the tiny questionnaire."""
    people = []
    for g, a, q1, q2 in zip(
        fixture["gender"], fixture["age"], fixture["q1"], fixture["q2"], strict=True
    ):
        answers = {"sex": g.lower(), "age_band": AGE[a], "q1": "yes" if q1 else "no"}
        if q2 is not None:
            answers["q2"] = str(q2)
        people.append(answers)
    m = fixture["margins"]
    margins = {
        "sex": {k.lower(): v for k, v in m["gender"].items()},
        "age_band": {AGE[k]: v for k, v in m["age"].items()},
    }
    return people, margins


def rows_by(rows, **match):
    """Return the rows (as dicts) whose columns equal the given values."""
    found = []
    for row in rows:
        d = dict(zip(COLUMNS, row, strict=True))
        if all(d[k] == v for k, v in match.items()):
            found.append(d)
    return found

"""Skip logic: showing, cascading hides, pruning, eligibility and scoring of answers."""

import pytest

from survey.questionnaire import loads, normalise
from survey.questionnaire.logic import is_eligible, is_shown, prune, visible_items

TEXT = """
id = "logic"
version = 1
title_vi = "Thử"
title_en = "Test"
intro_vi = "Giới thiệu"
intro_en = "Introduction"
organiser_vi = "Phường"
organiser_en = "Ward"
rotating_modules_per_response = 0

[[modules]]
id = "m"
title_vi = "Phần"
title_en = "Part"
core = true

[[modules.pages]]
id = "p1"
title_vi = "Trang một"
title_en = "Page one"

[[modules.pages.items]]
id = "a"
type = "yes_no"
role = "experience"
text_vi = "A?"
text_en = "A?"
special = ["dont_know"]

[[modules.pages.items]]
id = "m"
type = "multiple"
role = "experience"
text_vi = "M?"
text_en = "M?"
options = [
  { code = "x", vi = "X", en = "X" },
  { code = "y", vi = "Y", en = "Y" },
  { code = "none", vi = "Không", en = "None", exclusive = true },
]
[modules.pages.items.scoring]
dimension = "d6"
subdimension = "6.3"
indicator = "m"
direction = "higher_better"
score = { x = 0.75, y = 0.5, none = 0 }

[[modules.pages.items]]
id = "n"
type = "integer"
role = "respondent"
text_vi = "N?"
text_en = "N?"
min = 0
max = 120
special = ["dont_know", "refused"]
[modules.pages.items.scoring]
dimension = "d3"
subdimension = "3.1"
indicator = "n"
direction = "lower_better"
anchors = [0, 60]

[[modules.pages]]
id = "p2"
title_vi = "Trang hai"
title_en = "Page two"

[[modules.pages.items]]
id = "b"
type = "yes_no"
role = "knowledge"
text_vi = "B?"
text_en = "B?"
special = ["dont_know", "refused"]
show_if = { item = "a", in = ["yes"] }
[modules.pages.items.scoring]
dimension = "d1"
subdimension = "1.1"
indicator = "b"
direction = "higher_better"
score = { yes = 1, no = 0 }
dont_know = "as_zero"

[[modules.pages.items]]
id = "lk"
type = "likert5"
role = "perception"
text_vi = "L?"
text_en = "L?"
low_vi = "Kém"
low_en = "Poor"
high_vi = "Tốt"
high_en = "Good"
special = ["dont_know"]
[modules.pages.items.scoring]
dimension = "d7"
subdimension = "7.2"
indicator = "lk"
direction = "higher_better"

[[modules.pages.items]]
id = "r"
type = "rating10"
role = "perception"
text_vi = "R?"
text_en = "R?"
low_vi = "Kém"
low_en = "Poor"
high_vi = "Tốt"
high_en = "Good"
[modules.pages.items.scoring]
dimension = "d6"
subdimension = "6.2"
indicator = "r"
direction = "lower_better"

[[modules.pages]]
id = "p3"
title_vi = "Trang ba"
title_en = "Page three"

[[modules.pages.items]]
id = "c"
type = "yes_no"
role = "experience"
text_vi = "C?"
text_en = "C?"
show_if = { item = "b", in = ["yes"] }

[[modules.pages.items]]
id = "d"
type = "yes_no"
role = "experience"
text_vi = "D?"
text_en = "D?"
show_if = { any = [{ item = "m", in = ["x"] }, { item = "n", gte = 18 }] }

[[modules.pages.items]]
id = "e"
type = "yes_no"
role = "experience"
text_vi = "E?"
text_en = "E?"
show_if = { not = { item = "a", in = ["yes"] } }

[[modules.pages.items]]
id = "f"
type = "yes_no"
role = "experience"
text_vi = "F?"
text_en = "F?"
show_if = { all = [{ item = "a", answered = true }, { item = "lk", lte = 2 }] }

[[modules.pages.items]]
id = "g"
type = "yes_no"
role = "experience"
text_vi = "G?"
text_en = "G?"
[modules.pages.items.scoring]
dimension = "d5"
subdimension = "5.4"
indicator = "g"
direction = "higher_better"
score = { yes = 1, no = 0 }
eligibility = { item = "m", not_in = ["none"] }

[[modules.pages.items]]
id = "h"
type = "yes_no"
role = "experience"
text_vi = "H?"
text_en = "H?"
show_if = { item = "n", gte = 10, lte = 20 }
"""

Q = loads(TEXT)
ITEMS = Q.items


def shown(answers):
    """Return the ids of the items shown for answers."""
    return [item_id for item_id, item in ITEMS.items() if is_shown(item, answers)]


def test_show_if_in_reads_the_earlier_answer():
    assert is_shown(ITEMS["b"], {"a": "yes"})
    assert not is_shown(ITEMS["b"], {"a": "no"})
    assert not is_shown(ITEMS["b"], {"a": "dont_know"})
    assert not is_shown(ITEMS["b"], {})


def test_hiding_cascades_even_with_stale_answers():
    stale = {"a": "no", "b": "yes", "c": "yes"}
    assert not is_shown(ITEMS["b"], stale)
    assert not is_shown(ITEMS["c"], stale)  # b is hidden, so its stale "yes" does not count
    assert is_shown(ITEMS["c"], {"a": "yes", "b": "yes"})


def test_prune_drops_hidden_and_unknown_answers_in_order():
    answers = {"a": "no", "b": "yes", "c": "yes", "e": "no", "zzz": "1", "n": 5}
    assert prune(Q, answers) == {"a": "no", "n": 5, "e": "no"}
    assert list(prune(Q, answers)) == ["a", "n", "e"]
    kept = {"a": "yes", "b": "yes", "c": "no"}
    assert prune(Q, kept) == kept


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"m": ["y", "x"]}, True),  # any selected option in the list
        ({"m": ["y"]}, False),
        ({"m": ["y"], "n": 18}, True),
        ({"m": ["y"], "n": 17}, False),
        ({"n": "dont_know"}, False),  # special codes never compare as numbers
        ({}, False),
    ],
)
def test_multiple_in_and_any(answers, expected):
    assert is_shown(ITEMS["d"], answers) is expected


def test_not_all_answered_and_range():
    assert is_shown(ITEMS["e"], {})  # "a in [yes]" is false while a is unanswered
    assert not is_shown(ITEMS["e"], {"a": "yes"})
    assert is_shown(ITEMS["f"], {"a": "dont_know", "lk": "2"})  # a special answer is an answer
    assert not is_shown(ITEMS["f"], {"lk": "2"})
    assert not is_shown(ITEMS["f"], {"a": "no", "lk": "3"})
    assert [is_shown(ITEMS["h"], {"n": n}) for n in (9, 10, 20, 21)] == [False, True, True, False]


def test_eligibility_narrows_who_counts():
    g = ITEMS["g"]
    assert is_shown(g, {}) and not is_eligible(g, {})
    assert not is_eligible(g, {"m": ["none"]})
    assert is_eligible(g, {"m": ["x"]})
    assert is_eligible(ITEMS["b"], {"a": "yes"})  # default eligibility is the item's show_if
    assert not is_eligible(ITEMS["b"], {"a": "no"})


def test_visible_items_follow_the_answers():
    page3 = Q.page("p3")
    assert [i.id for i in visible_items(page3, {})] == ["e", "g"]
    answers = {"a": "yes", "b": "yes", "m": ["x"], "lk": "1", "n": 12}
    assert [i.id for i in visible_items(page3, answers)] == ["c", "d", "f", "g", "h"]


@pytest.mark.parametrize(
    ("item_id", "value", "expected"),
    [
        ("b", "yes", 1.0),
        ("b", "no", 0.0),
        ("b", "dont_know", 0.0),  # knowledge: not knowing counts as 0
        ("b", "refused", None),
        ("lk", "4", 0.75),
        ("lk", "dont_know", None),  # elsewhere don't know leaves the denominator
        ("r", "7", pytest.approx(0.3)),  # lower_better: 1 - 7/10
        ("m", ["x", "y"], 1.0),  # sum of option scores, clipped to 1
        ("m", ["y"], 0.5),
        ("m", ["none"], 0.0),
        ("n", 15, 0.75),  # anchors [0, 60], lower_better
        ("n", 90, 0.0),  # clipped at the cap
        ("n", "refused", None),
        ("c", "yes", None),  # not scored
        ("b", None, None),
    ],
)
def test_normalise(item_id, value, expected):
    assert normalise(ITEMS[item_id], value) == expected

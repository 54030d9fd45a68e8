"""Scoring rules a version declares (v2): complete sub-dimensions, shares, residents only."""

import pytest

from survey import estimation as estimates
from survey import indicators
from survey.questionnaire import QuestionnaireError, loads
from survey.questionnaire.scoring import normalise
from tests.estimates_helpers import HEAD, rows_by
from tests.factories import make_response, make_wards

PAPI = 'papi = {{ id = "{sub}.{n}", name_vi = "Chỉ số {n}", source = "PAPI 2023" }}'


def scored(item_id, sub, indicator, extra="", kind="yes_no", role="perception", papi=True):
    """Return the TOML of one scored item of dimension 7."""
    body = f"""
[[modules.pages.items]]
id = "{item_id}"
type = "{kind}"
role = "{role}"
required = false
text_vi = "Câu {item_id}?"
text_en = "Question {item_id}?"
"""
    if kind == "likert5":
        body += 'low_vi = "Thấp"\nlow_en = "Low"\nhigh_vi = "Cao"\nhigh_en = "High"\n'
    body += f"""[modules.pages.items.scoring]
dimension = "d7"
subdimension = "{sub}"
indicator = "{indicator}"
direction = "higher_better"
"""
    if kind == "yes_no":
        body += "score = { yes = 1, no = 0 }\n"
    if papi:
        body += PAPI.format(sub=sub, n=item_id[-1]) + "\n"
    return body + extra


def questionnaire(rules="", items=None, version=1):
    """Return a tiny questionnaire with d7 scored: 7.1 from two indicators, 7.2, 7.3."""
    head = HEAD.replace("version = 1", f"version = {version}")
    head = head.replace(
        "rotating_modules_per_response = 0", rules + "rotating_modules_per_response = 0"
    )
    resident = """
[[modules.pages.items]]
id = "lives_here"
type = "yes_no"
role = "respondent"
text_vi = "Sống ở đây?"
text_en = "Live here?"
"""
    body = items or (
        scored("a1", "7.1", "ind_a")
        + scored("b2", "7.1", "ind_b")
        + scored("c3", "7.2", "ind_c", "place_based = true\n" if "residents" in rules else "")
        + scored("d4", "7.3", "ind_d")
    )
    return loads(head + resident + body)


STRICT = 'rules = { complete_subdimensions = true, residents_item = "lives_here" }\n'


def _run(db, q, people):
    make_wards(db)
    for answers in people:
        make_response(
            db,
            "26734",
            answers={"sex": "m", "age_band": "a18_34", **answers},
            questionnaire_id="tiny",
        )
    period = [estimates.parse_periods("2026-Q1")]
    return list(estimates.run(db, q, period, ("ward",), reveal_suppressed=True))


def test_a_sub_dimension_with_a_missing_indicator_is_flagged_not_scored(db):
    """7.1 has ind_a and ind_b; nobody answered b2, so 7.1 (and d7) has no score."""
    q = questionnaire(STRICT)  # the helper stores responses as version 1
    people = [{"lives_here": "yes", "a1": "yes", "c3": "no", "d4": "yes"}] * 6
    rows = _run(db, q, people)
    (sub,) = rows_by(rows, level="subdimension", key="7.1")
    assert sub["flag"] == "incomplete_indicators" and sub["option"] == "ind_b"
    assert sub["estimate"] is None and sub["shown"] == 0
    assert rows_by(rows, level="subdimension", key="7.2")[0]["estimate"] is not None
    assert rows_by(rows, level="dimension", key="d7") == []


def test_without_the_rule_a_sub_dimension_is_the_mean_of_what_has_data(db):
    """v1's behaviour stays: 7.1 is scored from ind_a alone."""
    q = questionnaire(version=1)
    people = [{"lives_here": "yes", "a1": "yes", "c3": "no", "d4": "yes"}] * 6
    rows = _run(db, q, people)
    (sub,) = rows_by(rows, level="subdimension", key="7.1")
    assert sub["flag"] != "incomplete_indicators" and sub["estimate"] == pytest.approx(10 / 3)


def test_place_based_indicators_leave_out_non_residents():
    """A visitor from elsewhere does not rate this place's air: c3 is not scored for them."""
    q = questionnaire(STRICT, version=2)
    scorer = indicators.Scorer(indicators.build(q))
    index = {ind.id: j for j, ind in enumerate(scorer.model.indicators)}
    visitor = dict(scorer.scores({"lives_here": "no", "a1": "yes", "c3": "yes"}))
    resident = dict(scorer.scores({"lives_here": "yes", "a1": "yes", "c3": "yes"}))
    assert index["ind_c"] not in visitor and visitor[index["ind_a"]] == 1.0
    assert resident[index["ind_c"]] == 1.0


def test_a_perception_scale_scores_as_the_share_at_the_good_end():
    """share_of = ["4", "5"]: PAPI's indicator is the share who say good or very good."""
    items = (
        scored("a1", "7.1", "ind_a", 'share_of = ["4", "5"]\n', kind="likert5")
        + scored("c3", "7.2", "ind_c")
        + scored("d4", "7.3", "ind_d")
    )
    q = questionnaire("rules = { perception_shares = true }\n", items)
    item = q.items["a1"]
    assert [normalise(item, str(v)) for v in range(1, 6)] == [0.0, 0.0, 0.0, 1.0, 1.0]


@pytest.mark.parametrize(
    ("rules", "items", "message"),
    [
        (
            "rules = { papi_mapping = true }\n",
            scored("a1", "7.1", "ind_a", papi=False)
            + scored("c3", "7.2", "c")
            + scored("d4", "7.3", "d"),
            "item a1: scoring: this version declares rules.papi_mapping",
        ),
        (
            "rules = { perception_shares = true }\n",
            scored("a1", "7.1", "a", kind="likert5")
            + scored("c3", "7.2", "c")
            + scored("d4", "7.3", "d"),
            "item a1: scoring: this version declares rules.perception_shares",
        ),
        (
            "",
            scored("a1", "7.1", "a", "place_based = true\n")
            + scored("c3", "7.2", "c")
            + scored("d4", "7.3", "d"),
            "place_based indicators need rules.residents_item",
        ),
        (
            'rules = { residents_item = "sex" }\n',
            scored("a1", "7.1", "a") + scored("c3", "7.2", "c") + scored("d4", "7.3", "d"),
            "residents_item 'sex' must name a yes_no item",
        ),
    ],
)
def test_the_loader_refuses_items_that_break_the_declared_rules(rules, items, message):
    """A version that declares a rule cannot ship an item that breaks it."""
    with pytest.raises(QuestionnaireError) as caught:
        questionnaire(rules, items)
    assert any(message in str(e) for e in caught.value.errors), caught.value.errors

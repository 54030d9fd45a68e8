"""The indicator model: the shipped questionnaire maps; a bad mapping is refused naming the item."""

import pytest
from estimates_helpers import HEAD

from survey import indicators
from survey.questionnaire import QuestionnaireError, get, loads


def scored(item_id, sub, indicator, direction="higher_better", dim=None):
    """Return a scored yes/no item snippet."""
    dim = dim or "d" + sub.split(".")[0]
    return f"""
[[modules.pages.items]]
id = "{item_id}"
type = "yes_no"
role = "perception"
text_vi = "Câu?"
text_en = "Question?"
[modules.pages.items.scoring]
dimension = "{dim}"
subdimension = "{sub}"
indicator = "{indicator}"
direction = "{direction}"
score = {{ yes = 1, no = 0 }}
"""


def test_shipped_core_maps_to_all_eight_dimensions():
    """papi-pulse-core v1: every dimension with all its sub-dimensions, so a total exists."""
    model = indicators.build(get("papi-pulse-core", 1))
    assert list(model.dimensions) == [f"d{i}" for i in range(1, 9)]
    assert model.has_total
    assert model.sub_range("3.1") == pytest.approx((1 / 3, 10 / 3))
    assert model.weighting == {"sex": "sex", "age_band": "age_band"}


def test_partial_dimension_is_refused_naming_the_item():
    """A dimension missing sub-dimensions cannot be scored 1-10: the item is named."""
    with pytest.raises(QuestionnaireError) as info:
        indicators.build(loads(HEAD + scored("k1", "1.1", "knows")))
    assert "k1" in str(info.value) and "1.2" in str(info.value)
    assert info.value.errors[0].item_id == "k1"


def test_indicator_in_two_subdimensions_is_refused():
    """One indicator id used in two sub-dimensions is refused with the second item's id."""
    text = HEAD + "".join(scored(f"k{i}", f"1.{i}", f"i{i}") for i in range(1, 5))
    text += scored("k5", "1.2", "i1")
    with pytest.raises(QuestionnaireError) as info:
        indicators.build(loads(text))
    assert any(e.item_id == "k5" for e in info.value.errors)


def test_scorer_applies_direction_eligibility_and_dont_know():
    """Reversed items use 1 - x; a hidden follow-up does not count; don't know as zero."""
    q = get("papi-pulse-core", 1)
    model = indicators.build(q)
    scorer = indicators.Scorer(model)
    names = {i: ind.id for i, ind in enumerate(model.indicators)}
    answers = {
        "knows_slogan": "dont_know",
        "officials_misuse_funds": "yes",
        "poor_list_public": "no",
        "poor_list_has_non_poor": "yes",
        "information_easy": "4",
    }
    got = {names[j]: y for j, y in scorer.scores(answers)}
    assert got["knows_grassroots_slogan"] == 0.0
    assert got["officials_misuse_funds"] == 0.0
    assert got["information_easy"] == 0.75
    assert "poor_list_has_non_poor" not in got


def test_app_start_checks_shipped_questionnaires(app):
    """The app factory ran check_shipped: the shipped model is cached and complete."""
    assert indicators.model_for("papi-pulse-core", 1).has_total

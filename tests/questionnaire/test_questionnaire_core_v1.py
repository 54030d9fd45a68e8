"""The shipped papi-pulse-core v1 covers PAPI and says what the estimates need."""

import hashlib
import json
import re
import tomllib

import pytest

from survey.paths import PACKAGE_DIR
from survey.questionnaire import DIMENSIONS, get

Q = get("papi-pulse-core", 1)
ITEMS = Q.items
SCORED = Q.scored_items()
ALL_SUBDIMENSIONS = [sub for subs in DIMENSIONS.values() for sub in subs]


def test_all_eight_dimensions_and_28_subdimensions_have_a_scored_item():
    assert len(ALL_SUBDIMENSIONS) == 28
    assert {i.scoring.dimension for i in SCORED} == set(DIMENSIONS)
    assert sorted({i.scoring.subdimension for i in SCORED}) == sorted(ALL_SUBDIMENSIONS)


def test_weighting_questions():
    sex, age = ITEMS["sex"], ITEMS["age_band"]
    assert (sex.role, sex.weighting_variable) == ("weighting", "sex")
    assert [o.code for o in sex.options] == ["nam", "nu"]
    assert [o.code for o in sex.special] == ["refused"]
    assert (age.role, age.weighting_variable) == ("weighting", "age_band")
    assert [o.code for o in age.options] == ["18_29", "30_44", "45_59", "60_plus"]
    assert "18 tuổi" in Q.intro("vi") and "18" in Q.intro("en")


def test_respondent_and_service_questions_are_in_the_first_core_module():
    first = Q.modules[0]
    assert first.core
    for item_id in ("sex", "age_band", "lives_here", "services_used"):
        assert ITEMS[item_id].module_id == first.id
    used = ITEMS["services_used"]
    assert used.type == "multiple"
    assert [o.code for o in used.options if o.exclusive] == ["none"]


def test_sipas_block_covers_the_five_areas_and_unofficial_payment():
    sipas = [i for i in ITEMS.values() if i.role == "sipas" and i.type == "likert5"]
    assert [i.id.removeprefix("sipas_") for i in sipas] == [
        "access", "procedure", "staff", "result", "feedback"
    ]  # fmt: skip
    assert all(Q.module(i.module_id).core for i in sipas)
    assert all(len({o.label("vi") for o in i.options}) == 5 for i in sipas)
    assert ITEMS["sipas_unofficial_payment"].type == "yes_no"


def test_open_question_is_optional_text_with_a_privacy_warning():
    texts = [i for i in ITEMS.values() if i.type == "text"]
    assert [i.id for i in texts] == ["pressing_issue"]
    assert not texts[0].required and texts[0].role == "open"
    assert texts[0].warning("vi") and texts[0].warning("en")


def test_scoring_rules_follow_papi():
    for item in SCORED:
        rule = item.scoring.dont_know
        assert rule == ("as_zero" if item.role == "knowledge" else "exclude"), item.id
    assert {i.role for i in SCORED if i.scoring.dimension == "d1"} >= {"knowledge"}
    reversed_ids = {i.id for i in SCORED if i.scoring.direction == "lower_better"}
    assert {"land_extra_payment", "bribes_for_papers", "crime_victim"} <= reversed_ids


@pytest.mark.parametrize(
    ("item_id", "screener"),
    [
        ("certification_quality", "services_used"),
        ("land_certificate_quality", "services_used"),
        ("local_procedure_quality", "services_used"),
        ("land_extra_payment", "services_used"),
        ("land_extra_amount", "land_extra_payment"),
        ("primary_school_rating", "child_in_primary"),
        ("contact_resolved", "met_official"),
        ("online_feedback_answered", "online_feedback_sent"),
    ],
)
def test_experience_follow_ups_only_for_those_who_had_it(item_id, screener):
    assert ITEMS[item_id].show_if.item_ids() == {screener}


def test_modules_rotate_and_pages_stay_small():
    assert Q.rotating_modules_per_response >= 1
    assert len(Q.rotating_modules) > Q.rotating_modules_per_response
    assert all(1 <= len(page.items) <= 6 for page in Q.pages)


def test_vietnamese_addresses_the_respondent_as_ong_ba_throughout():
    texts = [i.text("vi") + " " + i.hint("vi") for i in ITEMS.values()] + [Q.intro("vi")]
    assert any("ông/bà" in t for t in texts)
    for text in texts:
        assert not re.search(r"\b(anh/chị|bạn|quý vị)\b", text, re.IGNORECASE), text


def test_ids_and_codes_are_stable_snake_case():
    for item in ITEMS.values():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", item.id)
        assert all(re.fullmatch(r"[a-z0-9][a-z0-9_]*", code) for code in item.all_codes())


def test_model_objects_are_frozen_and_hashable():
    assert len({hash(item) for item in ITEMS.values()}) == len(ITEMS)
    assert hash(Q.modules[0]) == hash(Q.modules[0])
    with pytest.raises(AttributeError):
        ITEMS["sex"].required = False


def structure(node):
    """Return a questionnaire file's content without its display texts (keys *_vi, *_en, vi, en)."""
    if isinstance(node, dict):
        return {
            key: structure(value)
            for key, value in node.items()
            if not (key.endswith(("_vi", "_en")) or key in ("vi", "en"))
        }
    if isinstance(node, list):
        return [structure(value) for value in node]
    return node


def test_published_v1_keeps_what_it_asks_and_stores():
    # Responses are stored against v1's module, page and item ids, option codes, conditions and
    # scoring. Plainer wording is allowed; anything else needs a v2 file. This digest was taken
    # before v1's wording was first made plainer (#8.8) and must never change.
    path = PACKAGE_DIR / "questionnaire" / "files" / "papi-pulse-core-v1.toml"
    content = structure(tomllib.loads(path.read_text(encoding="utf-8")))
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False).encode()
    digest = "e98819930f500972a2abb06c7ef25c89213564493231466bd5cd343782f10d3d"
    assert hashlib.sha256(canonical).hexdigest() == digest

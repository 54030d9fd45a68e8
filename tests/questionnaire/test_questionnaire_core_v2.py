"""papi-pulse-core v2: every scored item names its PAPI indicator, all 28 sub-dimensions."""

import re
from importlib import resources

import pytest

from survey import indicators
from survey.questionnaire import DIMENSIONS, QuestionnaireError, catalogue, get, loads
from survey.questionnaire.placewords import fill
from survey.questionnaire.timing import path_extremes

V2_TEXT = (
    resources.files("survey.questionnaire").joinpath("files/papi-pulse-core-v2.toml").read_text()
)


@pytest.fixture(scope="module")
def v2():
    """Return the shipped v2."""
    return get("papi-pulse-core", 2)


def test_v2_declares_the_papi_scoring_rules(v2):
    """The version asks for mapping, complete sub-dimensions, shares and residents only."""
    rules = v2.rules
    assert rules.papi_mapping and rules.complete_subdimensions and rules.perception_shares
    assert rules.residents_item == "lives_here"
    assert get("papi-pulse-core", 1).rules == type(rules)()  # v1 declares none


def test_the_loader_refuses_a_v2_item_without_an_indicator_mapping():
    """Remove the mapping of one scored item: the file is refused, naming the item."""
    text = re.sub(r'papi = \{ id = "1\.2\.1"[^\n]*\n', "", V2_TEXT, count=1)
    assert text != V2_TEXT
    with pytest.raises(QuestionnaireError) as caught:
        loads(text, "papi-pulse-core-v2.toml")
    (error,) = caught.value.errors
    assert error.item_id == "voted_in_person" and "rules.papi_mapping" in str(error)


def test_every_scored_item_names_a_papi_indicator_of_its_sub_dimension(v2):
    """Indicator id within the sub-dimension, PAPI's Vietnamese name, a source: each distinct."""
    seen = {}
    for item in v2.scored_items():
        papi = item.scoring.papi
        assert papi.id.startswith(item.scoring.subdimension + ".")
        assert papi.name_vi and papi.source.startswith("PAPI")
        assert seen.setdefault(papi.id, item.scoring.indicator) == item.scoring.indicator


def test_every_sub_dimension_has_a_complete_indicator_set(v2):
    """All 28 sub-dimensions, and each has its declared PAPI indicators numbered 1..k."""
    model = indicators.build(v2)
    assert sorted(model.subdimensions) == sorted(s for subs in DIMENSIONS.values() for s in subs)
    assert model.has_total
    for sub, members in model.subdimensions.items():
        ids = sorted(
            {i.scoring.papi.id for i in v2.scored_items() if i.scoring.subdimension == sub}
        )
        assert ids == [f"{sub}.{n}" for n in range(1, len(ids) + 1)], sub
        assert len(members) == len(ids)


def test_every_sub_dimension_is_scored_from_complete_data(db):
    """Responses over every module: no sub-dimension flagged, every dimension and the total."""
    from survey import estimation as estimates
    from tests import v1_fixture
    from tests.factories import make_export_places

    places = make_export_places(db)
    one_ward = dict.fromkeys("abc", places["a"])
    v1_fixture.stock(
        db, version=2, count=99, months=(5,), places=one_ward, fixed={"lives_here": "yes"}
    )
    rows = estimates.run(
        db, get("papi-pulse-core", 2), [estimates.parse_periods("2026-Q2")], ("ward",)
    )
    cols = estimates.COLUMNS
    found = [dict(zip(cols, r, strict=True)) for r in rows]
    subs = {r["key"]: r for r in found if r["level"] == "subdimension"}
    incomplete = {k: r["option"] for k, r in subs.items() if r["flag"] == "incomplete_indicators"}
    assert len(subs) == 28 and incomplete == {}, incomplete
    assert {r["key"] for r in found if r["level"] == "dimension"} == set(DIMENSIONS)
    assert any(r["level"] == "total" and r["estimate"] is not None for r in found)


@pytest.mark.parametrize(
    "text",
    ["Chi bộ", "Dân biết, dân bàn, dân làm, dân kiểm tra”", "tuyến huyện", "who_elects_head"],
)
def test_the_reviews_off_items_are_gone(text):
    """No Party cell option, no four-part slogan, no district hospitals, no who_elects_head."""
    assert text not in V2_TEXT


def test_the_slogan_is_the_current_six_part_one(v2):
    """The 2022 Law on Grassroots Democracy adds “dân giám sát, dân thụ hưởng”."""
    assert "dân kiểm tra, dân giám sát, dân thụ hưởng" in v2.items["knows_slogan_six"].text_vi


def test_election_quality_is_asked_of_voters_not_whether_an_election_happened(v2):
    """1.3 is scored from candidates and secret ballot, asked of households that voted."""
    model = indicators.build(v2)
    subs = {ind.id for ind in model.indicators if ind.subdimension == "1.3"}
    assert subs == {"head_election_candidates", "head_election_secret"}
    assert "head_election_held" not in v2.items


@pytest.mark.parametrize(
    ("item_id", "code"),
    [
        ("help_resolved", "waiting"),
        ("complaint_settled", "waiting"),
        ("information_got", "waiting"),
        ("online_feedback_answered", "waiting"),
        ("water_quality_good", "no_water_nearby"),
    ],
)
def test_waiting_and_not_applicable_are_left_out_of_the_denominator(v2, item_id, code):
    """“Đang chờ” and “không có sông, hồ” are answers, but not a bad score."""
    from survey.questionnaire import normalise

    assert normalise(v2.items[item_id], code) is None


def test_place_words_come_from_the_unit(v2):
    """{xa} is the unit's type, {thon} the province's word (default by type)."""
    text = v2.items["voted_head"].text_vi
    assert "{truong}" in text
    assert "bầu tổ trưởng tổ dân phố gần nhất" in fill(text, "vi", "phường")
    assert "bầu trưởng thôn gần nhất" in fill(text, "vi", "xã")
    assert "bầu trưởng ấp gần nhất" in fill(text, "vi", "xã", {"xã": "ấp"})
    assert "bầu trưởng khu phố gần nhất" in fill(text, "vi", "phường", {"phường": "khu phố"})
    assert "hamlet" in fill(v2.items["voted_head"].text_en, "en", "xã", {"xã": "ấp"})
    assert fill(v2.items["lives_here"].text_vi, "vi", "đặc khu").endswith("đặc khu này không?")


def test_v2_is_the_current_questionnaire_and_v1_stays_loadable(v2):
    """Citizens, posters, paper and analysis get v2 (#14); v1 can still be asked for."""
    assert catalogue.current_questionnaire("papi-pulse-core") is v2
    assert catalogue.newest("papi-pulse-core") is v2
    assert catalogue.current_questionnaire("papi-pulse-core:1").version == 1


def test_v2_takes_about_five_minutes_at_the_longest_rotation(v2):
    """The longest path (wordiest two modules, every follow-up) is within 5 min (v1: 5:50)."""
    _, longest = path_extremes(v2, "vi")
    assert longest <= 5 * 60


def test_a_localised_v2_has_no_placeholder_left(v2):
    """For a commune of Ho Chi Minh City every text says xã and ấp, and nothing else changes."""
    from survey.questionnaire.placewords import localise, province_words

    words = province_words({"PLACE_WORDS": {"79": {"xã": "ấp"}}}, "79")
    local = localise(v2, "xã", words)
    texts = [
        getattr(obj, f"{name}_{lang}")
        for obj in [*local.items.values(), *local.pages, *local.modules]
        for name in ("text", "hint", "title")
        if hasattr(obj, f"{name}_vi")
        for lang in ("vi", "en")
    ]
    texts += [
        o.label(lang) for i in local.items.values() for o in i.options for lang in ("vi", "en")
    ]
    assert not [t for t in texts if "{" in t]
    assert local.items["voted_head"].text_vi.startswith("Lần bầu trưởng ấp gần nhất")
    assert local.items["lives_here"].text_en == "Do you live in this commune?"
    assert list(local.items) == list(v2.items) and local.rules == v2.rules
    assert province_words({}, "79") == {}

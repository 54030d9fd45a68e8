"""Module rotation stays balanced and the longest path stays around five to six minutes."""

import random
from collections import Counter

import pytest

from survey.questionnaire import get
from survey.questionnaire.rotation import choose_modules, pages_for
from survey.questionnaire.timing import estimate_seconds, item_words, path_extremes

Q = get("papi-pulse-core", 1)  # the items these tests name are v1's
ROTATING = [m.id for m in Q.rotating_modules]
CORE = [m.id for m in Q.core_modules]


def test_choice_has_every_core_module_and_k_rotating_in_order():
    chosen = choose_modules(Q, {}, random.Random(1))
    assert [m for m in chosen if m in CORE] == CORE
    assert len([m for m in chosen if m in ROTATING]) == Q.rotating_modules_per_response
    order = [m.id for m in Q.modules]
    assert chosen == sorted(chosen, key=order.index)


def test_least_shown_modules_are_chosen():
    counts = dict.fromkeys(ROTATING, 10) | {ROTATING[2]: 3, ROTATING[5]: 4}
    chosen = choose_modules(Q, counts, random.Random(0))
    assert [m for m in chosen if m in ROTATING] == [ROTATING[2], ROTATING[5]]


def test_ties_are_broken_at_random():
    picks = {tuple(choose_modules(Q, {}, random.Random(seed))) for seed in range(50)}
    assert len(picks) > 10


def test_server_balanced_draws_stay_equal():
    counts: Counter = Counter()
    rng = random.Random(42)
    for _ in range(1000):
        counts.update(m for m in choose_modules(Q, counts, rng) if m in ROTATING)
    assert max(counts.values()) - min(counts.values()) <= 1
    assert sum(counts.values()) == 1000 * Q.rotating_modules_per_response


def test_draws_without_feedback_are_still_within_a_few_percent():
    rng = random.Random(7)
    counts = Counter(m for _ in range(1000) for m in choose_modules(Q, {}, rng) if m in ROTATING)
    expected = 1000 * Q.rotating_modules_per_response / len(ROTATING)
    for module_id in ROTATING:
        assert abs(counts[module_id] - expected) <= 0.15 * expected, counts


def test_pages_for_keeps_questionnaire_order():
    pages = pages_for(Q, ["closing", ROTATING[0], "core"])
    modules = [p.module_id for p in pages]
    assert modules == sorted(modules, key=[m.id for m in Q.modules].index)
    assert set(modules) == {"closing", ROTATING[0], "core"}
    with pytest.raises(KeyError):
        pages_for(Q, ["nope"])


def test_longest_path_is_about_five_to_six_minutes():
    shortest, longest = path_extremes(Q)
    assert 60 < shortest < longest <= 6.5 * 60
    assert longest >= 4 * 60  # the estimate is not trivially small
    assert path_extremes(Q, lang="en")[1] <= 6.5 * 60


def test_estimate_grows_with_follow_ups_and_stays_within_extremes():
    shortest, longest = path_extremes(Q)
    modules = CORE + ["procedures", "participation"]
    quiet = {"came_for_procedure": "no", "services_used": ["none"]}
    busy = {
        "came_for_procedure": "yes",
        "services_used": ["certification", "land_certificate", "other_procedure"],
        "land_extra_payment": "yes",
        "head_election_held": "yes",
        "contributed": "yes",
    }
    low, high = estimate_seconds(Q, modules, quiet), estimate_seconds(Q, modules, busy)
    assert shortest <= low < high <= longest


def test_vietnamese_words_are_syllables():
    item = Q.items["lives_here"]
    assert item_words(item, "vi") == len(item.text("vi").split()) + 2  # "Có", "Không"
    assert estimate_seconds(Q, ["core"], {}, wpm=60, seconds_per_answer=0) > estimate_seconds(
        Q, ["core"], {}
    )

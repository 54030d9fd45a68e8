"""NCHS 2017 presentation rules and small-cell hiding."""

import pytest

from survey.stats import is_shown, mean_flag, proportion_flag


@pytest.mark.parametrize(
    ("p", "lower", "upper", "n", "n_eff", "flag"),
    [
        (0.5, 0.3, 0.7, 0, 0, "no_data"),
        (0.5, 0.0, 1.0, 4, 4, "hidden_small_cell"),
        (0.5, 0.45, 0.55, 200, 29.9, "suppressed_n_eff"),
        (0.02, 0.005, 0.05, 800, 300, "ok"),  # width 0.045 <= 0.05
        (0.5, 0.35, 0.65, 100, 60, "suppressed_width"),  # width 0.30
        (0.08, 0.02, 0.13, 100, 60, "suppressed_relative_width"),  # 0.11 / 0.08 > 1.3
        (0.92, 0.87, 0.98, 100, 60, "review_complement"),  # 0.11 / 0.08 for 1 - p
        (0.0, 0.0, 0.09, 40, 40, "review_extreme"),
        (0.5, 0.40, 0.60, 100, 96, "ok"),
        (0.64, 0.38, 0.85, 20, 17.6, "suppressed_n_eff"),
    ],
)
def test_proportion_flags(p, lower, upper, n, n_eff, flag):
    assert proportion_flag(p, lower, upper, n, n_eff) == flag


def test_shown_flags():
    assert is_shown("ok") and is_shown("review_complement") and is_shown("review_extreme")
    assert not is_shown("suppressed_width") and not is_shown("hidden_small_cell")


@pytest.mark.parametrize(
    ("n", "n_eff", "lower", "upper", "flag"),
    [
        (3, 3, 2.0, 4.0, "hidden_small_cell"),
        (50, 25, 3.0, 3.4, "suppressed_n_eff"),
        (50, 40, 3.0, 3.7, "suppressed_width"),
        (50, 40, 3.0, 3.4, "ok"),
    ],
)
def test_mean_flags(n, n_eff, lower, upper, flag):
    assert mean_flag((lower + upper) / 2, lower, upper, n, n_eff, max_half_width=0.25) == flag

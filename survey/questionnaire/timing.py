"""Estimate how long a respondent takes: words read plus a few seconds per answer."""

from __future__ import annotations

from . import placewords
from .logic import prune, visible_items
from .model import Item, Module, Questionnaire
from .rotation import pages_for

# 150 words a minute is a common planning figure for silent reading of plain text on a phone;
# 4 seconds covers finding and tapping an answer. Vietnamese words are counted as syllables.
WORDS_PER_MINUTE = 150
SECONDS_PER_ANSWER = 4


def _answer_labels(item: Item, lang: str) -> list[str]:
    """Return the answer labels read for an item (a bare scale is read through its ends)."""
    labelled = [option.label(lang) for option in item.options if option.label(lang) != option.code]
    labels = labelled or [item.low(lang), item.high(lang)]
    return labels + [option.label(lang) for option in item.special]


def item_words(item: Item, lang: str = "vi", previous: Item | None = None) -> int:
    """Return how many words are read for an item; a scale repeated from `previous` is skimmed."""
    texts = [item.text(lang), item.hint(lang), item.unit(lang), item.warning(lang)]
    labels = _answer_labels(item, lang)
    if previous is None or _answer_labels(previous, lang) != labels:
        texts += labels
    # Place words are counted as the longest a reader meets (both kinds named, no unit).
    return sum(len(placewords.fill(text, lang).split()) for text in texts)


def items_seconds(
    items,
    lang: str = "vi",
    wpm: float = WORDS_PER_MINUTE,
    seconds_per_answer: float = SECONDS_PER_ANSWER,
) -> float:
    """Return the estimated seconds to read and answer these items in order."""
    total, previous = 0.0, None
    for item in items:
        total += item_words(item, lang, previous) * 60 / wpm + seconds_per_answer
        previous = item
    return total


def estimate_seconds(
    questionnaire: Questionnaire,
    module_ids,
    answers: dict,
    lang: str = "vi",
    wpm: float = WORDS_PER_MINUTE,
    seconds_per_answer: float = SECONDS_PER_ANSWER,
) -> float:
    """Return the estimated seconds for these modules, given the answers' skip logic."""
    answers = prune(questionnaire, answers)
    return sum(
        items_seconds(visible_items(page, answers), lang, wpm, seconds_per_answer)
        for page in pages_for(questionnaire, module_ids)
    )


def path_extremes(
    questionnaire: Questionnaire,
    lang: str = "vi",
    wpm: float = WORDS_PER_MINUTE,
    seconds_per_answer: float = SECONDS_PER_ANSWER,
) -> tuple[float, float]:
    """Return the (shortest, longest) estimated seconds over rotations and skip logic."""

    def cost(module: Module, follow_ups: bool) -> float:
        return sum(
            items_seconds(
                [item for item in page.items if follow_ups or item.show_if is None],
                lang,
                wpm,
                seconds_per_answer,
            )
            for page in module.pages
        )

    k = questionnaire.rotating_modules_per_response
    short = sorted(cost(m, False) for m in questionnaire.rotating_modules)[:k]
    long = sorted((cost(m, True) for m in questionnaire.rotating_modules), reverse=True)[:k]
    core = questionnaire.core_modules
    shortest = sum(cost(m, False) for m in core) + sum(short)
    longest = sum(cost(m, True) for m in core) + sum(long)
    return shortest, longest


_MINUTES: dict[tuple[str, int], tuple[int, int]] = {}


def minutes_range(questionnaire: Questionnaire) -> tuple[int, int]:
    """Return the (shortest, longest) expected whole minutes, as citizens and posters see them.

    Computed once per questionnaire version: the welcome page shows it on every visit.
    """
    key = (questionnaire.id, questionnaire.version)
    if key not in _MINUTES:
        shortest, longest = path_extremes(questionnaire)
        # The longest is rounded up, so that nobody is promised less time than it takes.
        _MINUTES[key] = max(1, round(shortest / 60)), max(1, round(longest / 60 + 0.49))
    return _MINUTES[key]

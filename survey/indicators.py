"""The indicator model: item -> indicator -> sub-dimension -> dimension -> total (METHODOLOGY.md).

Each scored item feeds one indicator; an indicator fed by several items takes, for each
respondent, the mean of that respondent's scores on them. An indicator's estimate is the
weighted mean of respondents' scores in [0, 1]. A sub-dimension of a dimension with k
official sub-dimensions is 1/k + (10/k - 1/k) x the mean of its indicators that have data
(equal weights: PAPI's own indicator weights are not published), a dimension the sum of its
sub-dimensions (1 to 10), the total the sum of the eight dimensions (10 to 80).

A version may declare stricter rules (``Questionnaire.rules``, docs/QUESTIONNAIRE_FORMAT.md):
``complete_subdimensions`` scores a sub-dimension only when every one of its indicators has
data in the unit (otherwise it is flagged ``incomplete_indicators`` with the missing ones
named), and ``residents_item`` leaves non-residents out of place-based indicators. v1
declares none, so its estimates are as they were.

A questionnaire maps cleanly when every indicator belongs to one sub-dimension and has one
direction, every dimension it touches has all its official sub-dimensions (else its 1-10
range would be wrong), and the weighting items are single-choice. ``check`` raises
QuestionnaireError naming the item otherwise; the app checks every shipped questionnaire at
start-up (``check_shipped``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from survey.questionnaire import DIMENSIONS, LoadError, Questionnaire, QuestionnaireError, catalogue
from survey.questionnaire.logic import is_eligible
from survey.questionnaire.scoring import normalise

TOTAL = "total"
SCALE_TYPES = ("likert5", "rating10")
TOP_TWO = {"likert5": ("4", "5"), "rating10": ("9", "10")}


@dataclass(frozen=True)
class Indicator:
    """One indicator with the items that feed it."""

    id: str
    dimension: str
    subdimension: str
    direction: str
    item_ids: tuple[str, ...]


@dataclass(frozen=True)
class Model:
    """The scoring tree of one questionnaire version."""

    questionnaire: Questionnaire
    indicators: tuple[Indicator, ...]
    subdimensions: dict  # sub id -> tuple of indicator indexes
    dimensions: dict  # dim id -> tuple of sub ids (official order)
    weighting: dict  # weighting variable -> item id

    @property
    def complete_subdimensions(self) -> bool:
        """Tell whether a sub-dimension needs every one of its indicators to be scored."""
        return self.questionnaire.rules.complete_subdimensions

    def missing(self, sub: str, has_data) -> list[str]:
        """Return the ids of sub's indicators for which has_data(index) is false."""
        return [self.indicators[j].id for j in self.subdimensions[sub] if not has_data(j)]

    def sub_range(self, sub: str) -> tuple[float, float]:
        """Return the PAPI range (1/k, 10/k) of a sub-dimension."""
        k = len(DIMENSIONS[sub_dimension(sub)])
        return 1.0 / k, 10.0 / k

    @property
    def has_total(self) -> bool:
        """Tell whether all eight dimensions are measured, so the total exists."""
        return len(self.dimensions) == len(DIMENSIONS)


def sub_dimension(sub: str) -> str:
    """Return the dimension id ("d3") of a sub-dimension id ("3.2")."""
    return "d" + sub.split(".", 1)[0]


def build(questionnaire: Questionnaire) -> Model:
    """Return the indicator model of a questionnaire; QuestionnaireError if it does not map."""
    errors: list[LoadError] = []
    found: dict[str, list] = {}
    for item in questionnaire.scored_items():
        s = item.scoring
        if s.indicator in found:
            first = found[s.indicator]
            if (first[0], first[1]) != (s.dimension, s.subdimension):
                errors.append(
                    LoadError(
                        item.id,
                        (
                            f"item {item.id}: indicator {s.indicator!r} is already in "
                            f"sub-dimension {first[1]}, not {s.subdimension}"
                        ),
                    )
                )
            elif first[2] != s.direction:
                errors.append(
                    LoadError(
                        item.id, (f"item {item.id}: indicator '{s.indicator}' mixes directions")
                    )
                )
            first[3].append(item.id)
        else:
            found[s.indicator] = [s.dimension, s.subdimension, s.direction, [item.id]]
    indicators = tuple(
        Indicator(name, d, sub, direction, tuple(ids))
        for name, (d, sub, direction, ids) in found.items()
    )
    subs: dict[str, list[int]] = {}
    for index, ind in enumerate(indicators):
        subs.setdefault(ind.subdimension, []).append(index)
    dimensions = {}
    for dim, official in DIMENSIONS.items():
        present = [sub for sub in official if sub in subs]
        if not present:
            continue
        missing = [sub for sub in official if sub not in subs]
        if missing:
            item_id = indicators[subs[present[0]][0]].item_ids[0]
            errors.append(
                LoadError(
                    item_id,
                    (
                        f"item {item_id}: dimension {dim} has no item for sub-dimension(s) "
                        f"{', '.join(missing)}, so it cannot be scored 1 to 10"
                    ),
                )
            )
        dimensions[dim] = tuple(present)
    weighting = {}
    for item in questionnaire.items.values():
        if item.role == "weighting":
            if item.type != "single":
                errors.append(
                    LoadError(
                        item.id, (f"item {item.id}: a weighting item must be a single choice")
                    )
                )
            weighting[item.weighting_variable] = item.id
    if errors:
        raise QuestionnaireError(errors, questionnaire.source)
    ordered = {sub: tuple(subs[sub]) for d in dimensions for sub in dimensions[d]}
    return Model(questionnaire, indicators, ordered, dimensions, weighting)


@functools.cache
def model_for(qid: str, version: int) -> Model:
    """Return the (cached) model of a shipped questionnaire version."""
    return build(catalogue.get(qid, version))


def check_shipped() -> list[Model]:
    """Build the model of every shipped questionnaire, raising on the first that does not map."""
    return [model_for(qid, version) for qid, version in catalogue.shipped()]


class Scorer:
    """Turn one respondent's answers into indicator scores, fast (lookup tables per item)."""

    def __init__(self, model: Model):
        self.model = model
        q = model.questionnaire
        self.plan = []  # (item, indicator index, code->score table or None, needs logic)
        index_of = {ind.id: i for i, ind in enumerate(model.indicators)}
        for item in q.scored_items():
            table = None
            if item.type in ("yes_no", "single", "likert5", "rating10"):
                codes = list(item.all_codes())
                if item.type == "likert5":
                    codes += [str(v) for v in range(1, 6)]
                elif item.type == "rating10":
                    codes += [str(v) for v in range(0, 11)]
                table = {code: normalise(item, code) for code in codes}
            needs_logic = item.show_if is not None or item.scoring.eligibility is not None
            self.plan.append((item, index_of[item.scoring.indicator], table, needs_logic))
        self.multi = any(len(ind.item_ids) > 1 for ind in model.indicators)
        # Place-based indicators describe where the respondent lives: residents only.
        self.resident_item = q.rules.residents_item
        self.place_based = {i.id for i in q.scored_items() if i.scoring.place_based}

    def scores(self, answers: dict) -> list[tuple[int, float]]:
        """Return [(indicator index, score in [0, 1])] for the indicators this respondent feeds."""
        out = []
        non_resident = self.resident_item is not None and answers.get(self.resident_item) != "yes"
        for item, j, table, needs_logic in self.plan:
            value = answers.get(item.id)
            if value is None or value == "" or value == []:
                continue
            if non_resident and item.id in self.place_based:
                continue
            if needs_logic and not is_eligible(item, answers):
                continue
            if table is not None and not isinstance(value, list):
                y = table.get(str(value))
            else:
                y = normalise(item, value)
            if y is not None:
                out.append((j, y))
        if self.multi and out:
            out = average_repeats(out)
        return out


def average_repeats(pairs):
    """Average a respondent's scores on items that share an indicator."""
    sums: dict[int, list] = {}
    for j, y in pairs:
        acc = sums.setdefault(j, [0.0, 0])
        acc[0] += y
        acc[1] += 1
    return [(j, s / c) for j, (s, c) in sums.items()]

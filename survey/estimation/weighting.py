"""Weights of one ward and period: raked to its margins, capped, imputed, or unweighted.

A respondent who refused (or left blank) a raking variable is given the unit's most common
category for raking (counted in the note). When the cap cannot be met (a category with one or
two respondents) the unit is raked without a cap and the note says ``cap_infeasible``; when
raking is impossible, or the ward has no margins, the unit is unweighted and says so.
"""

from __future__ import annotations

from typing import NamedTuple

from survey.estimation.spec import Spec
from survey.stats import RakingError, Weights, rake, unweighted


class UnitWeights(NamedTuple):
    """A unit's weights and the note that says how they were made."""

    weights: Weights
    note: str


def unit_weights(spec: Spec, members, unit_margins, cap) -> UnitWeights:
    """Return the weights of a ward x period's respondents and their note."""
    n = len(members)
    if not unit_margins or not spec.weighting:
        return UnitWeights(unweighted(n), "no_margins")
    categories, notes = {}, []
    for index, (variable, _, codes) in enumerate(spec.weighting):
        column = [r.categories[index] for r in members]
        valid = [c for c in column if c in codes]
        missing = n - len(valid)
        if missing:
            if not valid:
                return UnitWeights(unweighted(n), f"no_{variable}")
            modal = max(codes, key=valid.count)
            column = [c if c in codes else modal for c in column]
            notes.append(f"imputed_{variable}={missing}")
        categories[variable] = column
    target = {v: unit_margins[v] for v in categories if v in unit_margins}
    try:
        weights = rake(categories, target, cap=cap)
    except RakingError:
        try:
            weights = rake(categories, target, cap=None)
            notes.append("cap_infeasible")
        except RakingError as exc:
            return UnitWeights(unweighted(n), f"raking_failed: {exc}")
    notes += [f"collapsed {c.variable}={c.category}->{c.into}" for c in weights.collapsed]
    if weights.capped:
        notes.append(f"capped={weights.capped}")
    return UnitWeights(weights, "; ".join(notes))

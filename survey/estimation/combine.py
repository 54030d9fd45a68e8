"""Wards combined into their province (and provinces into the country) by population.

v = sum (N_h/N)^2 v_h (survey.stats.combine), wards as strata. A ward with a single respondent
(a lonely stratum) has no variance of its own; as R's options(survey.lonely.psu = "average"),
the area's variance is then scaled by strata / strata with a variance, instead of being lost
for the whole area.

Coverage is the share of the area's population held by the wards whose estimates were
combined. The area's population is what the app really knows (``base``): the sum of its
wards' populations when every ward's is known, else the province's shipped figure
(``survey.units.province_population``), else unknown; the country's is the sum of its
provinces'. A share above 1 (ward figures on another basis than the shipped one) is shown as 1
and noted ``coverage_capped``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from survey import units
from survey.estimation.report import Meta
from survey.estimation.sums import Stat


class Combined(NamedTuple):
    """One estimand of an area: its Stat, the population share covered, wards and n*."""

    stat: Stat
    coverage: float | str  # "" while the area's population is unknown
    wards: int
    n_eff: float


@dataclass(frozen=True)
class Base:
    """The population a coverage share is of: its size (None: unknown) and its basis."""

    population: float | None
    basis: str  # "wards", "provinces" or a shipped basis (units.POPULATION_BASES); "" unknown


UNKNOWN = Base(None, "")


def province_base(province: str, populations: dict, scoped: bool) -> Base:
    """Return a province's population: its wards' sum if all are known, else the shipped one.

    populations: {ward: population or None}. A scoped area (a few wards) has only their sum.
    """
    values = list(populations.values())
    if values and all(values):
        return Base(float(sum(values)), "wards")
    shipped = None if scoped else units.province_population(province)
    return Base(float(shipped["population"]), shipped["basis"]) if shipped else UNKNOWN


def _added(a: Base | None, b: Base) -> Base:
    """Return the population of two areas together: unknown if either is."""
    if a is None:
        return Base(b.population, "provinces")
    if a.population is None or b.population is None:
        return Base(None, "provinces")
    return Base(a.population + b.population, "provinces")


@dataclass
class Strata:
    """Wards counted in one period of an area."""

    added: int = 0
    lonely: int = 0  # with one respondent
    unweighted: int = 0
    left_out: int = 0  # with answers but no known population

    def merge(self, other: Strata) -> None:
        """Add another area's counts."""
        self.added += other.added
        self.lonely += other.lonely
        self.unweighted += other.unweighted
        self.left_out += other.left_out


class Combiner:
    """Population-weighted sums of ward estimates, per period and estimand."""

    def __init__(self):
        # (period label, key) -> [sum N est, sum N^2 v, covered N, n, n_item, n_eff, wards]
        self.sums = {}
        self.strata = {}  # period label -> Strata
        self.base: Base | None = None  # the area's population (None: no province merged yet)

    def add(self, label, population, stats, respondents, weighted):
        """Add one ward's stats for a period, weighted by its population."""
        strata = self.strata.setdefault(label, Strata())
        strata.added += 1
        strata.lonely += respondents == 1
        strata.unweighted += not weighted
        sums = self.sums
        p2 = population * population
        for key, st in stats.items():
            if st.estimate is None:
                continue
            acc = sums.get((label, key))
            if acc is None:
                acc = sums[(label, key)] = [0.0, 0.0, 0.0, 0, 0, 0.0, 0]
            acc[0] += population * st.estimate
            if st.variance is not None:  # None: a lonely ward, counted in self.strata
                acc[1] += p2 * st.variance
            acc[2] += population
            acc[3] += st.n
            acc[4] += st.n_item
            acc[5] += st.kish
            acc[6] += 1

    def leave_out(self, label):
        """Count a ward with answers but no known population: it cannot be combined."""
        self.strata.setdefault(label, Strata()).left_out += 1

    def meta(self, label, set_id) -> Meta:
        """Return the report meta of the area: weighted only if every ward in it was."""
        strata = self.strata.get(label, Strata())
        note = ["population_weighted_wards"]
        if strata.unweighted:
            note.append(f"unweighted_wards={strata.unweighted}")
        if strata.left_out:
            note.append(f"wards_without_population={strata.left_out}")
        base = self.base.population if self.base else None
        if base:
            note.append(f"population_base={self.base.basis}")
            covered = max((a[2] for (lab, _k), a in self.sums.items() if lab == label), default=0)
            if covered > base:
                note.append("coverage_capped")
        weighted = set_id is not None and not strata.unweighted
        return Meta(weighted, set_id if weighted else None, "; ".join(note), "", "")

    def merge(self, other: Combiner) -> None:
        """Add another combiner's sums (a province's, into the national one)."""
        for k, b in other.sums.items():
            a = self.sums.get(k)
            if a is None:
                self.sums[k] = list(b)
                continue
            for i, value in enumerate(b):
                a[i] += value
        for label, counts in other.strata.items():
            self.strata.setdefault(label, Strata()).merge(counts)
        self.base = _added(self.base, other.base or UNKNOWN)

    def stats(self, label) -> dict:
        """Return {key: Combined} for a period."""
        total = self.base.population if self.base else None
        strata = self.strata.get(label, Strata())
        with_variance = strata.added - strata.lonely
        scale = strata.added / with_variance if with_variance > 0 else None
        out = {}
        for (lab, key), (sne, snv, cov, n, m, neff, wards) in self.sums.items():
            if lab != label or cov <= 0.0:
                continue
            est = sne / cov
            var = scale * snv / (cov * cov) if scale is not None else None
            out[key] = Combined(
                Stat(est, var, n, m, neff, None),
                min(cov / total, 1.0) if total else "",
                wards,
                neff,
            )
        return out

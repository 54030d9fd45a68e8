"""Which indicators of two questionnaire versions are the same construct, and trends across them.

The engine estimates one version at a time, and its change columns compare periods of that
version only. When a province moves from v1 to v2, a trend from a v1 quarter to a v2 quarter
may continue only where both versions measure the same thing: the same question, scored the
same way, over the same respondents. CROSSWALK declares those pairs; every other indicator,
and every sub-dimension, dimension and total (whose indicator sets differ), breaks, and
``trend`` says so on its row instead of leaving a silent gap.

v2 pairs: the item is worded the same (or only its place word is filled from the unit), has
the same options and score, the same skip logic, and is not place-based (v2 counts residents
only where v1 counted everyone).
"""

from __future__ import annotations

from survey import estimation as estimates
from survey.stats import change

# (questionnaire id, from version, to version) -> {to-version indicator: from-version indicator}
CROSSWALK = {
    ("papi-pulse-core", 1, 2): {
        "voted_in_person": "voted_in_person",
        "contribution_monitored": "contribution_monitored",
        "officials_misuse_funds": "officials_misuse_funds",
        "bribes_for_papers": "bribes_for_papers",
        "hospital_extra_payment": "hospital_extra_payment",
        "land_extra_payment": "land_extra_payment",
        "certification_quality": "certification_quality",
        "land_certificate_quality": "land_certificate_quality",
        "local_procedure_quality": "local_procedure_quality",
        "has_health_insurance": "has_health_insurance",
        "internet_at_home": "internet_at_home",
        "used_online_services": "used_online_services",
    },
}
# Why a v1 indicator has no v2 partner (the review's verdicts; shown on break rows).
REASONS = {
    "indicator": "not the same construct in both versions (wording, scoring or respondents)",
    "composite": "its indicators differ between the versions",
}
TREND_COLUMNS = (
    "questionnaire_id", "unit_type", "unit_code", "level", "key", "earlier_period",
    "earlier_version", "earlier_key", "earlier_estimate", "later_period", "later_version",
    "later_estimate", "trend", "change", "change_se", "change_lower", "change_upper",
    "break_reason",
)  # fmt: skip


def pairs(qid: str, earlier: int, later: int) -> dict[str, str]:
    """Return {later indicator: earlier indicator} of the same construct (identity if equal)."""
    if earlier == later:
        return {}
    return dict(CROSSWALK.get((qid, earlier, later), {}))


def comparable(qid: str, earlier: int, later: int, level: str, key: str) -> str | None:
    """Return the earlier version's key that a later row continues, or None when it breaks."""
    if earlier == later:
        return key
    if level != "indicator":
        return None
    return pairs(qid, earlier, later).get(key)


def trend(db, earlier_q, earlier_period, later_q, later_period, unit_types=("ward", "province")):
    """Yield TREND_COLUMNS rows: each later estimate joined to, or broken from, the earlier one."""
    keep = ("indicator", "subdimension", "dimension", "total")
    index = estimates.COLUMNS.index

    def table(questionnaire, period):
        found = {}
        for row in estimates.run(db, questionnaire, [period], unit_types):
            if row[index("level")] in keep:
                found[(row[index("unit_type")], row[index("unit_code")], row[index("level")],
                       row[index("key")])] = row  # fmt: skip
        return found

    before = table(earlier_q, earlier_period)
    after = table(later_q, later_period)
    for (unit_type, code, level, key), row in after.items():
        earlier_key = comparable(earlier_q.id, earlier_q.version, later_q.version, level, key)
        old = before.get((unit_type, code, level, earlier_key)) if earlier_key else None
        est, se = row[index("estimate")], row[index("se")]
        cells = ("",) * 4
        if earlier_key is None:
            status = "break"
            reason = REASONS["indicator" if level == "indicator" else "composite"]
        elif old is None or old[index("estimate")] in (None, "") or est in (None, ""):
            status, reason = "no_data", ""
        else:
            status, reason = "joined", ""
            old_se = old[index("se")]
            if se not in (None, "") and old_se not in (None, ""):
                c = change(old[index("estimate")], old_se**2, est, se**2)
                cells = (c.difference, c.se, c.lower, c.upper)
        yield (
            later_q.id,
            unit_type,
            code,
            level,
            key,
            earlier_period.label,
            earlier_q.version,
            earlier_key or "",
            "" if old is None or old[index("estimate")] is None else old[index("estimate")],
            later_period.label,
            later_q.version,
            "" if est is None else est,
            status,
            *cells,
            reason,
        )

"""When not to show a number: NCHS 2017 rules for proportions, bounded means, small cells.

Proportions follow Parker et al. (2017), NCHS Data Presentation Standards for Proportions,
Vital Health Stat 2(175), with the Korn-Graubard interval: suppress if n* < 30; show if
the width is at most 0.05; suppress if it is 0.30 or more; otherwise suppress if
width / p > 1.3. NCHS sends to statistical review, rather than suppresses, an estimate
whose complement 1 - p fails the relative-width test and an estimate of 0 or 1 (whose
relative width is undefined). We show those and flag them "review_complement" and
"review_extreme", so a reader can footnote them.
"""

# Thresholds from NCHS 2017 (Series 2, No. 175), Figure 1.
MIN_N_EFF = 30.0
SHOW_WIDTH = 0.05
MAX_WIDTH = 0.30
MAX_RELATIVE_WIDTH = 1.30
# Disclosure: a cell with 1 to 4 respondents is hidden (docs/METHODOLOGY.md).
MIN_CELL = 5

SHOWN = frozenset({"ok", "review_complement", "review_extreme"})


def is_shown(flag):
    """Return True when an estimate with this flag may be displayed."""
    return flag in SHOWN


def cell_flag(n):
    """Return "no_data", "hidden_small_cell" or None for a cell of n respondents."""
    if n <= 0:
        return "no_data"
    if n < MIN_CELL:
        return "hidden_small_cell"
    return None


def _unreliable(estimate, lower, upper, n, n_eff):
    """Return the flag every estimate gets first (small cell, no data, n* < 30), or None."""
    flag = cell_flag(n)
    if flag:
        return flag
    if estimate is None or lower is None or upper is None:
        return "no_data"
    if n_eff < MIN_N_EFF:
        return "suppressed_n_eff"
    return None


def proportion_flag(p, lower, upper, n, n_eff):
    """Return the NCHS 2017 flag for a proportion with its Korn-Graubard interval."""
    flag = _unreliable(p, lower, upper, n, n_eff)
    if flag:
        return flag
    width = upper - lower
    # The 1e-12 slack keeps an exact 0.05 or 0.30 on the side NCHS puts it.
    if width <= SHOW_WIDTH + 1e-12:
        return "ok"
    if width >= MAX_WIDTH - 1e-12:
        return "suppressed_width"
    if p <= 0.0 or p >= 1.0:
        return "review_extreme"
    if width / p > MAX_RELATIVE_WIDTH:
        return "suppressed_relative_width"
    if width / (1.0 - p) > MAX_RELATIVE_WIDTH:
        return "review_complement"
    return "ok"


def mean_flag(mean, lower, upper, n, n_eff, max_half_width):
    """Return the flag for a mean on a bounded scale: n* >= 30 and half-width cap."""
    flag = _unreliable(mean, lower, upper, n, n_eff)
    if flag:
        return flag
    if (upper - lower) / 2.0 > max_half_width:
        return "suppressed_width"
    return "ok"

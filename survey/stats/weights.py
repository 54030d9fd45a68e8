"""Raking respondents to population margins, with collapsing and trimming.

Raking works on cells (distinct combinations of categories, and of base weight when base
weights vary) rather than on rows: every respondent in a cell gets the same adjustment,
so a unit of hundreds of rows rakes in a few dozen cell operations.

Trimming and R. `calibrate(design, ~sex + age, population, calfun = "raking",
bounds = c(0, k))` bounds the g-weights g_i = w_i / d_i (final over design weight) and
solves sum_i d_i x_i clip(exp(x_i' eta), 0, k) = totals. With equal design weights
d_i = N / n (declare them: `svydesign(ids = ~1, weights = ~I(N / n))`), the mean final
weight is N / n, so g_i <= k is exactly w_i <= k x mean weight. Without weights R's
design has d_i = 1, grake() then rescales by the mean of population / sample totals
(not N / n) and the bound means something else. With unequal base weights the cap on
final weights is R's `bounds = c(0, k * N / n), bounds.const = TRUE`. Here the bounded
problem is solved by raking with capped cells held at the cap and released when they
fall back under it (exact block-coordinate raking), which is the same solution R finds.
"""

import math
from typing import NamedTuple


class RakingError(ValueError):
    """Raking cannot meet a margin; the message names the variable and category."""

    def __init__(self, message, variable=None, category=None):
        super().__init__(message)
        self.variable = variable
        self.category = category


class Collapse(NamedTuple):
    """A category with no respondents, merged into a neighbour for raking."""

    variable: str
    category: str
    into: str


class Weights(NamedTuple):
    """Final weights for one reporting unit and their diagnostics."""

    weights: list
    weighted: bool  # False: no margins, equal weights of 1
    collapsed: list  # [Collapse]
    capped: int  # respondents whose weight sits at the trimming cap
    iterations: int
    kish_n: float
    max_mean_ratio: float


def kish_effective_n(weights):
    """Return Kish's effective sample size (sum w)^2 / sum w^2."""
    s = s2 = 0.0
    for w in weights:
        s += w
        s2 += w * w
    return s * s / s2 if s2 > 0.0 else 0.0


def max_mean_ratio(weights):
    """Return the largest weight divided by the mean weight."""
    return max(weights) * len(weights) / math.fsum(weights) if weights else 0.0


def unweighted(n):
    """Return equal weights of 1 for a unit without margins, flagged as unweighted."""
    w = [1.0] * n
    return Weights(w, False, [], 0, 0, float(n), 1.0 if n else 0.0)


def _groups(variable, column, margin):
    # Map each declared category to a raking group; an empty category joins the next
    # non-empty one in declared order (the last ones join the previous non-empty one).
    counts = dict.fromkeys(margin, 0)
    for c in column:
        if c not in counts:
            raise RakingError(
                f"{variable}: respondent category {c!r} is not in the margins", variable, c
            )
        counts[c] += 1
    order = list(margin)
    nonempty = [c for c in order if counts[c]]
    if not nonempty:
        raise RakingError(f"{variable}: no respondents", variable)
    index, targets, names, collapsed = {}, [], [], []
    pending = []
    for c in order:
        if counts[c]:
            index[c] = len(targets)
            targets.append(float(margin[c]))
            names.append(c)
            for e in pending:
                index[e] = index[c]
                targets[-1] += float(margin[e])
                collapsed.append(Collapse(variable, e, c))
            pending = []
        else:
            pending.append(c)
    for e in pending:
        index[e] = len(targets) - 1
        targets[-1] += float(margin[e])
        collapsed.append(Collapse(variable, e, names[-1]))
    for g, t in enumerate(targets):
        if t <= 0.0:
            raise RakingError(
                f"{variable}={names[g]}: respondents but zero population", variable, names[g]
            )
    return index, targets, names, collapsed


def _solve_capped(members, size, mult, cap, target):
    # Find f with sum size_c * min(f * mult_c, cap_c) = target over one group's cells.
    free = 0.0
    capped = 0.0
    points = []
    for c in members:
        points.append((cap[c] / mult[c], c))
        free += size[c] * mult[c]
    points.sort()
    for bp, c in points:
        f = (target - capped) / free
        if f <= bp:
            return f
        capped += size[c] * cap[c]
        free -= size[c] * mult[c]
        if free <= 1e-300 * capped:
            break
    return None


def rake(categories, margins, cap=5.0, base_weights=None, tol=1e-10, max_iter=5000):
    """Rake respondents to population margins, trimming at cap x mean weight.

    categories: {variable: [category of each respondent]}; margins: {variable:
    {category: population}} in declared order. cap=None disables trimming. Returns
    Weights; raises RakingError naming the variable and category that cannot be met.
    """
    if not margins:
        n = (
            len(base_weights)
            if base_weights is not None
            else len(next(iter(categories.values()), []))
        )
        return unweighted(n)
    variables = list(margins)
    n = len(categories[variables[0]])
    if n == 0:
        raise RakingError("no respondents to rake")
    totals = [math.fsum(float(v) for v in margins[v].values()) for v in variables]
    for v, t in zip(variables, totals, strict=True):
        if abs(t - totals[0]) > 1e-9 * totals[0]:
            raise RakingError(f"{v}: margins total {t:g}, not {totals[0]:g}", v)
    pop = totals[0]

    maps, targets, names, collapsed = [], [], [], []
    for v in variables:
        column = categories[v]
        if len(column) != n:
            raise RakingError(f"{v}: {len(column)} values for {n} respondents", v)
        index, tg, nm, col = _groups(v, column, margins[v])
        maps.append(index)
        targets.append(tg)
        names.append(nm)
        collapsed.extend(col)

    # Cells: each row's tuple of group indices (plus its base weight when they vary).
    cols = [[m[c] for c in categories[v]] for v, m in zip(variables, maps, strict=True)]
    mean_w = pop / n
    if base_weights is None:
        keys = list(zip(*cols, strict=True))
        cell_of = {}
        size = []
        for k in keys:
            if k not in cell_of:
                cell_of[k] = len(size)
                size.append(0.0)
            size[cell_of[k]] += mean_w
        row_cell = [cell_of[k] for k in keys]
        base = None
        cell_base = [mean_w] * len(size)
    else:
        keys = list(zip(*cols, base_weights, strict=True))
        cell_of = {}
        size, cell_base = [], []
        for k in keys:
            if k not in cell_of:
                cell_of[k] = len(size)
                size.append(0.0)
                cell_base.append(float(k[-1]))
            size[cell_of[k]] += k[-1]
        row_cell = [cell_of[k] for k in keys]
        base = base_weights
    ncell = len(size)
    cell_keys = list(cell_of)
    # Group membership of cells, per variable.
    members = []
    for j in range(len(variables)):
        mem = [[] for _ in targets[j]]
        for c, k in enumerate(cell_keys):
            mem[k[j]].append(c)
        members.append(mem)

    g = [1.0] * ncell
    iterations = _ipf(g, size, members, targets, variables, names, None, tol, max_iter)
    capped = 0
    if cap is not None:
        limit = cap * mean_w  # cap on the final weight
        bound = [limit / b for b in cell_base]  # the same cap as a bound on g
        if any(gc > bc for gc, bc in zip(g, bound, strict=True)):
            mult = g[:]  # unclipped multipliers exp(x' eta), warm-started
            iterations += _ipf(mult, size, members, targets, variables, names, bound, tol, max_iter)
            g = [min(m, b) for m, b in zip(mult, bound, strict=True)]
            at_cap = {c for c in range(ncell) if mult[c] >= bound[c]}
            capped = sum(1 for c in row_cell if c in at_cap)

    if base is None:
        gw = [mean_w * gc for gc in g]
        w = [gw[c] for c in row_cell]
    else:
        w = [b * g[c] for b, c in zip(base, row_cell, strict=True)]
    return Weights(w, True, collapsed, capped, iterations, kish_effective_n(w), max_mean_ratio(w))


def _ipf(mult, size, members, targets, variables, names, bound, tol, max_iter):
    # Iterative proportional fitting on cells; with bound, weights are size * min(mult, bound).
    nvar = len(variables)
    for it in range(1, max_iter + 1):
        for j in range(nvar):
            for gi, mem in enumerate(members[j]):
                target = targets[j][gi]
                if bound is None:
                    cur = 0.0
                    for c in mem:
                        cur += size[c] * mult[c]
                    f = target / cur
                else:
                    f = _solve_capped(mem, size, mult, bound, target)
                    if f is None:
                        v, cat = variables[j], names[j][gi]
                        raise RakingError(
                            f"{v}={cat}: cannot reach its margin under the weight cap", v, cat
                        )
                for c in mem:
                    mult[c] *= f
        worst, where = _misfit(mult, size, members, targets, bound)
        if worst < tol:
            return it
    j, gi = where
    v, cat = variables[j], names[j][gi]
    raise RakingError(f"{v}={cat}: raking did not converge (relative misfit {worst:.2e})", v, cat)


def _misfit(mult, size, members, targets, bound):
    worst, where = 0.0, (0, 0)
    for j, mem_j in enumerate(members):
        for gi, mem in enumerate(mem_j):
            cur = 0.0
            if bound is None:
                for c in mem:
                    cur += size[c] * mult[c]
            else:
                for c in mem:
                    m = mult[c]
                    b = bound[c]
                    cur += size[c] * (m if m < b else b)
            rel = abs(cur - targets[j][gi]) / targets[j][gi]
            if rel > worst:
                worst, where = rel, (j, gi)
    return worst, where

"""Raking respondents to population margins, with collapsing and trimming.

The uncapped problem is solved by Newton's method on the dual, started from three IPF
sweeps, as R's calibrate() solves it: a sparse ward (a handful of answers in a quarter) that
took IPF thousands of sweeps converges in a few steps, and margins no positive weights can
meet are refused at once (groups linked only to each other with unequal populations) or
within a bounded number of steps, instead of after 5,000 sweeps.

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
    # Map each declared category to a raking group; a category that cannot be a group of its
    # own (no respondents, or respondents but a population of 0: they cannot be weighted to
    # nobody) joins the next usable one in declared order (the last ones join the previous).
    counts = dict.fromkeys(margin, 0)
    for c in column:
        if c not in counts:
            raise RakingError(
                f"{variable}: respondent category {c!r} is not in the margins", variable, c
            )
        counts[c] += 1
    order = list(margin)
    if not any(counts.values()):
        raise RakingError(f"{variable}: no respondents", variable)
    usable = {c for c in order if counts[c] and float(margin[c]) > 0.0}
    if not usable:
        c = next(c for c in order if counts[c])  # every answered category has 0 people
        raise RakingError(f"{variable}={c}: respondents but zero population", variable, c)
    index, targets, names, collapsed = {}, [], [], []
    pending = []
    for c in order:
        if c in usable:
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

    g, iterations = _newton(size, members, targets, variables, names, tol)
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


# Newton's method on the dual converges in a handful of steps where IPF needs thousands (the
# sparse wards of a quarter: a few respondents, and the solution near the edge of what the
# margins allow). R's calibrate(calfun = "raking") solves the same equations the same way.
NEWTON_MAX_STEPS = 60
IPF_START_SWEEPS = 3
# A step that leaves some weight e^50 times from the mean means the dual has no finite
# optimum (no positive weights meet the margins): stop there instead of walking on.
DIVERGED_LOG_G = 50.0
# No respondent's weight falls below this share of the mean unless the margins can only be
# met by dropping whole cells (a sample on the edge of the feasible set: the dual has no
# finite optimum and Newton walks off towards infinity). Real margins never need a weight a
# billionth of the mean, so such a result is refused, as R's calibrate fails to converge.
DEGENERATE_G = 1e-9


def _newton(size, members, targets, variables, names, tol):
    # Solve sum_{c in k} size_c * exp(sum of the lambdas of c's groups) = target_k for every
    # group k by damped Newton steps on F(lambda) = sum_c size_c m_c - sum_k target_k lambda_k
    # (convex; its gradient is the misfit, its Hessian the weighted cell-group overlaps).
    groups = [(j, gi) for j, mem_j in enumerate(members) for gi in range(len(mem_j))]
    index = {k: i for i, k in enumerate(groups)}
    cell_groups = {}
    for j, mem_j in enumerate(members):
        for gi, mem in enumerate(mem_j):
            for c in mem:
                cell_groups.setdefault(c, []).append(index[(j, gi)])
    ncell = len(size)
    cg = [cell_groups[c] for c in range(ncell)]
    target = [targets[j][gi] for j, gi in groups]
    _check_linked_totals(groups, cg, target, variables, names)
    k = len(groups)
    lam = [0.0] * k
    mult = [1.0] * ncell

    def objective(lmb):
        exponents = [sum(lmb[i] for i in cg[c]) for c in range(ncell)]
        if max(exponents) > 700.0:  # past exp()'s range: a step far too long
            return math.inf, None
        m = [math.exp(e) for e in exponents]
        return math.fsum(size[c] * m[c] for c in range(ncell)) - math.fsum(
            t * x for t, x in zip(target, lmb, strict=True)
        ), m

    # Start where a few IPF sweeps lead (each sweep moves the lambdas of one variable's
    # groups by log(target / current)): far from the solution a Newton step on exp() is short.
    for _ in range(IPF_START_SWEEPS):
        for j, mem_j in enumerate(members):
            for gi, mem in enumerate(mem_j):
                cur = math.fsum(size[c] * mult[c] for c in mem)
                f = targets[j][gi] / cur
                lam[index[(j, gi)]] += math.log(f)
                for c in mem:
                    mult[c] *= f
    value, mult = objective(lam)
    polished = False
    for step in range(1, NEWTON_MAX_STEPS + 1):
        grad = [-t for t in target]
        hess = [[0.0] * k for _ in range(k)]
        for c in range(ncell):
            sm = size[c] * mult[c]
            for a in cg[c]:
                grad[a] += sm
                row = hess[a]
                for b in cg[c]:
                    row[b] += sm
        worst = max(range(k), key=lambda i: abs(grad[i]) / target[i])
        misfit = abs(grad[worst]) / target[worst]
        if misfit < tol and (polished or misfit < 1e-14):
            return _checked(mult, cg, groups, variables, names), step - 1
        # One more step once within tol: Newton's quadratic convergence then takes the
        # margins to rounding error, as exact as one IPF sweep on a single variable.
        polished = misfit < tol
        delta = _solve_psd(hess, [-x for x in grad])
        # Halve the step until F decreases (Armijo): F is convex, so a descent step exists.
        slope = math.fsum(d * x for d, x in zip(delta, grad, strict=True))
        t = 1.0
        while True:
            trial = [x + t * d for x, d in zip(lam, delta, strict=True)]
            trial_value, trial_mult = objective(trial)
            # Near the solution F changes by less than its rounding: accept the step then.
            if trial_value <= value + 1e-4 * t * slope + 1e-12 * abs(value) or t < 1e-10:
                break
            t *= 0.5
        if trial_value >= value and t < 1e-10:
            break  # no further progress possible in floating point
        lam, value, mult = trial, trial_value, trial_mult
        if max(abs(math.log(m)) for m in mult if m > 0.0) > DIVERGED_LOG_G or min(mult) == 0.0:
            break  # heading to infinity: the margins cannot be met by positive weights
    j, gi = groups[worst]
    v, cat = variables[j], names[j][gi]
    rel = abs(grad[worst]) / target[worst]
    raise RakingError(f"{v}={cat}: raking did not converge (relative misfit {rel:.2e})", v, cat)


def _check_linked_totals(groups, cell_groups, target, variables, names):
    # Groups that share a respondent are linked. Weights can only move population within a
    # linked set, so each variable's groups in one set must hold the same population: if
    # the only men are young, the young and the men must be as many (checked exactly here,
    # where Newton could only fail to converge after many steps).
    parent = list(range(len(groups)))

    def root(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for linked in cell_groups:
        first = root(linked[0])
        for other in linked[1:]:
            parent[root(other)] = first
    totals = {}
    for a, (j, _) in enumerate(groups):
        per_variable = totals.setdefault(root(a), {})
        per_variable[j] = per_variable.get(j, 0.0) + target[a]
    for a, (j, gi) in enumerate(groups):
        per_variable = totals[root(a)]
        held, other = per_variable[j], max(per_variable.values())
        if held < other * (1.0 - 1e-9):
            v, cat = variables[j], names[j][gi]
            raise RakingError(
                f"{v}={cat}: raking did not converge (its respondents' groups hold "
                f"{held:g} people of {v}, but {other:g} of another variable)",
                v,
                cat,
            )


def _checked(mult, cg, groups, variables, names):
    # Refuse a solution that meets the margins only by giving a cell (almost) no weight.
    c = min(range(len(mult)), key=mult.__getitem__)
    if mult[c] < DEGENERATE_G:
        j, gi = groups[cg[c][0]]
        v, cat = variables[j], names[j][gi]
        raise RakingError(
            f"{v}={cat}: raking did not converge (the margins need a zero weight)", v, cat
        )
    return mult


def _solve_psd(matrix, rhs):
    # Solve a symmetric positive semi-definite system by Gaussian elimination with partial
    # pivoting; directions with no curvature (variables sharing the same total, or parts of
    # the sample no cell links) get no step.
    n = len(rhs)
    a = [row[:] + [r] for row, r in zip(matrix, rhs, strict=True)]
    scale = max((abs(a[i][i]) for i in range(n)), default=0.0)
    pivots = []
    row = 0
    for col in range(n):
        best = max(range(row, n), key=lambda i: abs(a[i][col]), default=None)
        if best is None or abs(a[best][col]) <= 1e-12 * scale:
            continue
        a[row], a[best] = a[best], a[row]
        p = a[row][col]
        for i in range(n):
            if i != row and a[i][col] != 0.0:
                f = a[i][col] / p
                ri, rr = a[i], a[row]
                for jj in range(col, n + 1):
                    ri[jj] -= f * rr[jj]
        pivots.append((row, col))
        row += 1
    x = [0.0] * n
    for r, col in pivots:
        x[col] = a[r][n] / a[r][col]
    return x


def _ipf(mult, size, members, targets, variables, names, bound, tol, max_iter):
    # Capped raking: block-coordinate IPF on cells whose weights are size * min(mult, bound),
    # warm-started from the uncapped solution.
    nvar = len(variables)
    for it in range(1, max_iter + 1):
        for j in range(nvar):
            for gi, mem in enumerate(members[j]):
                f = _solve_capped(mem, size, mult, bound, targets[j][gi])
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
            for c in mem:
                m = mult[c]
                b = bound[c]
                cur += size[c] * (m if m < b else b)
            rel = abs(cur - targets[j][gi]) / targets[j][gi]
            if rel > worst:
                worst, where = rel, (j, gi)
    return worst, where

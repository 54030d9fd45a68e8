"""Direct estimates for one reporting unit (a ward or collection point in one period).

Respondents arrive decoded once (``decoding.Respondent``); the weights come from raking the unit.
The sums are keyed by key number (``Spec.key_id``: a small int hashes faster than a tuple of
strings), and each reported item's numbers are worked out once per spec (``ItemNumbers``).
Every respondent in a raking cell has the same weight, so item statistics are sums over
cells of counts (``Counter`` does the counting in C); only the composites (sub-dimension,
dimension, total), whose linearized variance needs each respondent's combined influence
value, take a second pass over respondents. The formulas are those of survey.stats.variance
(z_k = w_k (y_k - ybar) / sum w, v = n/(n-1) sum z^2, n = every respondent in the unit),
written with sums: sum z^2 = (sum w^2 y^2 - 2 ybar sum w^2 y + ybar^2 sum w^2) / W^2.

A result is ``{key: Stat}`` with keys ("item", item, option, statistic), ("indicator", j),
("sub", sub), ("dim", dim) and ("total",).
"""

from collections import Counter
from itertools import chain
from typing import NamedTuple


class Stat(NamedTuple):
    """Sufficient results of one estimand in one unit."""

    estimate: float | None
    variance: float | None
    n: int  # respondents in the unit
    n_item: int  # respondents with a value
    kish: float  # Kish n of the item respondents' weights
    spread: float | None  # weighted population variance (None for shares and composites)


def compute(respondents, weights, spec):
    """Return {key: Stat} for a unit from its respondents and their final weights."""
    n = len(respondents)
    cells: dict[float, list] = {}
    for r, w in zip(respondents, weights, strict=True):
        found = cells.get(w)
        if found is None:
            cells[w] = [r]
        else:
            found.append(r)
    s1, s2, cnt = {}, {}, {}  # by key number (Spec.key_id)
    for w, members in cells.items():
        # One C-level count per cell, not one per respondent.
        counted = Counter(chain.from_iterable(r.keys for r in members))
        counted.update(chain.from_iterable(r.score_ids for r in members))
        w2 = w * w
        for i, m in counted.items():
            if i in cnt:
                s1[i] += w * m
                s2[i] += w2 * m
                cnt[i] += m
            else:
                s1[i] = w * m
                s2[i] = w2 * m
                cnt[i] = m
    out = {}
    _items(out, spec, s1, s2, cnt, n)
    ybar = _indicators(out, spec, s1, s2, cnt, n)
    _composites(out, spec, respondents, weights, ybar, n)
    return out


def _share(W, Q, m, A, B, n):
    """Return the Stat of a 0/1 share with sum w y = A and sum w^2 y = B."""
    p = A / W
    var = None
    if n > 1:
        var = n / (n - 1) * max(0.0, (B - 2.0 * p * B + p * p * Q) / (W * W))
    return Stat(p, var, n, m, W * W / Q, None)


def _mean(W, Q, m, swy, sw2y, sw2y2, swy2, n):
    """Return the Stat of a weighted mean from its sums."""
    ybar = swy / W
    var = None
    if n > 1:
        var = n / (n - 1) * max(0.0, (sw2y2 - 2.0 * ybar * sw2y + ybar * ybar * Q) / (W * W))
    spread = max(0.0, swy2 / W - ybar * ybar)
    return Stat(ybar, var, n, m, W * W / Q, spread)


def _items(out, spec, s1, s2, cnt, n):
    """Add option shares, means and top-two-box shares of every reported item."""
    for (item_id, kind, codes, values, top), numbers in zip(
        spec.items, spec.item_numbers, strict=True
    ):
        item = numbers.item
        W = s1.get(item, 0.0)
        if W <= 0.0:
            continue
        Q, m = s2[item], cnt[item]
        if kind == "choice":
            for code, i in zip(codes, numbers.codes, strict=True):
                out[("item", item_id, code, "share")] = _share(
                    W, Q, m, s1.get(i, 0.0), s2.get(i, 0.0), n
                )
            continue
        swy = sw2y = sw2y2 = swy2 = 0.0
        numeric = numbers.values if values is not None else _numeric_keys(spec, s1, item_id)
        for i, v in numeric:
            a = s1.get(i)
            if a is None:
                continue
            b = s2[i]
            swy += v * a
            swy2 += v * v * a
            sw2y += v * b
            sw2y2 += v * v * b
        # Special codes (don't know) count for the item but not for its mean.
        special = numbers.codes
        Wv = W - sum(s1.get(i, 0.0) for i in special)
        mv = Q - sum(s2.get(i, 0.0) for i in special)
        mm = m - sum(cnt.get(i, 0) for i in special)
        if Wv > 0.0:
            out[("item", item_id, "", "mean")] = _mean(Wv, mv, mm, swy, sw2y, sw2y2, swy2, n)
            if top:
                a = sum(s1.get(i, 0.0) for i in numbers.top)
                b = sum(s2.get(i, 0.0) for i in numbers.top)
                out[("item", item_id, "", "top2")] = _share(Wv, mv, mm, a, b, n)


def _numeric_keys(spec, s1, item_id):
    """Return (key number, value) of an integer item's answered values found in the sums."""
    key_list = spec.key_list
    found = []
    for i in s1:
        k = key_list[i]
        if (
            type(k) is tuple
            and k[0] == item_id
            and isinstance(k[1], str)
            and k[1].lstrip("-").isdigit()
        ):
            found.append((i, float(k[1])))
    return found


def _indicators(out, spec, s1, s2, cnt, n):
    """Add indicator means; return their ybar (None where nobody contributes)."""
    sums = [[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0] for _ in range(spec.n_indicators)]
    key_list, fixed = spec.key_list, spec.fixed_keys
    for i, a in s1.items():
        if i < fixed:
            continue  # item keys
        key = key_list[i]
        if type(key) is tuple and type(key[0]) is int:
            j, y = key
            b = s2[i]
            acc = sums[j]
            acc[0] += a
            acc[1] += b
            acc[2] += y * a
            acc[3] += y * b
            acc[4] += y * y * b
            acc[5] += y * y * a
            acc[6] += cnt[i]
    ybar = [None] * spec.n_indicators
    for j, (W, Q, swy, sw2y, sw2y2, swy2, m) in enumerate(sums):
        if W > 0.0:
            st = _mean(W, Q, m, swy, sw2y, sw2y2, swy2, n)
            out[("indicator", j)] = st
            ybar[j] = (st.estimate, W)
    return ybar


def _composites(out, spec, respondents, weights, ybar, n):
    """Add sub-dimensions, dimensions and the total with their linearized variances."""
    factor = [0.0] * spec.n_indicators
    subs_ok = {}
    complete = spec.model.complete_subdimensions
    for s, (_sub, members, low, high) in enumerate(spec.subs):
        used = [j for j in members if ybar[j] is not None]
        if not used:
            continue
        if complete and len(used) < len(members):
            out[("sub", s)] = Stat(None, None, n, 0, 0.0, None)  # flagged by the report
            continue
        c = (high - low) / len(used)
        subs_ok[s] = low + c * sum(ybar[j][0] for j in used)
        for j in used:
            factor[j] = c / ybar[j][1]
    dims_ok = {}
    for d, (_dim, sub_idx) in enumerate(spec.dims):
        if all(s in subs_ok for s in sub_idx):
            dims_ok[d] = sum(subs_ok[s] for s in sub_idx)
    total_ok = spec.has_total and len(dims_ok) == len(spec.dims)
    ns, nd = len(spec.subs), len(spec.dims)
    # Per composite: sum z^2, then sum w, sum w^2 and count over contributing respondents.
    acc = [[0.0, 0.0, 0.0, 0] for _ in range(ns + nd + 1)]
    sub_of, dim_of_sub = spec.sub_of, spec.dim_of_sub
    for r, w in zip(respondents, weights, strict=True):
        if not r.scored:
            continue
        us = {}
        for j, y in r.scored:
            yb = ybar[j]
            s = sub_of[j]
            us[s] = us.get(s, 0.0) + factor[j] * (y - yb[0])
        w2 = w * w
        ud = {}
        for s, u in us.items():
            a = acc[s]
            a[0] += w2 * u * u
            a[1] += w
            a[2] += w2
            a[3] += 1
            d = dim_of_sub[s]
            ud[d] = ud.get(d, 0.0) + u
        ut = 0.0
        for d, u in ud.items():
            a = acc[ns + d]
            a[0] += w2 * u * u
            a[1] += w
            a[2] += w2
            a[3] += 1
            ut += u
        a = acc[ns + nd]
        a[0] += w2 * ut * ut
        a[1] += w
        a[2] += w2
        a[3] += 1
    scale = n / (n - 1) if n > 1 else None
    for s, est in subs_ok.items():
        out[("sub", s)] = _composite_stat(est, acc[s], scale, n)
    for d, est in dims_ok.items():
        out[("dim", d)] = _composite_stat(est, acc[ns + d], scale, n)
    if total_ok:
        out[("total",)] = _composite_stat(sum(dims_ok.values()), acc[ns + nd], scale, n)


def _composite_stat(est, a, scale, n):
    """Return a composite's Stat: n_item and Kish n over the respondents who contribute."""
    sz2, sw, sw2, m = a
    kish = sw * sw / sw2 if sw2 > 0.0 else 0.0
    return Stat(est, None if scale is None else scale * sz2, n, m, kish, None)

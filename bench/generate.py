"""Generate a synthetic but plausible instance: responses for every ward, and their margins.

    python bench/generate.py --instance DIR --responses 1000000 --seed 1

writes DIR/papi-pulse.sqlite3 (migrations applied, the 34 provinces and 3,321 wards loaded,
one collection point per ward (only ``--province``'s wards if given), N responses of
papi-pulse-core spread over the four quarters of 2026) and DIR/margins.csv
(``unit_code,variable,category,population`` with sex and age_band for every ward, both
adding up to the ward's population). The same seed gives the same data. Answers follow the
questionnaire: rotating modules balanced by ``choose_modules``, only visible items answered,
codes drawn from distributions that shift with a ward's (and its province's) "quality", so
that estimates differ between wards.

This command line is used by other benchmarks: keep it stable.
"""

from __future__ import annotations

import argparse
import bisect
import json
import math
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from survey import exports, migrations, units  # noqa: E402
from survey.db import connect  # noqa: E402
from survey.estimation import stored as decoded_forms  # noqa: E402
from survey.questionnaire import get  # noqa: E402

QUESTIONNAIRE = ("papi-pulse-core", 1)
DB_NAME = "papi-pulse.sqlite3"
# Wards get a quality in [-1, 1], quantised to this many levels so that the answer tables
# are precomputed once per level rather than once per ward.
LEVELS = 41
# 2026 in Vietnam's local time (UTC+7), as epoch seconds.
YEAR_START, YEAR_END = 1767200400, 1798736400
CHUNK = 20_000  # rows per executemany call: large enough to amortise, small enough for memory
SEX_SHARE = {"nam": 0.49, "nu": 0.51}
AGE_SHARE = {"18_29": 0.27, "30_44": 0.31, "45_59": 0.24, "60_plus": 0.18}
PRESSING_ISSUES = (
    "Đường ngập nước mỗi khi mưa lớn.",
    "Thủ tục đất đai còn chậm, phải đi lại nhiều lần.",
    "Rác thải chưa được thu gom đúng giờ.",
    "- Thiếu chỗ gửi xe ở trụ sở phường.",
    "Cần thêm đèn chiếu sáng ở các hẻm nhỏ.",
    "Trạm y tế đông, chờ lâu.",
    "Nước sinh hoạt có mùi lạ.",
)


def level_value(level: int) -> float:
    """Return the quality in [-1, 1] of a level."""
    return 2 * level / (LEVELS - 1) - 1


def cumulative(weights: list[float]) -> list[float]:
    """Return cumulative weights normalised so that the last is exactly 1."""
    total, running, out = sum(weights), 0.0, []
    for weight in weights:
        running += weight / total
        out.append(running)
    out[-1] = 1.0
    return out


def choice_answerer(item, setup: random.Random):
    """Return a function (draw, level) -> code for one-answer items."""
    codes = [o.code for o in item.options]
    n = len(codes)
    base = [0.5 + setup.random() for _ in codes]
    if item.type == "yes_no":
        better = item.scoring is None or item.scoring.direction == "higher_better"
        goodness = [1.0, 0.0] if better else [0.0, 1.0]
    else:
        goodness = [i / (n - 1) for i in range(n)]
    if item.role == "weighting":
        shares = SEX_SHARE if item.weighting_variable == "sex" else AGE_SHARE
        base, goodness = [shares[c] for c in codes], [0.5] * n
    specials = [o.code for o in item.special]
    special_share = 0.02 if item.role == "weighting" else 0.05
    tables = []
    for level in range(LEVELS):
        tilt = 1.6 * level_value(level)
        weights = [b * math.exp(tilt * (g - 0.5)) for b, g in zip(base, goodness, strict=True)]
        weights = [w * (1 - special_share * bool(specials)) / sum(weights) for w in weights]
        weights += [special_share / len(specials) for _ in specials]
        tables.append(cumulative(weights))
    all_codes = codes + specials

    def draw(rnd, level):
        return all_codes[bisect.bisect(tables[level], rnd())]

    return draw


def multiple_answerer(item, setup: random.Random):
    """Return a function (draw, level) -> list of codes in option order."""
    ordinary = [o for o in item.options if not o.exclusive]
    exclusive = [o.code for o in item.options if o.exclusive] + [o.code for o in item.special]
    base = [0.15 + 0.4 * setup.random() for _ in ordinary]
    tables = [
        [min(0.95, b * (1 + 0.4 * level_value(level))) for b in base] for level in range(LEVELS)
    ]
    codes = [o.code for o in ordinary]

    def draw(rnd, level):
        chosen = [code for code, p in zip(codes, tables[level], strict=True) if rnd() < p]
        if chosen or not exclusive:
            return chosen or [codes[0]]
        return [exclusive[0]]

    return draw


def integer_answerer(item, setup: random.Random):
    """Return a function (draw, level) -> int or special code (amounts, log-normal)."""
    low = item.min if item.min is not None else 0
    high = item.max if item.max is not None else 10**6
    specials = [o.code for o in item.special]
    scale = 10_000 if high >= 100_000 else 1

    def draw(rnd, level):
        if specials and rnd() < 0.05:
            return specials[0]
        value = round(math.exp(11.5 - 0.4 * level_value(level) + rnd() * 1.5) / scale) * scale
        return max(low, min(high, value))

    return draw


def text_answerer(item, setup: random.Random):
    """Return a function (draw, level) -> a short Vietnamese text from a fixed list."""

    def draw(rnd, level):
        return PRESSING_ISSUES[int(rnd() * len(PRESSING_ISSUES))]

    return draw


def decimal_answerer(item, setup: random.Random):
    """Return a function (draw, level) -> a decimal's stored text, uniform over its range."""
    from decimal import Decimal

    from survey.questionnaire.decimals import stored

    step = 10**item.decimals
    low, high = int(item.min * step), int(item.max * step)

    def draw(rnd, level):
        return stored(Decimal(low + int(rnd() * (high - low + 1))) / step, item.decimals)

    return draw


ANSWERERS = {
    "yes_no": choice_answerer,
    "single": choice_answerer,
    "likert5": choice_answerer,
    "rating10": choice_answerer,
    "multiple": multiple_answerer,
    "integer": integer_answerer,
    "decimal": decimal_answerer,
    "text": text_answerer,
}


def compile_condition(condition):
    """Return a fast test of a condition on answers that hold only shown items' answers."""
    op = condition.op
    if op in ("all", "any", "not"):
        children = [compile_condition(child) for child in condition.children]
        if op == "all":
            return lambda a: all(test(a) for test in children)
        if op == "any":
            return lambda a: any(test(a) for test in children)
        return lambda a: not children[0](a)
    ref, values = condition.item_id, set(condition.values)
    if op == "answered":
        return lambda a: (ref in a) == condition.values[0]
    if op in ("in", "not_in"):
        hit = (
            (lambda a: bool(values.intersection(a.get(ref, ()))))
            if condition.item.type == "multiple"
            else (lambda a: a.get(ref) in values)
        )
        return hit if op == "in" else (lambda a: ref in a and not hit(a))
    bound = condition.values[0]

    def numeric(a):
        return int(a[ref]) if ref in a and str(a[ref]).lstrip("-").isdigit() else None

    if op == "gte":
        return lambda a: (v := numeric(a)) is not None and v >= bound
    return lambda a: (v := numeric(a)) is not None and v <= bound


def plan(questionnaire, setup: random.Random) -> dict[str, list]:
    """Return, per module, the items as (id, show test or None, answerer, skip share)."""
    out = {}
    for module in questionnaire.modules:
        steps = []
        for item in module.items:
            shown = compile_condition(item.show_if) if item.show_if else None
            skip = 0.0 if item.required else (0.75 if item.type == "text" else 0.03)
            steps.append((item.id, shown, ANSWERERS[item.type](item, setup), skip))
        out[module.id] = steps
    return out


def ward_levels(wards: list[tuple[str, str]], rng: random.Random) -> dict[str, int]:
    """Return a quality level per ward: half its province's, half its own."""
    provinces = {province: rng.uniform(-1, 1) for _, province in wards}
    levels = {}
    for code, province in wards:
        quality = max(-1.0, min(1.0, 0.5 * provinces[province] + 0.6 * rng.uniform(-1, 1)))
        levels[code] = round((quality + 1) / 2 * (LEVELS - 1))
    return levels


def build_instance(instance: Path, total: int, seed: int, province: str | None = None) -> dict:
    """Create the database and margins in instance; return figures for the summary line.

    ``province``: only that province's wards get a point, margins and responses (tests of a
    whole province use it to stay small).
    """
    from survey.questionnaire.rotation import choose_modules

    instance.mkdir(parents=True, exist_ok=True)
    path = instance / DB_NAME
    if path.exists():
        raise SystemExit(f"{path} already exists: choose an empty instance folder")
    db = connect(str(path), synchronous="NORMAL")
    db.execute("PRAGMA synchronous = OFF")  # a half-written benchmark file is simply redone
    migrations.apply(db)
    units.load_units(db)
    rng = random.Random(seed)
    rnd = rng.random
    wards = [
        tuple(r)
        for r in db.execute("SELECT code, province_code FROM wards ORDER BY code")
        if province is None or r[1] == province
    ]
    populations = write_margins(instance / "margins.csv", db, wards, rng)
    point_of = create_points(db, wards, rng)
    levels = ward_levels(wards, rng)
    questionnaire = get(*QUESTIONNAIRE)
    steps = plan(questionnaire, random.Random(seed + 1))
    cum_wards = cumulative([populations[code] for code, _ in wards])
    counts: Counter = Counter()
    span = YEAR_END - YEAR_START
    rows, stored = [], 0
    insert = (
        "INSERT INTO responses (id, point_id, ward_code, province_code, questionnaire_id,"
        " questionnaire_version, modules, answers, locale, started_at, submitted_at,"
        " duration_seconds, flags, review_status, review_reason, reviewed_by, reviewed_at,"
        " source) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
    )
    gmtime, strftime = time.gmtime, time.strftime
    stamp = "%Y-%m-%dT%H:%M:%S+00:00"
    qid, version = QUESTIONNAIRE
    db.execute("BEGIN")
    for _ in range(total):
        ward, province = wards[bisect.bisect(cum_wards, rnd())]
        level = levels[ward]
        modules = choose_modules(questionnaire, counts, rng)
        counts.update(modules)
        answers: dict = {}
        for module in modules:
            for item_id, shown, draw, skip in steps[module]:
                if shown is not None and not shown(answers):
                    continue
                if skip and rnd() < skip:
                    continue
                answers[item_id] = draw(rnd, level)
        submitted = YEAR_START + int(rnd() * span)
        fast = rnd() < 0.02
        duration = int(20 + rnd() * 40) if fast else int(150 + rng.expovariate(1 / 150))
        excluded = rnd() < 0.005
        rows.append(
            (
                f"{rng.getrandbits(128):032x}",
                point_of[ward],
                ward,
                province,
                qid,
                version,
                json.dumps(modules),
                json.dumps(answers, ensure_ascii=False, sort_keys=True),
                "en" if rnd() < 0.05 else "vi",
                strftime(stamp, gmtime(submitted - duration)),
                strftime(stamp, gmtime(submitted)),
                duration,
                '["too_fast"]' if fast else "[]",
                "excluded" if excluded else "included",
                "Trả lời thử khi tập huấn" if excluded else None,
                "bench" if excluded else None,
                strftime(stamp, gmtime(submitted + 86400)) if excluded else None,
                "web",
            )
        )
        if len(rows) >= CHUNK:
            db.conn.executemany(insert, rows)
            stored += len(rows)
            rows.clear()
    db.conn.executemany(insert, rows)
    stored += len(rows)
    db.conn.executemany(
        "INSERT INTO module_counts (questionnaire_id, questionnaire_version, module_id, shown)"
        " VALUES (?, ?, ?, ?)",
        [(qid, version, module, shown) for module, shown in sorted(counts.items())],
    )
    exports.fill_cells(db)  # as the app stores each answer: with its export cells
    decoded_forms.fill(db)  # and with the engine's decoded form
    db.execute("COMMIT")
    db.close()
    return {"responses": stored, "wards": len(wards), "points": len(point_of)}


def create_points(db, wards, rng: random.Random) -> dict[str, int]:
    """Insert one active one-stop collection point per ward; return point id by ward."""
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    stamp = "2025-12-01T00:00:00+00:00"
    rows = [
        (
            code,
            "Bộ phận một cửa",
            "one_stop",
            "".join(rng.choice(alphabet) for _ in range(14)),
            stamp,
            stamp,
        )
        for code, _ in wards
    ]
    with db.atomic():
        db.conn.executemany(
            "INSERT INTO points (ward_code, name, kind, token, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )
    return {row[0]: row[1] for row in db.execute("SELECT ward_code, id FROM points")}


def split(total: int, shares: dict[str, float], rng: random.Random) -> dict[str, int]:
    """Split a population into categories near the given shares, adding up exactly."""
    noisy = {k: v * rng.uniform(0.85, 1.15) for k, v in shares.items()}
    scale = total / sum(noisy.values())
    out = {k: int(v * scale) for k, v in noisy.items()}
    first = next(iter(out))
    out[first] += total - sum(out.values())
    return out


def write_margins(path: Path, db, wards, rng: random.Random) -> dict[str, int]:
    """Write sex and age_band margins for every ward; store ward and province populations."""
    populations = {code: int(math.exp(rng.gauss(10.0, 0.6))) + 500 for code, _ in wards}
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("unit_code,variable,category,population\n")
        for code, _ in wards:
            for variable, shares in (("sex", SEX_SHARE), ("age_band", AGE_SHARE)):
                for category, count in split(populations[code], shares, rng).items():
                    out.write(f"{code},{variable},{category},{count}\n")
    with db.atomic():
        db.conn.executemany(
            "UPDATE wards SET population = ? WHERE code = ?",
            [(population, code) for code, population in populations.items()],
        )
        db.execute(
            "UPDATE provinces SET population = (SELECT sum(population) FROM wards"
            " WHERE wards.province_code = provinces.code)"
        )
    return populations


def main(argv=None) -> int:
    """Parse the command line, build the instance, print one summary line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--instance", required=True, type=Path, help="instance folder to fill")
    parser.add_argument("--responses", type=int, default=1_000_000, help="number of responses")
    parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same data)")
    parser.add_argument("--province", help="only this province's wards (code, e.g. 79)")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    figures = build_instance(args.instance, args.responses, args.seed, args.province)
    seconds = time.perf_counter() - began
    size = os.path.getsize(args.instance / DB_NAME) / 1e6
    print(
        f"{figures['responses']:,} responses, {figures['wards']:,} wards, "
        f"{figures['points']:,} points in {seconds:.1f} s "
        f"({figures['responses'] / seconds:,.0f} responses/s); database {size:,.0f} MB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

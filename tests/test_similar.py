"""Wards like a ward: same kind, same third of the province by population; too small said so."""

import pytest
from bs4 import BeautifulSoup

from survey import estimation as estimates
from survey import points, similar, units
from survey.demo_data import add_demo_responses
from survey.estimation import cache as estimate_cache
from survey.questionnaire import catalogue
from tests.factories import BEN_THANH, HCMC, SAI_GON
from tests.staff_helpers import client_as

V1 = catalogue.get("papi-pulse-core", 1)
# The answers made here are v1's: the pages must read v1, not the current version.
pytestmark = pytest.mark.usefixtures("pin_v1")
# Eighteen wards of Ho Chi Minh City, six to a third. Bến Thành and Sài Gòn are urban wards of
# the middle third; 26000 and 26001 join them there; 26002 is like them but has no answers;
# 26003, a commune of the same size, is another kind; the others are smaller or larger.
EXTRA = (
    [("26000", "Phường Một", "phường", 52_000), ("26001", "Phường Hai", "phường", 54_000)]
    + [("26002", "Phường Ba", "phường", 55_000), ("26003", "Xã Bốn", "xã", 50_000)]
    + [(f"2610{i}", f"Phường Nhỏ {i}", "phường", 9_000 + i * 1_000) for i in range(6)]
    + [(f"2620{i}", f"Phường Lớn {i}", "phường", 140_000 + i * 1_000) for i in range(6)]
)


def add_wards(db, world, answers=60, answering=("26000", "26001", "26003", "26200")):
    """Add the EXTRA wards, populations, and answers at Bến Thành, Sài Gòn and ``answering``."""
    with db.atomic():
        for code, name, kind, population in EXTRA:
            db.execute(
                "INSERT INTO wards (code, province_code, name, name_ascii, kind, population)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [code, HCMC, name, name.lower(), kind, population],
            )
        db.execute(
            "UPDATE wards SET population = 51000, kind = 'phường' WHERE code = ?", [BEN_THANH]
        )
        db.execute("UPDATE wards SET population = 53000, kind = 'phường' WHERE code = ?", [SAI_GON])
    found = [world["point"], world["other_point"]]
    found += [points.create_point(db, code, f"Điểm {code}", "one_stop") for code in answering]
    for seed, point in enumerate(found):
        add_demo_responses(db, point, V1, answers, seed=seed * 1000)


def test_bands_are_thirds_of_the_known_populations():
    """Thirds by population, hand-worked: edges at the 4th and 7th of nine sorted values."""
    known = [1, 2, 3, 4, 5, 6, 7, 8, 9]
    assert [similar.band_of(v, known) for v in known] == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    assert similar.band_of(None, known) is None and similar.band_of(5, []) is None


def test_margins_give_the_population_before_the_units_table(db, world):
    """A ward's population is its margins' total in force, else the wards table's."""
    from survey import margins

    lines = ["unit_code,variable,category,population"]
    lines += [f"{BEN_THANH},sex,nam,40", f"{BEN_THANH},sex,nu,60"]
    lines += [f"{BEN_THANH},age_band,{c},25" for c in ("18_29", "30_44", "45_59", "60_plus")]
    margins.load(db, ("\n".join(lines) + "\n").encode(), "m.csv", "test")
    with db.atomic():
        db.execute("UPDATE wards SET population = 7000 WHERE code = ?", [SAI_GON])
    found = similar.populations(db, HCMC)
    assert found[BEN_THANH] == 100.0 and found[SAI_GON] == 7000.0


def test_group_is_same_kind_and_third_with_answers(db, world):
    """The group holds the ward and the wards of its kind and third that have answers."""
    add_wards(db, world)
    period = estimates.parse_periods(_demo_range())
    from survey import units

    group = similar.group_of(db, units.get_ward(db, BEN_THANH), period, V1)
    assert group.kind == "urban" and group.band == 1
    # 26002 is like it but has no answers; 26003 is a commune; 26200 is in the top third.
    assert group.members == sorted([BEN_THANH, SAI_GON, "26000", "26001"])
    assert group.peers == 3 and not group.too_small


def _demo_range():
    """Return a range holding every demo answer."""
    from datetime import datetime, timedelta

    from survey.periods import LOCAL_TZ

    today = datetime.now(LOCAL_TZ).date()
    return f"{today - timedelta(days=200)}..{today + timedelta(days=1)}"


def test_ward_page_compares_with_wards_like_it(app, db, world):
    """The ward page gives the group's own engine estimate and the Bristol comparison with it."""
    add_wards(db, world)
    period = _demo_range()
    client = client_as(app, world, "analyst")
    soup = BeautifulSoup(
        client.get(f"/staff/analysis/?unit=ward&code={BEN_THANH}&period={period}").data,
        "html.parser",
    )
    section = soup.select_one("section[aria-labelledby=similar-title]")
    assert "urban wards (phường) in the same third" in section.text
    assert "3 others of them have answers in this period." in section.text
    rows = estimate_cache.unit_rows(
        db, V1, estimates.parse_periods(period), "province", HCMC,
        sorted([BEN_THANH, SAI_GON, "26000", "26001"]), [HCMC], 5.0, 20.0,
    )  # fmt: skip
    total = next(r for r in rows if r["key"] == "total")
    cells = section.select("table.similar tbody tr")[0].select("td")
    assert total["shown"] and cells[1].text == f"{total['estimate']:,.2f}"
    assert cells[3].text == f"{total['n_item']:,}"
    assert cells[4].text.strip() in (
        "▲ Higher than wards like it",
        "▼ Lower than wards like it",
        "No clear difference",
    )


@pytest.mark.parametrize("role, shown", [("ward_staff", False), ("province_manager", True)])
def test_only_who_may_see_the_whole_province_sees_wards_like_it(app, db, world, role, shown):
    """Ward staff may not see other wards' answers: the group's estimate is not theirs to see."""
    add_wards(db, world)
    client = client_as(app, world, role)
    page = client.get(f"/staff/analysis/?unit=ward&code={BEN_THANH}&period={_demo_range()}")
    assert page.status_code == 200
    soup = BeautifulSoup(page.data, "html.parser")
    assert (soup.select_one("section[aria-labelledby=similar-title]") is not None) is shown
    assert ("wards like it" in soup.text) is shown


@pytest.mark.parametrize("answering", [("26000",), ()])
def test_too_small_a_group_is_said(app, db, world, answering):
    """With fewer than three other wards like it answering, the page says so and compares none."""
    add_wards(db, world, answers=8, answering=answering)
    client = client_as(app, world, "analyst")
    soup = BeautifulSoup(
        client.get(f"/staff/analysis/?unit=ward&code={BEN_THANH}&period={_demo_range()}").data,
        "html.parser",
    )
    section = soup.select_one("section[aria-labelledby=similar-title]")
    assert "That is too few to compare with: at least 3 other wards" in section.text
    assert not section.select("table")


def test_unknown_population_is_said(app, db, world):
    """A ward without a known population is not put in a group, and the page says why."""
    add_demo_responses(db, world["point"], V1, 5)
    client = client_as(app, world, "analyst")
    soup = BeautifulSoup(
        client.get(f"/staff/analysis/?unit=ward&code={BEN_THANH}&period={_demo_range()}").data,
        "html.parser",
    )
    assert "This ward's population is not known" in soup.text


SHOWN_COLUMNS = ("estimate", "se", "ci_lower", "ci_upper", "flag", "shown", "n", "n_item", "n_eff")


def _engine_rows(db, period, members, **options):
    """Return the engine's own province rows restricted to members, as dicts by key."""
    rows = estimates.run(
        db, V1, [period], ("province",), cap=5.0, prior_m=20.0, ward_scope=members,
        provinces=[HCMC], **options,
    )  # fmt: skip
    found = (dict(zip(estimates.COLUMNS, row, strict=True)) for row in rows)
    return {r["key"]: r for r in found if r["level"] in ("total", "dimension")}


def _compare(db):
    """Return Bến Thành's comparison with the wards like it over the demo range."""
    period = estimates.parse_periods(_demo_range())
    own = estimate_cache.unit_rows(
        db, V1, period, "ward", BEN_THANH, [BEN_THANH], [HCMC], 5.0, 20.0
    )
    return similar.compare(db, V1, period, units.get_ward(db, BEN_THANH), own, 5.0, 20.0)


def test_group_estimate_is_the_engines_own_without_what_it_does_not_show(db, world):
    """The group's rows, combined from kept ward sums, are the engine's run of the group."""
    add_wards(db, world)
    estimate_cache.clear()
    found = _compare(db)
    period = estimates.parse_periods(_demo_range())
    members = found["group"].members
    fast = _engine_rows(db, period, members, levels=("total", "dimension"), changes=False)
    everything = _engine_rows(db, period, members)
    assert len(found["lines"]) == 9
    for line in found["lines"]:
        group = line["group"]
        assert group == fast[line["key"]] and group["change"] == ""
        assert {c: group[c] for c in SHOWN_COLUMNS} == {
            c: everything[line["key"]][c] for c in SHOWN_COLUMNS
        }


@pytest.fixture
def parts_read(monkeypatch):
    """Record the wards whose sums the cache reads from the responses."""
    read, real = [], estimate_cache.province_rows

    def province_rows(db, ctx, questionnaire, province):
        read.append(sorted(ctx.ward_scope))
        return real(db, ctx, questionnaire, province)

    monkeypatch.setattr(estimate_cache, "province_rows", province_rows)
    estimate_cache.clear()
    yield read
    estimate_cache.clear()


def test_a_new_answer_in_the_group_reads_only_its_ward_again(db, world, parts_read):
    """After an answer at 26000, only 26000 is read again and the group says the new n."""
    add_wards(db, world)
    before = {line["key"]: line["group"] for line in _compare(db)["lines"]}
    assert len(parts_read) == 4
    parts_read.clear()
    point = points.get_point(db, _point_of(db, "26000"))
    add_demo_responses(db, point, V1, 61, seed=99)  # one more
    found = _compare(db)
    assert parts_read == [["26000"]]
    period = estimates.parse_periods(_demo_range())
    fresh = _engine_rows(
        db, period, found["group"].members, levels=("total", "dimension"), changes=False
    )
    for line in found["lines"]:
        assert line["group"] == fresh[line["key"]]
    assert found["lines"][0]["group"]["n"] == before["total"]["n"] + 1


def test_an_answer_outside_the_group_keeps_the_group(db, world, parts_read):
    """An answer at 26200 (the top third) is in no ward like it: nothing is read again."""
    add_wards(db, world)
    found = _compare(db)
    first, group = found["lines"][0]["group"], found["group"]
    parts_read.clear()
    point = points.get_point(db, _point_of(db, "26200"))
    add_demo_responses(db, point, V1, 61, seed=98)  # one more
    again = _compare(db)
    assert again["lines"][0]["group"] is first and parts_read == []
    assert again["group"] is group  # nor is the province's answers read to find the group


def test_a_kept_ward_part_holds_the_total_and_dimensions_only(db, world):
    """Only their sums make the group's rows; a part with every estimand was 30 KB, not 6."""
    add_wards(db, world)
    period = estimates.parse_periods(_demo_range())
    part = estimate_cache._part(db, V1, period, HCMC, BEN_THANH, 5.0, None)
    assert {key[0] for _label, key in part.sums} == {"dim", "total"}
    assert len(part.sums) == 9


def test_a_first_answer_in_a_ward_like_it_joins_the_group(db, world, parts_read):
    """26002 had no answers: its first one makes it a member, read and counted at once."""
    add_wards(db, world)
    assert _compare(db)["group"].peers == 3
    parts_read.clear()
    point = points.create_point(db, "26002", "Điểm 26002", "one_stop")
    add_demo_responses(db, point, V1, 1, seed=97)
    found = _compare(db)
    assert found["group"].peers == 4 and "26002" in found["group"].members
    assert parts_read == [["26002"]]


def test_a_population_change_makes_every_part_fresh(db, world, parts_read):
    """Margins, official scores and units are in every ward's sums: all are read again."""
    add_wards(db, world)
    _compare(db)
    parts_read.clear()
    with db.atomic():
        db.execute("UPDATE wards SET population = 52500 WHERE code = '26000'")
    _compare(db)
    assert sorted(w for (w,) in parts_read) == sorted([BEN_THANH, SAI_GON, "26000", "26001"])


def _point_of(db, ward):
    """Return the id of a ward's first collection point."""
    return db.execute("SELECT min(id) FROM points WHERE ward_code = ?", [ward]).fetchone()[0]

"""Sums of money read as Vietnamese people type them, stored exactly in the box's unit."""

from fractions import Fraction

import pytest

from survey.questionnaire import amounts
from survey.questionnaire.amounts import AmountError, parse_amount, short, words_vi

THOUSANDS, DONG, MILLIONS = 1000, 1, 10**6
HIGH = 1_000_000  # the v1 amount item: 0 to 1 000 000 nghìn đồng


@pytest.mark.parametrize(
    ("typed", "unit", "stored"),
    [
        ("500 nghìn", THOUSANDS, 500),
        ("500 ngàn", THOUSANDS, 500),
        ("500 nghin", THOUSANDS, 500),
        ("500k", THOUSANDS, 500),
        ("500K", THOUSANDS, 500),
        ("500 nghìn đồng", THOUSANDS, 500),
        ("50 nghìn đồng", THOUSANDS, 50),
        ("50.000đ", THOUSANDS, 50),
        ("50.000 VNĐ", THOUSANDS, 50),
        ("50.000 vnd", THOUSANDS, 50),
        ("50,000 đồng", THOUSANDS, 50),
        ("50.000₫", THOUSANDS, 50),
        ("1,5 triệu", THOUSANDS, 1500),
        ("1.5 triệu", THOUSANDS, 1500),
        ("1.5 trieu", THOUSANDS, 1500),
        ("1tr5", THOUSANDS, 1500),
        ("1 triệu 2", THOUSANDS, 1200),
        ("1tr25", THOUSANDS, 1250),
        ("1 triệu 250", THOUSANDS, 1250),
        ("1 triệu 200 nghìn", THOUSANDS, 1200),
        ("2 triệu rưỡi", THOUSANDS, 2500),
        ("5 trăm nghìn", THOUSANDS, 500),
        ("khoảng 2 triệu", THOUSANDS, 2000),
        ("tầm 500k", THOUSANDS, 500),
        ("  500 nghìn. ", THOUSANDS, 500),
        ("500", THOUSANDS, 500),  # the box's unit: 500 đồng is not a whole number of nghìn
        ("250", THOUSANDS, 250),
        ("1.500", THOUSANDS, 1500),  # 1,5 nghìn would be 1 500 đồng
        ("1.200.000", THOUSANDS, 1200),  # 1,2 tỷ nghìn is above the item's maximum
        ("5 000 000", THOUSANDS, 5000),
        ("0", THOUSANDS, 0),
        ("1 tỷ", THOUSANDS, 1_000_000),
        ("１２３", THOUSANDS, 123),  # full-width digits from some keyboards
        ("500.000", DONG, 500_000),
        ("500000", DONG, 500_000),
        ("1.500", DONG, 1500),
        ("5 nghìn rưỡi", DONG, 5500),
        ("5 nghìn 2", DONG, 5200),
        ("1,5 triệu", DONG, 1_500_000),
        ("2", MILLIONS, 2),
        ("2.000.000 đồng", MILLIONS, 2),
    ],
)
def test_ways_of_writing_a_sum_store_the_value_in_the_box_unit(typed, unit, stored):
    high = HIGH if unit == THOUSANDS else None
    value = parse_amount(typed, unit, 0, high)
    assert value == stored and type(value) is int


@pytest.mark.parametrize(
    ("typed", "unit", "readings"),
    [
        ("500.000", THOUSANDS, (500, 500_000)),
        ("500,000", THOUSANDS, (500, 500_000)),
        ("500 000", THOUSANDS, (500, 500_000)),
        ("500000", THOUSANDS, (500, 500_000)),
        ("2000", THOUSANDS, (2, 2000)),
        ("10.000", THOUSANDS, (10, 10_000)),
        ("1.500 nghìn", DONG, (1500, 1_500_000)),
        ("1,500 triệu", THOUSANDS, (1500, 1_500_000)),
    ],
)
def test_a_sum_that_reads_two_ways_is_not_guessed(typed, unit, readings):
    high = None if typed == "1,500 triệu" else (HIGH if unit == THOUSANDS else None)
    with pytest.raises(AmountError) as caught:
        parse_amount(typed, unit, 0, high)
    assert caught.value.kind == "ambiguous"
    assert caught.value.readings == readings


@pytest.mark.parametrize(
    ("typed", "unit", "kind"),
    [
        ("1,5", THOUSANDS, "fraction"),
        ("12.5", THOUSANDS, "fraction"),
        ("500 đồng", THOUSANDS, "fraction"),
        ("1.234,5 nghìn", THOUSANDS, "fraction"),
        ("2 tỷ", THOUSANDS, "range"),
        ("một trăm nghìn", THOUSANDS, "unreadable"),
        ("tám trăm nghìn", THOUSANDS, "unreadable"),
        ("5 củ", THOUSANDS, "unreadable"),
        ("200-300 nghìn", THOUSANDS, "unreadable"),
        ("-5", THOUSANDS, "unreadable"),
        ("nghìn", THOUSANDS, "unreadable"),
        ("1.2.3", THOUSANDS, "unreadable"),
        ("1 nghìn 2 triệu", THOUSANDS, "unreadable"),
        ("1 triệu 2500", THOUSANDS, "unreadable"),
        ("9" * 16, THOUSANDS, "unreadable"),
        ("1.500 1.500 1.500 1.500 1.500", THOUSANDS, "unreadable"),
    ],
)
def test_a_sum_that_cannot_be_stored_says_why(typed, unit, kind):
    with pytest.raises(AmountError) as caught:
        parse_amount(typed, unit, 0, HIGH)
    assert caught.value.kind == kind


def test_digits_alone_are_the_box_unit_in_an_import_file():
    assert parse_amount("500000", THOUSANDS, 0, HIGH, digits_in_unit=True) == 500_000
    assert parse_amount("500 nghìn", THOUSANDS, 0, HIGH, digits_in_unit=True) == 500
    with pytest.raises(AmountError):
        parse_amount("500.000", THOUSANDS, 0, HIGH, digits_in_unit=True)


def test_sums_are_exact_fractions_never_floats():
    found = amounts.readings("1,1 triệu", THOUSANDS)
    assert found == {Fraction(1_100_000)}
    assert parse_amount("0,1 triệu", THOUSANDS) == 100  # 0.1 * 1e6 / 1e3 in floats is 99.99…


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (0, "không"),
        (5, "năm"),
        (10, "mười"),
        (11, "mười một"),
        (15, "mười lăm"),
        (21, "hai mươi mốt"),
        (24, "hai mươi bốn"),
        (55, "năm mươi lăm"),
        (105, "một trăm linh năm"),
        (110, "một trăm mười"),
        (1000, "một nghìn"),
        (50_000, "năm mươi nghìn"),
        (500_000, "năm trăm nghìn"),
        (1_000_000, "một triệu"),
        (1_005_000, "một triệu không trăm linh năm nghìn"),
        (1_250_000, "một triệu hai trăm năm mươi nghìn"),
        (2_000_500, "hai triệu năm trăm"),
        (500_000_000, "năm trăm triệu"),
        (1_000_000_000, "một tỷ"),
        (1_500_000_000, "một tỷ năm trăm triệu"),
        (2_000_000_050, "hai tỷ không trăm năm mươi"),
    ],
)
def test_numbers_in_vietnamese_words(number, words):
    assert words_vi(number) == words


@pytest.mark.parametrize("dong", [0, 1500, 500_000, 2_000_000, 1_250_000, 1_005_000_000])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_stored_sum_shown_again_reads_back_one_way(dong, lang):
    unit = THOUSANDS if dong % 1000 == 0 else DONG
    assert parse_amount(short(dong, lang), unit) == dong // unit


@pytest.mark.parametrize(
    ("unit_vi", "size"),
    [
        ("đồng", 1),
        ("nghìn đồng", 1000),
        ("Ngàn đồng", 1000),
        ("triệu đồng", 10**6),
        ("người", None),
    ],
)
def test_money_boxes_are_known_by_their_unit(unit_vi, size):
    assert amounts.unit_size(unit_vi) == size

"""Vietnamese alphabetical order: the sort key against lists ordered by hand, and in SQL."""

import random
import unicodedata

import pytest

from survey import collation

# The 29 letters of the Vietnamese alphabet, in their order.
ALPHABET = "a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y".split()
# Tones after the letters: ngang, huyền, hỏi, ngã, sắc, nặng; then a longer word.
TONES = ["ma", "mà", "mả", "mã", "má", "mạ", "mac", "mách", "mạch"]
# The 34 provinces and cities as a Vietnamese list orders them (code point order would put
# Cần Thơ after Cao Bằng's neighbours, Lạng Sơn after Lâm Đồng and every Đ after Vĩnh Long).
PROVINCES = [
    "An Giang",
    "Bắc Ninh",
    "Cà Mau",
    "Cao Bằng",
    "Cần Thơ",
    "Đà Nẵng",
    "Đắk Lắk",
    "Điện Biên",
    "Đồng Nai",
    "Đồng Tháp",
    "Gia Lai",
    "Hà Nội",
    "Hà Tĩnh",
    "Hải Phòng",
    "Huế",
    "Hưng Yên",
    "Khánh Hòa",
    "Lai Châu",
    "Lạng Sơn",
    "Lào Cai",
    "Lâm Đồng",
    "Nghệ An",
    "Ninh Bình",
    "Phú Thọ",
    "Quảng Ngãi",
    "Quảng Ninh",
    "Quảng Trị",
    "Sơn La",
    "Tây Ninh",
    "Thái Nguyên",
    "Thanh Hóa",
    "Thành phố Hồ Chí Minh",
    "Tuyên Quang",
    "Vĩnh Long",
]
# Points of one ward: the example (Tân An before Trảng Bàng), D before Đ, a space
# before a letter, numbers by value, lower case before capitals, tones after letters.
POINTS = [
    "Bến Cát",
    "Dĩ An",
    "Đồng Xoài",
    "khu phố 2",
    "Khu phố 2",
    "Khu phố 10",
    "Khu phố Đông",
    "Tân An",
    "Tân Uyên",
    "Tân Ước",
    "Trảng Bàng",
]


@pytest.mark.parametrize("ordered", [ALPHABET, TONES, PROVINCES, POINTS], ids=lambda o: o[0])
def test_sort_key_gives_the_hand_made_order(ordered):
    shuffled = ordered[:]
    random.Random(8).shuffle(shuffled)
    assert sorted(shuffled, key=collation.sort_key) == ordered


def test_code_points_get_these_lists_wrong():
    """The lists above would pass with plain sorted(): they must not."""
    for ordered in (ALPHABET, TONES, PROVINCES, POINTS):
        assert sorted(ordered) != ordered


def test_decomposed_text_sorts_like_composed_text():
    for name in PROVINCES:
        assert collation.sort_key(unicodedata.normalize("NFD", name)) == collation.sort_key(name)


def test_empty_values_sort_first():
    assert collation.sort_key(None) == collation.sort_key("")
    assert sorted(["b", "", "a"], key=collation.sort_key) == ["", "a", "b"]


def test_sorted_by_sorts_rows_by_each_field_in_turn():
    rows = [
        {"province": "Tây Ninh", "name": "Tân An"},
        {"province": "Đồng Nai", "name": "Trảng Bom"},
        {"province": "Tây Ninh", "name": "Trảng Bàng"},
        {"province": "Đồng Nai", "name": "Biên Hòa"},
    ]
    assert [(r["province"], r["name"]) for r in collation.sorted_by(rows, "province", "name")] == [
        ("Đồng Nai", "Biên Hòa"),
        ("Đồng Nai", "Trảng Bom"),
        ("Tây Ninh", "Tân An"),
        ("Tây Ninh", "Trảng Bàng"),
    ]

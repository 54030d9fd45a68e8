"""Every page that lists names to people lists them in Vietnamese order, not code-point order."""

import pytest
from bs4 import BeautifulSoup

from tests.factories import (
    BEN_THANH,
    HCMC,
    make_flagged_response,
    make_point,
    make_province,
    make_user,
    make_ward,
)
from tests.staff_helpers import client_as
from tests.test_collation import POINTS

# Code order (01, 24, 75, 79, 80) and code-point order (Đ after T) both differ from this.
PROVINCES = [
    "Thành phố Hà Nội",
    "Thành phố Hồ Chí Minh",
    "Tỉnh Bắc Ninh",
    "Tỉnh Đồng Nai",
    "Tỉnh Tây Ninh",
]
# Wards of Ho Chi Minh City: the unaccented names ("da kao" < "di an") get D and Đ wrong.
WARDS = ["Phường Bến Thành", "Phường Dĩ An", "Phường Đa Kao", "Phường Sài Gòn", "Phường Tân Định"]
USERNAMES = ["tram.2", "tram.10"]


@pytest.fixture
def named(db, world):
    """Add provinces, wards, points and accounts whose names code-point order gets wrong."""
    with db.atomic():
        for code, name in (
            ("24", "Tỉnh Bắc Ninh"),
            ("75", "Tỉnh Đồng Nai"),
            ("80", "Tỉnh Tây Ninh"),
        ):
            make_province(db, code, name)
        for code, name in (
            ("26737", "Phường Đa Kao"),
            ("26740", "Phường Dĩ An"),
            ("26746", "Phường Tân Định"),
        ):
            make_ward(db, code, HCMC, name)
    for name in reversed(POINTS):
        point = make_point(db, BEN_THANH, name, "one_stop")
    make_flagged_response(db, point)
    for username in reversed(USERNAMES):
        make_user(db, username, "analyst")
    return world


def listed(body: bytes, names: list[str]) -> list[str]:
    """Return the given names in the order the page first shows them (option labels too)."""
    seen = []
    for text in BeautifulSoup(body, "html.parser").find_all(string=True):
        text = text.strip().split(" (")[0]  # a ward choice reads "name (province) · code"
        if text in names and text not in seen:
            seen.append(text)
    return seen


@pytest.mark.parametrize(
    ("url", "names"),
    [
        ("/staff/points/", POINTS),
        ("/staff/", POINTS),
        ("/staff/", PROVINCES),
        ("/staff/review/", POINTS),
        (f"/staff/wards/{BEN_THANH}/posters", POINTS),
        ("/staff/points/new", WARDS),
        ("/staff/analysis/?q=phuong", WARDS),
        ("/staff/analysis/", PROVINCES),
        ("/staff/users/", USERNAMES),
    ],
)
def test_page_lists_names_in_vietnamese_order(app, named, url, names):
    response = client_as(app, named, "administrator").get(url)
    assert response.status_code == 200
    assert listed(response.data, names) == names

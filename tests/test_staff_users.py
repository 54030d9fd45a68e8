"""Account pages: creating and editing an account each have their own title and password help."""

import pytest
from bs4 import BeautifulSoup

from tests.staff_helpers import client_as


def page(client, url: str) -> BeautifulSoup:
    """Return the parsed page at url, which must answer 200."""
    response = client.get(url)
    assert response.status_code == 200
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def texts(soup: BeautifulSoup) -> tuple[str, str, str]:
    """Return the page's title, main heading and password help as a person reads them."""
    return (
        soup.title.get_text(strip=True),
        soup.h1.get_text(strip=True),
        soup.select_one("#password-hint").get_text(strip=True),
    )


def test_create_page_says_create_and_asks_for_a_first_password(app, world):
    client = client_as(app, world, "administrator")
    title, heading, hint = texts(page(client, "/staff/users/new"))
    assert title == "Create an account · PAPI Pulse"
    assert heading == "Create an account"
    assert hint.startswith("At least 10 characters.")
    assert "empty" not in hint


def test_edit_page_names_the_account_and_lets_the_password_be(app, world):
    client = client_as(app, world, "administrator")
    edited = world["users"]["ward_staff"]
    title, heading, hint = texts(page(client, f"/staff/users/{edited['id']}/edit"))
    assert title == "Edit account ward.staff · PAPI Pulse"
    assert heading == "Edit account ward.staff"
    assert hint == "Leave empty to keep the current password."


@pytest.mark.parametrize(
    ("url", "heading"),
    [("/staff/users/new", "Tạo tài khoản"), ("/staff/users/{id}/edit", "Sửa tài khoản ward.staff")],
)
def test_vietnamese_headings(app, world, url, heading):
    client = client_as(app, world, "administrator")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "vi"
    soup = page(client, url.format(id=world["users"]["ward_staff"]["id"]))
    assert soup.h1.get_text(strip=True) == heading

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


def test_a_short_first_password_is_refused_beside_the_field(app, db, world):
    from survey import accounts

    client = client_as(app, world, "administrator")
    response = client.post(
        "/staff/users/new",
        data={"username": "lan", "role": "analyst", "password": "short", "confirm": "short"},
    )
    assert response.status_code == 422
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    error = soup.select_one("#password-error").get_text(" ", strip=True)
    assert error == "The password must have between 10 and 256 characters."
    assert accounts.find_user(db, "lan") is None


@pytest.mark.parametrize("role", ["analyst", "administrator"])
def test_a_scope_for_a_country_role_is_refused_beside_the_field(app, db, world, role):
    from survey import accounts

    client = client_as(app, world, "administrator")
    response = client.post(
        "/staff/users/new",
        data={
            "username": "lan",
            "role": role,
            "scopes": "79",
            "password": "long enough pw",
            "confirm": "long enough pw",
        },
    )
    assert response.status_code == 422  # form_status(): the status of every refused form
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    error = soup.select_one("#scopes-error").get_text(" ", strip=True)
    assert "see the whole country: leave the area empty" in error
    assert accounts.find_user(db, "lan") is None


def test_editing_a_ward_clerk_into_an_analyst_with_a_scope_is_refused(app, db, world):
    from survey import accounts

    client = client_as(app, world, "administrator")
    clerk = world["users"]["ward_staff"]
    response = client.post(
        f"/staff/users/{clerk['id']}/edit",
        data={"role": "analyst", "scopes": " ".join(clerk["scopes"]), "active": "y"},
    )
    assert response.status_code == 422  # form_status(): the status of every refused form
    assert "leave the area empty" in response.get_data(as_text=True)
    assert accounts.get_user(db, clerk["id"])["role"] == "ward_staff"


def test_the_command_refuses_a_scope_for_an_analyst_in_one_line(db, runner, tmp_path):
    from survey import accounts

    secret = tmp_path / "pw.txt"
    secret.write_text("long enough pw\n", encoding="utf-8")
    result = runner.invoke(
        args=["users", "create", "x.y", "--role", "analyst", "--scope", "79"]
        + ["--password-file", str(secret)]
    )
    assert result.exit_code != 0
    assert result.output.strip().splitlines() == [
        "Error: The role analyst sees the whole country: leave out --scope."
    ]
    assert accounts.find_user(db, "x.y") is None

"""Staff test helpers: the roles of the matrix, sign-in, and clients signed in as a role."""

import time

from survey import accounts

# Roles of the matrix, in the order they are tried.
ROLES = ("anonymous", "other_ward", "ward_staff", "province_manager", "analyst", "administrator")


def sign_in(client, user: dict) -> None:
    """Put a signed-in session for the user into the test client's cookie."""
    with client.session_transaction() as session:
        session.update(
            user_id=user["id"], version=accounts.session_version(user), login_at=time.time()
        )


def english(client):
    """Make the client ask for English, so that assertions can quote the msgids."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def client_as(app, world, role: str):
    """Return a test client signed in as the role (or anonymous)."""
    client = english(app.test_client())
    if role != "anonymous":
        sign_in(client, world["users"][role])
    return client

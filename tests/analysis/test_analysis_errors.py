"""A refused request on the analysts' pages says why, in the reader's language (#9.3)."""

import pytest
from bs4 import BeautifulSoup
from flask_babel import force_locale
from flask_babel import gettext as _

from tests.factories import BEN_THANH
from tests.staff_helpers import client_as

WARD = f"unit=ward&code={BEN_THANH}"
CASES = [
    (
        f"/staff/analysis/?{WARD}&period=2026-Q9",
        "The period is not understood: use 2026-Q1, 2026-03, 2026 or a range "
        "such as 2026-01-01..2026-02-15.",
    ),
    ("/staff/analysis/?unit=ward&code=&period=2026-Q1",
     "Enter the code of the ward, commune or province."),
    (f"/staff/analysis/?{WARD}&period=2026-Q1&mode=fax",
     "Choose answers on a phone, on paper, or both."),
    ("/staff/analysis/estimates.csv?period=2026-Q1",
     "Choose a ward, a province or the whole country."),
    (f"/staff/analysis/estimates.csv?{WARD}&period=nope",
     "The period is not understood: use 2026-Q1, 2026-03, 2026 or a range "
     "such as 2026-01-01..2026-02-15."),
]  # fmt: skip


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize(("url", "message"), CASES)
def test_the_refusal_shows_its_own_message_translated(app, world, url, message, lang):
    """A 400 page names what was wrong, not the generic "could not understand" text."""
    client = client_as(app, world, "analyst")
    response = client.get(url, headers={"Accept-Language": lang})
    assert response.status_code == 400
    with app.test_request_context(), force_locale(lang):
        expected, generic = (
            _(message),
            _("The page could not understand what was sent. Please go back and try again."),
        )
    if lang == "vi":
        assert expected != message  # translated, not the English msgid
    text = " ".join(BeautifulSoup(response.data, "html.parser").get_text().split())
    assert expected in text and generic not in text
    assert f'lang="{lang}"' in response.get_data(as_text=True)

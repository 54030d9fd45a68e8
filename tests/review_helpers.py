"""Review test helpers: answer the questionnaire like a person, through the test client."""


def human(name, options, is_text):
    """Answer like a person: leave the hidden honeypot alone, vary the scale answers."""
    from survey.quality import HONEYPOT_FIELD
    from tests.citizen.citizen_helpers import first_choice

    if name == HONEYPOT_FIELD:
        return None
    scale = [value for _kind, value in options if value.isdigit()]
    if len(scale) >= 5:  # read each scale question: not the same point everywhere
        return scale[len(name) % len(scale)]
    return first_choice(name, options, is_text)


def submit(client, token: str, choose=human, start_data=None, max_pages=30):
    """Answer every page through the client; return the response to the last POST.

    Unlike citizen_helpers.complete, a refusal (429) is returned, not raised.
    """
    from tests.citizen.citizen_helpers import answer_page, page_path

    response = client.post(f"/s/{token}/start", data=start_data or {})
    if response.status_code != 303:
        return response
    location = response.headers["Location"]
    for _ in range(max_pages):
        page = client.get(location)
        assert page.status_code == 200, (location, page.status_code)
        response = client.post(page_path(location), data=answer_page(page.text, choose))
        if response.status_code != 303 or "/p/" not in response.headers["Location"]:
            return response
        location = response.headers["Location"]
    raise AssertionError("the questionnaire did not end")

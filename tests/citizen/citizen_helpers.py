"""Citizen test helpers: a robot that answers pages like a person, and page readers."""

import re
from html.parser import HTMLParser


class FormReader(HTMLParser):
    """Collect the controls of the page's form: hidden values, radios, checkboxes, text."""

    def __init__(self):
        super().__init__()
        self.hidden, self.choices, self.texts, self.order = {}, {}, {}, []

    def handle_starttag(self, tag, attrs):
        """Record each input or textarea by name."""
        attrs = dict(attrs)
        name = attrs.get("name")
        if not name:
            return
        kind = attrs.get("type", "text") if tag == "input" else tag
        if kind == "hidden":
            self.hidden[name] = attrs.get("value", "")
        elif kind in ("radio", "checkbox"):
            self.choices.setdefault(name, []).append((kind, attrs["value"]))
        elif kind in ("text", "textarea"):
            self.texts[name] = tag
        else:
            return
        if name not in self.order and kind != "hidden":
            self.order.append(name)


def read_form(html: str) -> FormReader:
    """Parse a page and return its form controls."""
    reader = FormReader()
    reader.feed(html)
    return reader


def first_choice(name, options, is_text):
    """Answer with the first ordinary option, 3 for numbers, a short sentence for text."""
    if is_text == "textarea":
        return "Đường sá ngập nước khi mưa."
    if is_text:
        return "3"
    return options[0][1]


def everything(name, options, is_text):
    """Tick every ordinary option of a checklist (to reach every follow-up), else first_choice."""
    from survey.questionnaire import latest

    item = latest("papi-pulse-core").items.get(name)
    if item is not None and item.type == "multiple":
        return [option.code for option in item.options if not option.exclusive]
    return first_choice(name, options, is_text)


def answer_page(html: str, choose=first_choice) -> dict:
    """Return form data answering every item of the page with choose(name, options, is_text)."""
    form = read_form(html)
    data = dict(form.hidden)
    for name in form.order:
        if name in form.texts:
            value = choose(name, form.choices.get(name, []), form.texts[name])
        else:
            value = choose(name, form.choices[name], None)
        if value is not None:
            data[name] = value
    return data


def page_path(location: str) -> str:
    """Return the path of a redirect location without its query string."""
    return location.split("?")[0]


def complete(client, token: str, choose=first_choice, max_pages=30) -> list[str]:
    """Answer the whole questionnaire through the client; return the pages visited."""
    response = client.post(f"/s/{token}/start")
    assert response.status_code == 303, response.status_code
    location, visited = response.headers["Location"], []
    for _ in range(max_pages):
        page = client.get(location)
        assert page.status_code == 200, (location, page.status_code)
        visited.append(page_path(location))
        response = client.post(page_path(location), data=answer_page(page.text, choose))
        assert response.status_code == 303, response.text[:2000]
        location = response.headers["Location"]
        if "/thanks" in location:
            return visited
    raise AssertionError("the questionnaire did not end")


def error_messages(html: str) -> list[str]:
    """Return the texts of the error summary's links."""
    return re.findall(r'<li><a href="#[^"]+">([^<]+)</a></li>', html)


def walk_to(client, token: str, page_id: str, choose=everything, headers=None):
    """Start a questionnaire and answer pages with choose until page_id; return that page."""
    location = client.post(f"/s/{token}/start").headers["Location"]
    while "/thanks" not in location:
        page = client.get(location, headers=headers or {})
        if page_path(location).endswith(f"/p/{page_id}"):
            return page
        response = client.post(page_path(location), data=answer_page(page.text, choose))
        location = response.headers["Location"]
    raise AssertionError(f"page {page_id} was not reached")


def post_and_follow(client, path: str, data, headers=None):
    """Post a page, check that it answers 303 to a page of the survey; return that GET."""
    response = client.post(path, data=data, headers=headers)
    assert response.status_code == 303, (response.status_code, response.text[:500])
    location = response.headers["Location"]
    assert "/s/" in location, location
    return client.get(location, headers=headers)
